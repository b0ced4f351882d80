"""``kehu.core.rawsql``: the hot paths' plain statements write and read what the ORM would."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext_lazy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehu.core import rawsql
from kehu.core.org.models import Company, Site, SiteKind, Staff
from kehu.core.org.posts import Post

pytestmark = pytest.mark.django_db


def test_insert_reads_back_the_id_and_writes_every_field(east: Company) -> None:
    site = rawsql.insert(Site(company=east, name="湖畔售楼处", kind=SiteKind.SALES_OFFICE))
    assert site.pk is not None and not site._state.adding
    stored = Site.objects.get(pk=site.pk)
    assert (stored.company_id, stored.name, stored.kind, stored.address) == (
        east.pk,
        "湖畔售楼处",
        SiteKind.SALES_OFFICE,
        "",  # the field's default, applied when the instance was built
    )


def test_insert_is_one_statement_and_a_broken_constraint_still_raises(east: Company) -> None:
    with CaptureQueriesContext(connection) as captured:
        rawsql.insert(Site(company=east, name="一号", kind=SiteKind.SALES_OFFICE))
    assert len(captured.captured_queries) == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        rawsql.insert(Site(company=east, name="一号", kind=SiteKind.OFFICE))


def test_insert_then_runs_the_second_write_in_the_same_statement_on_postgresql(
    east: Company,
) -> None:
    # given a site to rename while a new one is inserted (two independent writes)
    old = Site.objects.create(company=east, name="旧名", kind=SiteKind.OFFICE)
    rename = (
        f"UPDATE {rawsql.table(Site)} SET name = %s, address = %s WHERE id = %s",
        ["新名", "湖滨路 1 号", old.pk],
    )
    # when the insert carries the update along
    with CaptureQueriesContext(connection) as captured:
        new = rawsql.insert(Site(company=east, name="二号", kind=SiteKind.OFFICE), then=rename)
    # then both writes happened and the new row's id was read back: one statement on
    # PostgreSQL (a data-modifying WITH), two elsewhere
    assert Site.objects.get(pk=new.pk).name == "二号"
    renamed = Site.objects.get(pk=old.pk)
    assert (renamed.name, renamed.address) == ("新名", "湖滨路 1 号")
    assert len(captured.captured_queries) == (1 if connection.vendor == "postgresql" else 2)


def test_insert_many_reads_back_each_rows_id_in_order_when_asked(east: Company) -> None:
    sites = [Site(company=east, name=f"{n}号楼", kind=SiteKind.OFFICE) for n in range(1, 8)]
    with CaptureQueriesContext(connection) as captured:
        rawsql.insert_many(Site, sites, batch=3, read_ids=True)
    assert len(captured.captured_queries) == 3  # 3 + 3 + 1
    assert all(s.pk is not None and not s._state.adding for s in sites)
    stored = dict(Site.objects.filter(company=east).values_list("pk", "name"))
    assert [stored[s.pk] for s in sites] == [f"{n}号楼" for n in range(1, 8)]


# Text COPY has its own escapes (tab, newline, backslash, \\N for NULL): every one must arrive as
# the plain INSERT writes it.
_AWKWARD_TEXTS = ["甲\t乙", "第一行\n第二行", "C:\\盘\\", "\\N", "'引号' \"双引号\"", "", "\r回车"]


def test_insert_many_past_the_statement_cache_writes_what_single_inserts_write(
    east: Company,
) -> None:
    # given more rows than one cached statement takes (4 fields x 14 rows > 50 values)
    many = [
        Site(company=east, name=f"{n}号楼", kind=SiteKind.OFFICE, address=text)
        for n, text in enumerate(_AWKWARD_TEXTS * 2)
    ]
    one_by_one = [
        rawsql.insert(Site(company=east, name=f"单{n}", kind=SiteKind.OFFICE, address=text))
        for n, text in enumerate(_AWKWARD_TEXTS * 2)
    ]
    # when they are inserted at once
    with CaptureQueriesContext(connection) as captured:
        rawsql.insert_many(Site, many)
    # then one statement wrote them: COPY on PostgreSQL, a multi-row INSERT elsewhere
    assert len(captured.captured_queries) == 1
    verb = "COPY" if connection.vendor == "postgresql" else "INSERT"
    assert captured.captured_queries[0]["sql"].startswith(verb)
    # and each reads back as the single insert of the same value does
    stored = dict(Site.objects.filter(company=east).values_list("name", "address"))
    assert [stored[s.name] for s in many] == [stored[s.name] for s in one_by_one]
    assert [stored[s.name] for s in many] == _AWKWARD_TEXTS * 2


def test_insert_many_past_the_statement_cache_still_raises_djangos_integrity_error(
    east: Company,
) -> None:
    taken = rawsql.insert(Site(company=east, name="已有", kind=SiteKind.OFFICE))
    rows = [Site(company=east, name=f"{n}号", kind=SiteKind.OFFICE) for n in range(20)]
    rows.append(Site(company=east, name=taken.name, kind=SiteKind.OFFICE))
    with pytest.raises(IntegrityError), transaction.atomic():
        rawsql.insert_many(Site, rows)
    # and nothing of the failed statement stayed
    assert not Site.objects.filter(company=east, name__in=[r.name for r in rows[:-1]]).exists()


def test_update_writes_only_the_named_fields(east: Company) -> None:
    site = Site.objects.create(company=east, name="旧名", kind=SiteKind.OFFICE, address="旧址")
    site.name, site.address = "新名", "新址"
    assert rawsql.update(site, ["name"]) == 1
    stored = Site.objects.get(pk=site.pk)
    assert (stored.name, stored.address) == ("新名", "旧址")


def test_select_and_rows_read_the_same_rows_as_the_orm(east: Company) -> None:
    made = [
        Site.objects.create(company=east, name=f"站点{i}", kind=SiteKind.OFFICE) for i in range(3)
    ]
    found = rawsql.select(Site, "company_id = %s", [east.pk], order_by="id", lock=True)
    assert [s.pk for s in found] == [s.pk for s in made]
    assert isinstance(found[0], Site) and found[0].name == "站点0"
    rows = rawsql.rows(
        Site,
        f"SELECT id, name FROM {rawsql.table(Site)} WHERE company_id = %s ORDER BY id",
        [east.pk],
    )
    assert rows == [(s.pk, s.name) for s in made]
    sql, params = rawsql.in_list([])
    assert (sql, params) == ("(NULL)", [])


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-27 02:00:00.250000",  # SQLite: the text the ORM wrote, naive UTC
        dt.datetime(2026, 11, 27, 10, 0, 0, 250000, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    ],
)
def test_datetime_value_is_aware_and_the_same_moment(value: str | dt.datetime) -> None:
    moment = rawsql.datetime_value(value)
    assert moment == dt.datetime(2026, 11, 27, 2, 0, 0, 250000, tzinfo=dt.UTC)
    assert moment.tzinfo is not None


def test_select_with_reads_the_relations_in_the_same_statement(
    cast: Any, east: Company, wang: Staff
) -> None:
    li = cast.staff(east, "李四", Post.SALESPERSON, supervisor=wang, team=None)

    with CaptureQueriesContext(connection) as queries:
        (found,) = rawsql.select_with(
            Staff, ("company", "site", "team", "supervisor"), "m.id = %s", [li.pk], lock=True
        )  # PostgreSQL refuses FOR UPDATE of an outer join's nullable side: only m is locked
        seen = (found.company.name, found.site.name if found.site else None, found.team)
        supervisor = found.supervisor

    assert len(queries) == 1
    assert seen == ("华东置业", li.site.name if li.site else None, None)
    assert supervisor is not None and supervisor.pk == wang.pk and supervisor.name == "王经理"
    assert (found.pk, found.name, found.post, found.active) == (li.pk, "李四", "salesperson", True)
    assert rawsql.select_with(Staff, ("company",), "m.id = %s", [-1]) == []
    with pytest.raises(ValueError, match="not a foreign key"):
        rawsql.select_with(Staff, ("name",), "m.id = %s", [li.pk])


@pytest.mark.parametrize("extra", [0, 1_000])
def test_one_of_reads_the_rows_an_in_list_reads(
    cast: Any, east: Company, wang: Staff, extra: int
) -> None:
    li = cast.staff(east, "李四", Post.SALESPERSON, supervisor=wang, team=None)
    # ids that exist, and (with ``extra``) a thousand that do not: a statement far past 4 KB
    wanted = [li.pk, wang.pk, *range(10**9, 10**9 + extra)]
    where, params = rawsql.one_of(Staff, "id", wanted)
    found = rawsql.scalars(Staff, f"SELECT id FROM {rawsql.table(Staff)} WHERE {where}", params)
    assert sorted(found) == sorted([li.pk, wang.pk])
    if connection.vendor == "postgresql":
        assert (where, params) == ("id = ANY(%s)", [wanted])  # one parameter, however many
    else:
        assert where.startswith("id IN (") and params == wanted
    nothing, none = rawsql.one_of(Staff, "id", [])
    assert (
        rawsql.scalars(Staff, f"SELECT id FROM {rawsql.table(Staff)} WHERE {nothing}", none) == []
    )


def test_select_with_builds_its_statement_once_per_model_and_relations(
    cast: Any, east: Company, wang: Staff
) -> None:
    li = cast.staff(east, "李四", Post.SALESPERSON, supervisor=wang, team=None)
    with_supervisor = ("company", "supervisor")

    with CaptureQueriesContext(connection) as queries:
        first = rawsql.select_with(Staff, with_supervisor, "m.id = %s", [li.pk])
        again = rawsql.select_with(Staff, with_supervisor, "m.id = %s", [wang.pk])
        company_only = rawsql.select_with(Staff, ("company",), "m.id = %s", [li.pk])

    # the same relations: the same text up to WHERE; other relations: their own statement
    assert queries[0]["sql"].split(" WHERE ")[0] == queries[1]["sql"].split(" WHERE ")[0]
    assert "supervisor" not in queries[2]["sql"].split(" WHERE ")[0].split(" FROM ")[1]
    assert first[0].supervisor is not None and first[0].supervisor.pk == wang.pk
    assert again[0].pk == wang.pk and again[0].company.name == "华东置业"
    assert company_only[0].company.name == "华东置业"
    assert not Staff.supervisor.is_cached(company_only[0])


def test_insert_new_skips_rows_a_unique_constraint_holds_and_returns_the_rest(
    east: Company,
) -> None:
    Site.objects.create(company=east, name="甲", kind=SiteKind.OFFICE)
    rows = [Site(company=east, name=name, kind=SiteKind.OFFICE) for name in ("甲", "乙", "丙")]

    with CaptureQueriesContext(connection) as queries:
        won = rawsql.insert_new(Site, rows, returning=("name",))

    assert len(queries) == 1  # no savepoint: a held row is skipped, not an error
    assert sorted(won) == [("丙",), ("乙",)]
    assert sorted(Site.objects.filter(company=east).values_list("name", flat=True)) == [
        "丙",
        "乙",
        "甲",
    ]
    assert rawsql.insert_new(Site, [], returning=("name",)) == []


def test_one_cursor_serves_every_statement_while_its_connection_lives(east: Company) -> None:
    connection.ensure_connection()
    kept = rawsql.cursor(connection)
    assert rawsql.cursor(connection) is kept
    with pytest.raises(IntegrityError), transaction.atomic():  # a failed statement…
        rawsql.insert(Site(company=east, name="二号", kind=SiteKind.SALES_OFFICE))
        rawsql.insert(Site(company=east, name="二号", kind=SiteKind.OFFICE))
    # …leaves the kept cursor usable
    assert rawsql.cursor(connection) is kept
    assert rawsql.scalars(Company, "SELECT COUNT(*) FROM org_company WHERE id = %s", [east.pk]) == [
        1
    ]
    with CaptureQueriesContext(connection) as captured:  # logged: a cursor of Django's each time
        assert rawsql.cursor(connection) is not kept
        rawsql.rows(Company, "SELECT 1", [])
        rawsql.rows(Company, "SELECT 2", [])
    assert [q["sql"] for q in captured.captured_queries] == ["SELECT 1", "SELECT 2"]


@pytest.mark.django_db(transaction=True)
def test_a_new_database_connection_gets_a_new_cursor() -> None:
    connection.ensure_connection()
    before = connection.connection
    kept = rawsql.cursor(connection)
    connection.close()  # SQLite's in-memory test database stays open (Django keeps it)
    connection.ensure_connection()
    renewed = rawsql.cursor(connection)
    assert (renewed is kept) == (connection.connection is before)
    assert rawsql.scalars(Company, "SELECT 1", []) == [1]


@pytest.mark.django_db(transaction=True)
def test_what_is_kept_for_a_threads_connection_goes_with_it() -> None:
    """Readers and cursors live on the connection object, not in a module-level table that
    would keep every thread's connection alive (a server thread per request)."""
    import gc
    import threading
    import weakref

    from django.db import connections

    gone: list[weakref.ref[Any]] = []

    def work() -> None:
        rawsql.select(Company, "id > %s", [0])
        rawsql.rows(Company, "SELECT 1", [])
        gone.append(weakref.ref(connections["default"]))
        connections["default"].close()

    for _ in range(3):
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
    gc.collect()
    assert len(gone) == 3 and all(ref() is None for ref in gone)


# --- the short path of an insert's values -----------------------------------------------------

_PREPARED_KINDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.DateTimeField,
)
_WRITTEN_FIELDS = [
    field
    for model in apps.get_models()
    for field in model._meta.concrete_fields
    if not field.primary_key and not getattr(field, "auto_now", False)
    if not getattr(field, "auto_now_add", False)
    if isinstance(field, _PREPARED_KINDS)
]


class _Choice(models.TextChoices):
    OFFICE = "office", "办公室"


_values = st.one_of(
    st.none(),
    st.text(max_size=8),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.booleans(),
    st.just(_Choice.OFFICE),  # a str subclass: Django's path gives the plain value
    st.just(gettext_lazy("客户")),  # a lazy translation: Django's path resolves it
    st.datetimes(timezones=st.sampled_from([dt.UTC, ZoneInfo("Asia/Shanghai")])),
    st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1)).map(
        lambda moment: moment.replace(tzinfo=dt.UTC)
    ),
)


def _prepared(prepare: Any, instance: Any) -> tuple[str, Any]:
    try:
        prepared = prepare(instance)
        return "value", (type(prepared), prepared)
    except Exception as error:  # the same failure either way is the claim
        return "error", type(error)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(_WRITTEN_FIELDS), value=_values)
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # Django's naive-datetime warning
def test_an_inserts_values_are_what_djangos_own_preparation_gives(field: Any, value: Any) -> None:
    # given an unsaved row whose field holds the value (any value: the short path must fall
    # back to Django's whenever it is not one the short path knows)
    instance = field.model()
    setattr(instance, field.attname, value)
    short = rawsql.preparer(field, connection)
    # then it prepares what Django's pre_save + get_db_prep_save prepare, or fails alike
    django = _prepared(
        lambda row: field.get_db_prep_save(field.pre_save(row, True), connection), instance
    )
    assert _prepared(lambda row: short(row, connection), instance) == django


@settings(max_examples=300)
@given(value=st.one_of(_values, st.dates(), st.datetimes()))
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # Django's naive-datetime warning
def test_a_statements_parameters_are_what_the_backends_adapters_give(value: Any) -> None:
    # a raw statement's parameter is written as the ORM writes the same value: a datetime by
    # the backend's datetime adapter, a date by its date adapter, anything else as it is
    def adapted(item: Any) -> Any:
        if isinstance(item, dt.datetime):
            return connection.ops.adapt_datetimefield_value(item)
        if isinstance(item, dt.date):
            return connection.ops.adapt_datefield_value(item)
        return item

    assert _prepared(lambda v: rawsql._parameters(connection, [v]), value) == _prepared(
        lambda v: [adapted(v)], value
    )


# --- a JSON field's dict or list, written by orjson -------------------------------------------

_JSON_FIELDS = [
    field
    for model in apps.get_models()
    for field in model._meta.concrete_fields
    if type(field) is models.JSONField and field.encoder is None
]
_json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers() | st.integers(2**63 - 2, 2**64 + 2),  # orjson stops at 64 bits
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.just(_Choice.OFFICE),  # a str enum: written as its value either way
    st.just(gettext_lazy("客户")),  # not JSON to either writer
    st.dates(),  # not JSON to either writer
)
_json_containers = st.recursive(
    st.lists(_json_leaves, max_size=3),
    lambda children: st.one_of(
        st.lists(children | _json_leaves, max_size=3),
        st.dictionaries(st.text(max_size=4), children | _json_leaves, max_size=3),
        st.dictionaries(st.integers(0, 9), _json_leaves, max_size=2),  # a non-text key
    ),
    max_leaves=10,
)


def _json_read_back(prepared: Any) -> Any:
    """What the database reads back from a prepared JSON parameter (SQLite: the text;
    PostgreSQL: psycopg's ``Jsonb``, written by its ``dumps``)."""
    if isinstance(prepared, str):
        return json.loads(prepared)
    return json.loads(prepared.dumps(prepared.obj) if prepared.dumps else json.dumps(prepared.obj))


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(_JSON_FIELDS), value=_json_containers)
def test_a_json_fields_value_reads_back_as_djangos_own_preparation_would(
    field: Any, value: Any
) -> None:
    # given an unsaved row whose JSON field holds a dict or a list, plain or not
    instance = field.model()
    setattr(instance, field.attname, value)
    short = rawsql.preparer(field, connection)

    def read_back(prepare: Any) -> tuple[str, Any]:
        try:
            return "value", _json_read_back(prepare(instance))
        except Exception as error:  # the same failure either way is the claim
            return "error", type(error)

    # then what is stored reads back the same as what Django's path stores, or fails alike
    django = read_back(lambda row: field.get_db_prep_save(field.pre_save(row, True), connection))
    assert read_back(lambda row: short(row, connection)) == django
