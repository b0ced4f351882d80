"""The demo's disputes and pre-registrations (A7.20, A7.10): loaded through the services, once,
and the company's ledger still verifies."""

from __future__ import annotations

from kehu.core.ledger.selectors import ledger_verify
from kehu.core.org.demo import demo_load
from kehu.sales.dispute_demo import demo_load_disputes
from kehu.sales.dispute_selectors import dispute_queue_for
from kehu.sales.models.dispute import DisputeRequest
from kehu.sales.models.reception import PreRegistration, RulingRecord


def test_demo_disputes_load_once_and_verify(db: None) -> None:
    # given the demo organisation and its book
    org, _loaded = demo_load()
    # when the disputes demo loads, twice
    demo_load_disputes(org)
    counts = (
        DisputeRequest.objects.count(),
        RulingRecord.objects.count(),
        PreRegistration.objects.count(),
    )
    demo_load_disputes(org)
    # then the rows are there once: a dispute, a ruling, two pre-registrations
    assert counts == (1, 1, 2)
    assert counts == (
        DisputeRequest.objects.count(),
        RulingRecord.objects.count(),
        PreRegistration.objects.count(),
    )
    # and the sales manager's queue has the pending namesake and the disputed decision
    assert len(dispute_queue_for(org.staff["salesmgr.zhao"])) == 2
    assert ledger_verify(company=org.companies["huajing-estate"]).ok
