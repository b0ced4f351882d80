"""The customer page's extension point: apps' sections in order, None shows nothing, and a
source registered twice (a module imported again) appears once."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.core.customers import panels
from kehu.core.customers.panels import CustomerPanel, customer_panel, customer_panels


@pytest.fixture
def clean_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(panels, "_SOURCES", [])


def test_panels_come_in_order_and_a_source_returning_none_shows_nothing(
    clean_sources: None,
) -> None:
    @customer_panel(order=20)
    def second(staff: Any, customer: Any) -> CustomerPanel:
        return CustomerPanel("second.html")

    @customer_panel(order=10)
    def first(staff: Any, customer: Any) -> CustomerPanel:
        return CustomerPanel("first.html", {"n": 1})

    @customer_panel(order=15)
    def nothing(staff: Any, customer: Any) -> None:
        return None

    shown = customer_panels(object(), object())  # type: ignore[arg-type]
    assert [p.template for p in shown] == ["first.html", "second.html"]
    assert shown[0].context == {"n": 1}


def test_registering_the_same_source_again_replaces_it(clean_sources: None) -> None:
    def source(staff: Any, customer: Any) -> CustomerPanel:
        return CustomerPanel("only.html")

    customer_panel(order=10)(source)
    customer_panel(order=30)(source)
    assert [p.template for p in customer_panels(object(), object())] == ["only.html"]  # type: ignore[arg-type]
