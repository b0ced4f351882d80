"""A7.20: the ruling is final even when two managers press "rule" at the same moment — the visit's
row lock and the unique constraint on the ruled decision let exactly one ruling in; the other is
told who ruled and when. On PostgreSQL (SQLite serialises writers by design), committing."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from kehu.core.org.models import Company, Staff
from kehu.core.org.posts import Post
from kehu.sales import dispute_services as services
from kehu.sales.dispute_errors import DisputeError
from kehu.sales.models.reception import OwnershipDecision, RulingRecord

from .test_book_concurrency import _race
from .test_dispute_services import namesake_visit
from .test_rotation_cast import make_office


@pytest.fixture
def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("threads race on PostgreSQL; SQLite writers are serialised by design")


@pytest.mark.django_db(transaction=True)
def test_a7_20_two_managers_racing_make_exactly_one_final_ruling(
    postgres_only: None, cast: Any, east: Company, li: Staff, zhao: Staff, wang: Staff, chen: Staff
) -> None:
    # given a decision waiting for the sales manager, and two sales managers
    office = make_office(cast, east, li, zhao, wang, chen)
    pending = namesake_visit(office)
    qian = cast.staff(east, "钱经理", Post.SALES_MANAGER)

    def job(manager: Staff, kind: str) -> Any:
        return lambda: services.dispute_rule(
            actor=manager, decision_id=pending.pk, kind=kind, reason=f"{manager.name}的裁决"
        )

    # when both rule at the same moment
    results, errors = _race([job(wang, "same_customer"), job(qian, "different_customer")])
    # then exactly one ruling exists, and the other manager was told it is final
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], DisputeError) and errors[0].code == "dispute.ruling_final"
    assert RulingRecord.objects.filter(decision=pending).count() == 1
    # and exactly one decision superseded the pending one
    assert OwnershipDecision.objects.filter(supersedes=pending).count() == 1
