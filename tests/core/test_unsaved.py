"""``kehu.core.unsaved``: the fast unsaved instance is the one ``Model(**values)`` gives."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.db.models.signals import post_init
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.core.customers.models import Customer, CustomerPhone
from kehu.core.ledger.models import LedgerEntry
from kehu.core.org.models import Company, Site, SiteKind
from kehu.core.unsaved import _plan, unsaved
from kehu.sales.models import OwnershipDecision, Registration, RegistrationKey, RotationEvent

_MODELS = sorted(apps.get_models(), key=lambda model: model._meta.label)

# What a keyword can carry: a value of any kind (``Model.__init__`` checks none), a related
# instance (of the right model, of another model, saved in a database or not), nothing.
_PLAIN = st.one_of(st.none(), st.text(max_size=4), st.integers(-5, 5), st.booleans())
_RELATED = st.sampled_from(["instance", "instance_in_db", "none", "id", "wrong_model", "both"])


def _related(field: Any, how: str, pk: int) -> dict[str, Any]:
    model = field.remote_field.model
    if how in ("instance", "instance_in_db", "both"):
        target = model(pk=pk)
        if how == "instance_in_db":
            target._state.db = "default"
        keywords: dict[str, Any] = {field.name: target}
        if how == "both":
            keywords[field.attname] = pk + 1
        return keywords
    if how == "none":
        return {field.name: None}
    if how == "id":
        return {field.attname: pk}
    other = Company if model is not Company else Site
    return {field.name: other(pk=pk)}


@st.composite
def _cases(draw: st.DrawFn) -> tuple[type[models.Model], Callable[[], dict[str, Any]]]:
    """A model and a maker of its keywords (made afresh for each side: building an instance
    sets its related instances' database)."""
    model = draw(st.sampled_from(_MODELS))
    fields = [f for f in model._meta.fields if f.column is not None and not f.primary_key]
    chosen = draw(st.lists(st.sampled_from(fields), unique=True, max_size=6)) if fields else []
    parts: list[tuple[Any, Any, int]] = []
    for field in chosen:
        if field.many_to_one or field.one_to_one:
            parts.append((field, draw(_RELATED), draw(st.integers(1, 9))))
        else:
            parts.append((field, draw(_PLAIN), 0))
    unknown = draw(st.booleans()) and draw(st.integers(0, 9)) == 0

    def keywords() -> dict[str, Any]:
        made: dict[str, Any] = {}
        for field, what, pk in parts:
            if field.many_to_one or field.one_to_one:
                made.update(_related(field, what, pk))
            else:
                made[field.attname] = what
        if unknown:
            made["no_such_field"] = 1
        return made

    return model, keywords


def _state_of(build: Callable[[], models.Model]) -> tuple[str, Any]:
    """What a built instance holds — each field's attribute (only the type of a default made
    per instance, such as ``now``), ``_state`` and the related instances it caches — or the
    error building it raised."""
    try:
        instance = build()
    except Exception as error:  # the same failure either way is the claim
        return "error", type(error)
    model = type(instance)
    made_per_instance = {
        f.attname for f in model._meta.fields if f.has_default() and callable(f.default)
    }
    attributes = {
        name: (type(value) if name in made_per_instance else (type(value), value))
        for name, value in vars(instance).items()
        if name != "_state"
    }
    cache = instance._state.__dict__.get("fields_cache", {})
    cached = {name: (type(value), getattr(value, "pk", None)) for name, value in cache.items()}
    return "instance", (
        list(attributes),
        attributes,
        instance._state.db,
        instance._state.adding,
        cached,
    )


@settings(max_examples=400, deadline=None)
@given(case=_cases())
def test_unsaved_builds_what_the_models_own_constructor_builds(case: Any) -> None:
    model, keywords = case
    assert _state_of(lambda: unsaved(model, **keywords())) == _state_of(lambda: model(**keywords()))


@pytest.mark.parametrize(
    "model",
    [Customer, CustomerPhone, LedgerEntry, OwnershipDecision, Registration, RegistrationKey],
)
def test_the_registrations_rows_take_the_fast_path(model: type[models.Model]) -> None:
    # the point of the module: a registration's rows do not fall back to Model.__init__
    assert _plan(model) is not None
    assert _plan(RotationEvent) is not None


def test_a_related_instance_is_cached_and_gives_its_id_and_database() -> None:
    company = Company(pk=7)
    company._state.db = "default"
    site = unsaved(Site, company=company, name="湖畔售楼处", kind=SiteKind.SALES_OFFICE)
    assert site.company_id == 7 and site.company is company
    assert site._state.db == "default" and site._state.adding
    assert site.address == ""  # the field's default


def test_an_unknown_keyword_is_djangos_own_error() -> None:
    with pytest.raises(TypeError, match="unexpected keyword"):
        unsaved(Site, nonsense=1)


def test_a_model_with_an_init_receiver_goes_through_its_constructor() -> None:
    # given a post_init receiver connected after the model's fast path was planned
    unsaved(Site, name="一号", kind=SiteKind.SALES_OFFICE)
    seen: list[Any] = []

    def note(sender: Any, instance: Any, **kwargs: Any) -> None:
        seen.append(instance)

    post_init.connect(note, sender=Site)
    try:
        site = unsaved(Site, name="二号", kind=SiteKind.SALES_OFFICE)
    finally:
        post_init.disconnect(note, sender=Site)
    # then the receiver saw the instance, as Model(**values) would have let it
    assert seen == [site]
