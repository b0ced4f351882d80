"""Outsiders cannot read the book (A1.2, A7.21; issue #4 "Done when"), through the UI and the API.

The URL patterns under ``/sales/`` and ``/api/v1/sales/`` are enumerated from Django's resolver
and the API's OpenAPI document, so a page or endpoint added later is covered without editing
this file. The victim is the demo's 华景置业 sales office (every app's demo rows); the outsider is
the sales manager of another real-estate company, who holds every sales permission in their own
company:

- every URL that takes an object id, filled with a 华景置业 object, answers 404 for every method
  it offers (an API body is made from the endpoint's schema so the request reaches the lookup);
- every URL without one answers with none of 华景置业's names (customers, staff, company);
- a gas company's customer service (no sales permissions) gets 403 or 404, never the object.

Inside 华景置业, a salesperson sees only their own customers: another salesperson's customer's
registration, decisions, follow-ups and deals answer 404, and the lists show none of them.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from kehu.core.customers.models import Customer
from kehu.core.org.demo import demo_load
from kehu.core.org.models import Company, CompanyGroup, CompanyKind, Department, Site, Staff
from kehu.core.org.posts import Post
from kehu.core.org.services import staff_assign_post_group

VICTIM_CODE = "huajing-estate"
_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
_OPENAPI_PARAM = re.compile(r"\{(\w+)\}")
# URL parameter → the model whose row it names, where the name alone does not say it.
_PARAM_MODELS = {
    "site_id": "org.site",
    "customer_id": "customers.customer",
    "decision_id": "sales.ownershipdecision",
    "request_id": "sales.salesrequest",
    "record_id": "sales.conductrecord",
    "report_id": "sales.channelreport",
    "channel_id": "sales.channelcompany",
    "alert_id": "sales.salesalert",
    "makeup_id": "sales.makeupturn",
}
# Parameters that name a kind of thing, not an object: filled with a value the route accepts.
_NOT_IDS = {"kind": "receptions"}
_MISSING_ID = 987_654_321


# --- enumerating the routes ----------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    path: str  # Django's route, e.g. "sales/book/<int:registration_id>/"
    params: tuple[str, ...]  # parameter names

    @property
    def id_params(self) -> tuple[str, ...]:
        return tuple(p for p in self.params if p not in _NOT_IDS)

    @property
    def is_api(self) -> bool:
        return self.path.startswith("api/")


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def sales_routes() -> list[Route]:
    """Every route under /sales/ and /api/v1/sales/, once each."""
    seen: dict[str, Route] = {}
    for path in _walk(get_resolver().url_patterns):
        if path.startswith(("sales/", "api/v1/sales/")) and path not in seen:
            names = tuple(m.group("name") for m in _PARAM.finditer(path))
            seen[path] = Route(path, names)
    return sorted(seen.values(), key=lambda r: r.path)


ROUTES = sales_routes()


def model_for(param: str) -> type[Model] | None:
    """The model a ``<thing>_id`` parameter names: the table above, else a sales or customers
    model whose name is the thing (``deal_id`` → ``sales.deal``)."""
    if param in _PARAM_MODELS:
        return apps.get_model(_PARAM_MODELS[param])
    thing = param.removesuffix("_id")
    for label in ("sales", "customers", "org"):
        for model in apps.get_app_config(label).get_models():
            if model._meta.model_name == thing:
                return model
    return None


def victim_id(param: str, victim: Company) -> int:
    """A row of 华景置业 the parameter can name (a missing id if the demo has none)."""
    model = model_for(param)
    if model is None:
        return _MISSING_ID
    rows = model._default_manager.all()
    if model is Company:
        rows = rows.filter(pk=victim.pk)
    elif any(f.name == "company" for f in model._meta.fields):
        rows = rows.filter(company=victim)
    else:
        return _MISSING_ID
    pk = rows.order_by("pk").values_list("pk", flat=True).first()
    return int(pk) if pk is not None else _MISSING_ID


def fill(route: Route, victim: Company) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group("name")
        return _NOT_IDS.get(name) or str(victim_id(name, victim))

    return "/" + _PARAM.sub(value, route.path)


# --- the API's operations from its OpenAPI document ---------------------------------------------


@functools.cache
def _openapi() -> dict[str, Any]:
    """The API's OpenAPI document (built once: building it is slow)."""
    from kehu.api import api

    return api.get_openapi_schema()


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0], document)
    return schema


def example(schema: dict[str, Any], document: dict[str, Any], depth: int = 0) -> Any:
    """A small value the schema accepts (required fields only), so that a request passes the
    API's validation and reaches the object lookup."""
    schema = _resolve(schema, document)
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if _resolve(s, document).get("type") != "null"]
            return example(options[0] if options else schema[key][0], document, depth)
    kind = schema.get("type")
    fmt = schema.get("format", "")
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        properties = schema.get("properties", {})
        return {
            name: example(properties[name], document, depth + 1)
            for name in schema.get("required", [])
            if name in properties
        }
    if kind == "array":
        return []
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return max(float(schema.get("minimum", 1)), 1)
    if kind == "boolean":
        return False
    if fmt == "date-time":
        return "2026-11-27T10:00:00+08:00"
    if fmt == "date":
        return "2026-11-27"
    return "x" * max(int(schema.get("minLength", 1)), 1)


def api_operations(route: Route) -> list[tuple[str, Any]]:
    """The methods the API offers on ``route``, each with a request body its schema accepts
    (``None`` for none)."""
    document = _openapi()
    wanted = "/" + _PARAM.sub(lambda m: "{" + m.group("name") + "}", route.path)
    operations = []
    for path, item in document["paths"].items():
        if path.rstrip("/") != wanted.rstrip("/"):
            continue
        for method, operation in item.items():
            body = None
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body = example(content["application/json"]["schema"], document)
            elif content:
                body = {}
            operations.append((method, body))
    return operations


def request(client: Client, method: str, url: str, body: Any = None) -> Any:
    if method == "get":
        return client.get(url)
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data=body, content_type="application/json")


def text_of(response: Any) -> str:
    """What a response shows, spreadsheets included (their cells)."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if content[:2] == b"PK":  # an .xlsx file
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        cells = [
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        return "\n".join(cells)
    return content.decode("utf-8", errors="replace")


# --- the cast -----------------------------------------------------------------------------------


def _staff(company: Company, username: str, name: str, post: str) -> Staff:
    site, _ = Site.objects.get_or_create(
        company=company, name=f"{company.name}项目", defaults={"kind": "sales_office"}
    )
    department, _ = Department.objects.get_or_create(company=company, name="营销部")
    user = get_user_model().objects.create_user(username=username, password="kehu-test-2026")
    staff = Staff.objects.create(
        company=company, user=user, name=name, post=post, site=site, department=department
    )
    staff_assign_post_group(staff=staff)
    return staff


@dataclass(frozen=True)
class World:
    victim: Company
    outsider: Staff  # 南山置业's sales manager: every sales permission, in another company
    gas_clerk: Staff  # 南山燃气's customer service: no sales permission at all


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The demo (every app's rows) and the outsiders, loaded once for the module inside a
    transaction that is rolled back at its end; each test runs in a savepoint within it."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_load()
        group = CompanyGroup.objects.create(name="南山集团")
        south = Company.objects.create(
            group=group, code="nanshan-estate", name="南山置业", kind=CompanyKind.REAL_ESTATE
        )
        gas = Company.objects.create(
            group=group, code="nanshan-gas", name="南山燃气", kind=CompanyKind.GAS
        )
        _staff(south, "nanshan.sales", "南山售楼员", Post.SALESPERSON)
        yield World(
            victim=Company.objects.get(code=VICTIM_CODE),
            outsider=_staff(south, "nanshan.manager", "南山经理", Post.SALES_MANAGER),
            gas_clerk=_staff(gas, "nanshan.clerk", "南山客服", Post.CUSTOMER_SERVICE),
        )
        transaction.set_rollback(True)


@pytest.fixture
def victim(world: World, db: None) -> Company:
    return world.victim


@pytest.fixture
def outsider(world: World, db: None) -> Staff:
    return world.outsider


@pytest.fixture
def gas_clerk(world: World, db: None) -> Staff:
    return world.gas_clerk


def logged_in(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def victim_markers(victim: Company) -> list[str]:
    """Names only 华景置业's data holds: its customers, its staff, its name."""
    customers = Customer.objects.filter(company=victim).values_list("name", flat=True)
    staff = Staff.objects.filter(company=victim).values_list("name", flat=True)
    names = {n for n in [*customers, *staff] if n and len(n) >= 2}
    return sorted(names | {victim.name, "华景置业"})


# --- another company sees nothing ----------------------------------------------------------------


def test_the_routes_are_enumerated_from_the_resolver() -> None:
    paths = {r.path for r in ROUTES}
    # the book, the rotation and the receptions are there, in the UI and the API
    assert "sales/book/<int:registration_id>/" in paths
    assert any(p.startswith("api/v1/sales/book/") for p in paths)
    assert any(p.startswith("api/v1/sales/receptions/") for p in paths)
    assert any("<int:site_id>" in p for p in paths)


def missing(route: Route) -> str:
    """The route with every object id replaced by one that exists nowhere."""

    def value(match: re.Match[str]) -> str:
        return _NOT_IDS.get(match.group("name")) or str(_MISSING_ID)

    return "/" + _PARAM.sub(value, route.path)


def shown(client: Client, response: Any) -> str:
    """What the user ends up seeing: the response, or the page a redirect leads to (with the
    message the view left there)."""
    if response.status_code in (301, 302, 303) and response.get("Location"):
        return text_of(client.get(response["Location"]))
    return text_of(response)


def operations_of(route: Route) -> list[tuple[str, Any]]:
    if route.is_api:
        return api_operations(route) or [("get", None)]
    return [("get", None), ("post", None)]


def test_a1_2_another_company_gets_404_for_every_sales_object(
    victim: Company, outsider: Staff
) -> None:
    # given 华景置业's demo sales office and 南山置业's sales manager
    client = logged_in(outsider)
    markers = victim_markers(victim)
    failures = []
    not_404 = []
    covered = 0
    for route in ROUTES:
        if not route.id_params:
            continue
        url = fill(route, victim)
        if _MISSING_ID in [victim_id(p, victim) for p in route.id_params]:
            continue  # the demo has no such row yet: nothing of 华景置业's to reach
        for method, body in operations_of(route):
            # when the outsider asks for (or acts on) 华景置业's object
            response = request(client, method, url, body)
            if response.status_code == 405:
                continue
            covered += 1
            # then the answer is the one for an object that does not exist, and shows none of
            # 华景置业's names: 404, or — where the outsider's own post lacks the permission
            # (403) or a form sends them back with a message (302) — the same as for no object
            nowhere = request(client, method, missing(route), body)
            leaked = [m for m in markers if m in shown(client, response)]
            status = response.status_code
            if leaked or status != nowhere.status_code or status not in (302, 403, 404):
                failures.append((method.upper(), url, status, nowhere.status_code, leaked[:3]))
            elif status != 404:
                not_404.append((method.upper(), route.path, status))
    assert failures == []
    assert covered >= 20
    # the few answers other than 404 are all permission refusals or form redirects, the same
    # for a missing object (listed for the report)
    assert all(status in (302, 403) for _m, _p, status in not_404)


def test_a1_2_another_company_sees_none_of_it_in_any_list(victim: Company, outsider: Staff) -> None:
    # given 南山置业's sales manager, who may read every sales list of their own company
    client = logged_in(outsider)
    markers = victim_markers(victim)
    leaks = []
    for route in ROUTES:
        if route.id_params or "template" in route.path:
            continue  # (an import template's sample row is the same for every company)
        url = fill(route, victim)
        # when they open each list, board, queue, report or export
        response = client.get(url)
        # then none of 华景置业's customers, staff or name is in it
        leaked = [m for m in markers if m in text_of(response)]
        if leaked or response.status_code >= 500:
            leaks.append((url, response.status_code, leaked[:3]))
    assert leaks == []


def test_a1_2_a_company_without_sales_permissions_gets_403_or_404(
    victim: Company, gas_clerk: Staff
) -> None:
    client = logged_in(gas_clerk)
    markers = victim_markers(victim)
    failures = []
    for route in ROUTES:
        if not route.id_params or (route.is_api and not api_operations(route)):
            continue
        if _MISSING_ID in [victim_id(p, victim) for p in route.id_params]:
            continue
        response = client.get(fill(route, victim))
        if response.status_code == 405:
            continue
        leaked = [m for m in markers if m in text_of(response)]
        if response.status_code not in (403, 404) or leaked:
            failures.append((fill(route, victim), response.status_code, leaked[:3]))
    assert failures == []


# --- a salesperson sees only their own customers -------------------------------------------------


def _other_salespersons_customer(victim: Company) -> tuple[Staff, Staff, Customer]:
    li = Staff.objects.get(company=victim, user__username="sales.li")
    zhang = Staff.objects.get(company=victim, user__username="sales.zhang")
    customer = (
        Customer.objects.filter(company=victim, owner=li)
        .exclude(pk__in=Customer.objects.filter(owner=zhang).values("pk"))
        .order_by("pk")
        .first()
    )
    assert customer is not None, "the demo gives 李娜 customers"
    return li, zhang, customer


def test_a1_2_a_salesperson_gets_404_for_a_colleagues_customer(victim: Company) -> None:
    from kehu.sales.models.registration import Registration

    # given 李娜's customer, registered by her only
    li, zhang, customer = _other_salespersons_customer(victim)
    registration = Registration.objects.filter(customer=customer).order_by("pk").first()
    client = logged_in(zhang)
    urls = [
        f"/sales/receptions/customers/{customer.pk}/decisions/",
        f"/sales/followups/{customer.pk}/",
        f"/api/v1/sales/receptions/customers/{customer.pk}/decisions",
        f"/api/v1/sales/book/customers/{customer.pk}/follow-ups",
    ]
    if registration is not None and registration.receiver_id == li.pk:
        urls += [
            f"/sales/book/{registration.pk}/",
            f"/api/v1/sales/book/{registration.pk}",
        ]
    # when 张浩 asks for them, then each is not found
    statuses = {url: client.get(url).status_code for url in urls}
    assert set(statuses.values()) == {404}, statuses


def _is_route(path: str) -> bool:
    return any(r.path == path for r in ROUTES)


def test_a1_2_a_salesperson_sees_only_their_own_customers_in_the_lists(victim: Company) -> None:
    # given 李娜's customers that 张浩 does not own
    li, zhang, _customer = _other_salespersons_customer(victim)
    from kehu.sales.models.registration import Registration

    his = set(Customer.objects.filter(company=victim, owner=zhang).values_list("name", flat=True))
    his |= set(
        Registration.objects.filter(company=victim, receiver=zhang).values_list(
            "customer__name", flat=True
        )
    )
    his |= set(Staff.objects.filter(company=victim).values_list("name", flat=True))
    # (a namesake of hers on his own line is his: names inside his are left out)
    theirs = {
        name
        for name in Customer.objects.filter(company=victim, owner=li).values_list("name", flat=True)
        if name and not any(name in own for own in his if own)
    }
    client = logged_in(zhang)
    # when 张浩 opens his book, his customers, the phone book and the API's lists
    urls = ["/sales/book/mine/", "/api/v1/sales/book/mine", "/api/v1/sales/book/customers"]
    leaks = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        leaked = sorted(n for n in theirs if n and n in text_of(response))
        if leaked:
            leaks[url] = leaked
    # then none of 李娜's customers is in them
    assert leaks == {}
    # and the whole book is only for the sales manager and the PM (A1.2)
    whole_book = client.get("/sales/book/")
    assert whole_book.status_code == 403 or whole_book["Location"] == "/sales/book/mine/"
    assert client.get("/api/v1/sales/book/").status_code == 403


def test_a1_2_a_salesperson_sees_no_colleagues_deal_or_commission(victim: Company) -> None:
    deal_model = apps.get_model("sales", "Deal")
    li = Staff.objects.get(company=victim, user__username="sales.li")
    zhang = Staff.objects.get(company=victim, user__username="sales.zhang")
    deal = deal_model.objects.filter(company=victim, closer=li).order_by("pk").first()
    if deal is None or not _is_route("sales/deals/<int:deal_id>/"):
        pytest.skip("the demo has no deal of 李娜's yet (deals work, issue #4)")
    client = logged_in(zhang)
    # when 张浩 opens 李娜's deal, in the UI and the API: not found
    assert client.get(f"/sales/deals/{deal.pk}/").status_code == 404
    assert client.get(f"/api/v1/sales/deals/{deal.pk}").status_code == 404
    # and his commission ledger holds none of her lines
    response = client.get("/sales/deals/commission/")
    assert response.status_code == 200
    unit = str(getattr(deal, "unit", "") or "")
    assert not unit or unit not in text_of(response)
