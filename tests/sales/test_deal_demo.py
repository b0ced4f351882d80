"""The demo deals: loaded through the services after the demo book, idempotent, verifiable."""

from __future__ import annotations

from decimal import Decimal

from kehu.core.ledger.selectors import ledger_verify
from kehu.core.org.demo import demo_load
from kehu.sales.deal_demo import demo_load_deals
from kehu.sales.models.deal import CommissionEntry, ConductRecord, Deal, SalesRequest


def test_demo_deals_load_once_with_an_a7_9_2_split_and_verify(db: None) -> None:
    # given the demo organisation and book
    org, _loaded = demo_load()
    # when the deals demo loads (twice)
    demo_load_deals(org)
    counts = (Deal.objects.count(), CommissionEntry.objects.count(), SalesRequest.objects.count())
    demo_load_deals(org)
    # then nothing is added the second time
    assert counts == (
        Deal.objects.count(),
        CommissionEntry.objects.count(),
        SalesRequest.objects.count(),
    )
    # and there is a deal alone, a split 20/80 (A7.9(2)) and a deposit not yet a deal (A7.17)
    assert Deal.objects.filter(closed_at__isnull=True).count() == 1
    split = Deal.objects.get(unit="3-0902")
    percents = sorted(e.percent for e in CommissionEntry.objects.filter(deal=split))
    assert percents == [Decimal("20"), Decimal("80")]
    assert ConductRecord.objects.filter(rule_id="A7.11").count() == 1
    assert ledger_verify(company=org.companies["huajing-estate"]).ok
