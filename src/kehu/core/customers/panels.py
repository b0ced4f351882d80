"""Sections other apps add to the customer page.

The customer file belongs to the kernel, but what a customer means to the sales office (the
channel agent's protection countdown, the ownership decisions) or to customer service (their
complaints) belongs to those apps. An app registers a panel source in its ``AppConfig.ready``;
the customer page asks every source, in ``order``, and shows what each returns. A source sees
only a customer the reader may already see, and returns None to show nothing (another kind of
company, a post without the permission).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kehu.core.customers.models import Customer
from kehu.core.org.models import Staff


@dataclass(frozen=True)
class CustomerPanel:
    """One section: a template and its context."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


PanelSource = Callable[[Staff, Customer], CustomerPanel | None]

_SOURCES: list[tuple[int, str, PanelSource]] = []


def customer_panel(order: int) -> Callable[[PanelSource], PanelSource]:
    """Register a panel source (decorator); lower ``order`` shows first. Registering the same
    function again (a module imported twice) replaces it."""

    def register(source: PanelSource) -> PanelSource:
        name = f"{source.__module__}.{source.__qualname__}"
        _SOURCES[:] = [s for s in _SOURCES if s[1] != name]
        _SOURCES.append((order, name, source))
        _SOURCES.sort(key=lambda s: (s[0], s[1]))
        return source

    return register


def customer_panels(staff: Staff, customer: Customer) -> list[CustomerPanel]:
    """The panels to show ``staff`` on ``customer``'s page, in order."""
    panels = []
    for _order, _name, source in _SOURCES:
        panel = source(staff, customer)
        if panel is not None:
            panels.append(panel)
    return panels
