"""``unsaved(Model, **values)``: the unsaved instance ``Model(**values)`` gives, built faster.

Registering a visit builds seven to ten unsaved rows (the book line, its keys, the customer and
phone, two ledger entries, the decision) and ``Model.__init__`` with keyword arguments was
≈ 9 % of the registration's time on SQLite (py-spy, docs/performance.md, ninth session): for
every field it pops a keyword in a ``try``, and each foreign key goes through two descriptors
and the database router. For a plain model — every field stored in its own column, foreign keys
by ``ForeignKey``, no ``pre_init``/``post_init`` receivers, no database routers — the result is
just the instance's ``__dict__`` (each field's value or default, a foreign key's id), the
related instances given in its fields cache and ``_state.db`` taken from them; ``unsaved``
writes that directly. Anything else — another kind of model or field, an unknown keyword, a
related instance of the wrong class or from another database — goes to ``Model(**values)``
itself, so errors are Django's own. ``tests/core/test_unsaved.py`` checks the two agree on
every installed model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, models, router
from django.db.models.base import ModelState
from django.db.models.fields import NOT_PROVIDED
from django.db.models.signals import post_init, pre_init

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class _Field:
    name: str
    attname: str
    default: Any  # the field's default when it is not callable
    make_default: Any  # the field itself when its default must be computed per instance
    related_model: type[models.Model] | None  # a ForeignKey's model
    target_attname: str  # the related model's field a ForeignKey stores


@dataclass(frozen=True)
class _Plan:
    fields: tuple[_Field, ...]
    keywords: frozenset[str]  # every name and attname the fast path accepts


_PLANS: dict[type[models.Model], _Plan | None] = {}


def _plan(model: type[models.Model]) -> _Plan | None:
    """How to build ``model`` fast, or None when it must go through ``Model.__init__``."""
    if model in _PLANS:
        return _PLANS[model]
    _PLANS[model] = plan = _make_plan(model)
    return plan


def _make_plan(model: type[models.Model]) -> _Plan | None:
    meta = model._meta
    if meta.abstract or meta.private_fields or router.routers:
        return None
    fields: list[_Field] = []
    for field in meta.fields:
        if field.column is None or getattr(field, "generated", False) or _has_db_default(field):
            return None  # virtual, generated, or a database default (an expression per row)
        related_model: type[models.Model] | None = None
        target_attname = ""
        if field.is_relation:
            if type(field) is not models.ForeignKey or len(field.related_fields) != 1:
                return None
            related_model = field.remote_field.model._meta.concrete_model
            target_attname = field.related_fields[0][1].attname
        elif hasattr(type(getattr(model, field.attname, None)), "__set__"):
            return None  # a data descriptor (a file field, a property) sets it in its own way
        computed = field.has_default() and callable(field.default)
        fields.append(
            _Field(
                name=field.name,
                attname=field.attname,
                default=None if computed else field.get_default(),
                make_default=field if computed else None,
                related_model=related_model,
                target_attname=target_attname,
            )
        )
    keywords = frozenset(f.name for f in fields) | frozenset(f.attname for f in fields)
    return _Plan(fields=tuple(fields), keywords=keywords)


def _has_init_receivers(model: type[models.Model]) -> bool:
    """Whether anything listens to the model's ``pre_init``/``post_init`` (asked on every call:
    a receiver may be connected after the model's plan was made; the signals keep a cache per
    sender; with no receivers at all, as in kehu, two list checks answer)."""
    if not pre_init.receivers and not post_init.receivers:
        return False
    return pre_init.has_listeners(model) or post_init.has_listeners(model)


def _has_db_default(field: Any) -> bool:
    return getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED


def unsaved(model: type[M], /, **values: Any) -> M:
    """``model(**values)``, built without ``Model.__init__`` where that gives the same (see
    the module's note)."""
    plan = _plan(model)
    if plan is None or not plan.keywords.issuperset(values) or _has_init_receivers(model):
        return model(**values)
    instance = model.__new__(model)
    state = instance._state = ModelState()
    attributes = instance.__dict__
    cache: dict[str, Any] = {}
    for field in plan.fields:
        if field.related_model is not None and field.name in values:
            related = values[field.name]
            if field.attname in values:
                return model(**values)  # both the instance and its id: Django decides
            if related is None:
                attributes[field.attname] = None
                cache[field.name] = None
                continue
            if not isinstance(related, field.related_model):
                return model(**values)  # Django's own error
            db = related._state.db or DEFAULT_DB_ALIAS
            if state.db is None:
                state.db = db
            if related._state.db is None:
                related._state.db = state.db
            if related._state.db != state.db:
                return model(**values)  # Django's own error
            attributes[field.attname] = getattr(related, field.target_attname)
            cache[field.name] = related
        elif field.attname in values:
            attributes[field.attname] = values[field.attname]
        elif field.make_default is not None:
            attributes[field.attname] = field.make_default.get_default()
        else:
            attributes[field.attname] = field.default
    if cache:
        state.fields_cache = cache
    return instance
