"""The one door for posting to an employee's ledger (the service other apps call)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kehu.core.ledger.models import LedgerEntry
from kehu.core.ledger.selectors import ledger_verify
from kehu.core.org.models import Staff
from kehu.discipline.errors import DisciplineError
from kehu.discipline.models import DisciplineEntry
from kehu.discipline.services import discipline_entry_post


def test_a_fine_from_another_app_lands_on_the_ledger_with_its_rule_and_source(
    li: Staff, wang: Staff
) -> None:
    # Given 李 grabbed a customer (A7.13) and 王经理 chose 300 yuan
    entry = discipline_entry_post(
        employee=li,
        on=dt.date(2026, 11, 20),
        kind="fine",
        amount=Decimal("300"),
        reason="抢客户：未经原售楼员同意继续接待",
        rule_ids=["A7.13"],
        recorded_by=wang,
        source_type="sales.deal",
        source_id=42,
    )
    # Then the entry and its chained ledger row exist, citing the rule and the policy version
    assert entry.amount == Decimal("300.00") and entry.rule_ids == ["A7.13"]
    assert entry.policy_ref == "discipline@default"
    row = LedgerEntry.objects.get(stream="discipline", subject_id=str(entry.pk))
    assert row.payload["rule_ids"] == ["A7.13"] and row.payload["amount"] == "300.00"
    assert ledger_verify().ok


def test_the_database_refuses_to_change_an_entry(li: Staff, wang: Staff) -> None:
    from django.db import IntegrityError, transaction

    entry = discipline_entry_post(
        employee=li,
        on=dt.date(2026, 11, 20),
        kind="criticism",
        reason="迟到",
        rule_ids=["A4 五.5.1"],
        recorded_by=wang,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        DisciplineEntry.objects.filter(pk=entry.pk).update(reason="改写")
    with pytest.raises(IntegrityError), transaction.atomic():
        DisciplineEntry.objects.filter(pk=entry.pk).delete()


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        ("fine", {}),
        ("criticism", {"amount": Decimal("10")}),
        ("points", {}),
        ("supervision_failure", {"failure_type": 7}),
        ("offset", {"refs": [1]}),
    ],
)
def test_malformed_entries_are_refused_with_a_clear_message(
    li: Staff, wang: Staff, kind: str, extra: dict[str, object]
) -> None:
    with pytest.raises(DisciplineError) as caught:
        discipline_entry_post(
            employee=li,
            on=dt.date(2026, 11, 20),
            kind=kind,
            reason="x",
            rule_ids=[],
            recorded_by=wang,
            **extra,  # type: ignore[arg-type]
        )
    assert caught.value.status == 422
    assert not DisciplineEntry.objects.exists()


def test_another_companys_manager_cannot_post(li: Staff, chen: Staff) -> None:
    with pytest.raises(DisciplineError) as caught:
        discipline_entry_post(
            employee=li,
            on=dt.date(2026, 11, 20),
            kind="criticism",
            reason="x",
            rule_ids=[],
            recorded_by=chen,
        )
    assert caught.value.status == 403
