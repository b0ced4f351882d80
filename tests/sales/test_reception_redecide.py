"""``visit_redecide``: a new decision from the database's facts supersedes the latest one; the
earlier rows stay (append-only); make-ups and fines are not granted twice; the stored facts
replay to the stored decision."""

from __future__ import annotations

import pytest
from django.db import transaction

from kehu.core.ledger.selectors import ledger_verify
from kehu.core.org.models import Company, Staff
from kehu.sales import reception_services as services
from kehu.sales import rules
from kehu.sales.models.reception import OwnershipDecision
from kehu.sales.models.rotation import RotationEvent, RotationEventKind
from kehu.sales.registration_services import VisitDetails
from kehu.sales.replay import ReplayInput, replay

from .test_reception_services import Office, clock, make_office, old_registration, open_day  # noqa: F401


@pytest.fixture
def office(
    clock: None,  # noqa: F811
    cast: object,
    east: Company,
    li: Staff,
    zhao: Staff,
    wang: Staff,
    chen: Staff,
) -> Office:
    return make_office(cast, east, li, zhao, wang, chen)


def test_redecide_supersedes_the_latest_decision_and_keeps_the_chain(office: Office) -> None:
    # given 赵强 received and registered a walk-in
    open_day(office, office.zhao)
    visit = services.visit_arrive(actor=office.desk, site=office.site, arrival="walk_in")
    first = services.visit_register(
        actor=office.desk, visit_id=visit.pk, details=VisitDetails(customer_name="链客")
    ).decision
    # when the visit is decided again twice
    second = services.visit_redecide(actor=office.desk, visit_id=visit.pk, cause="test").decision
    third = services.visit_redecide(actor=office.wang, visit_id=visit.pk, cause="again").decision
    # then each new decision supersedes the one before; all three rows remain
    assert first.supersedes_id is None
    assert second.supersedes_id == first.pk
    assert third.supersedes_id == second.pk
    assert OwnershipDecision.objects.filter(visit_id=visit.pk).count() == 3
    # and the earlier rows cannot be changed or removed (append-only)
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017  the trigger refuses
        OwnershipDecision.objects.filter(pk=first.pk).update(clause="X")
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017
        OwnershipDecision.objects.filter(pk=first.pk).delete()
    assert ledger_verify(company=office.site.company).ok


def test_redecide_refuses_an_unregistered_visit_and_an_outsider(office: Office) -> None:
    open_day(office, office.zhao)
    visit = services.visit_arrive(actor=office.desk, site=office.site, arrival="walk_in")
    with pytest.raises(services.ReceptionError) as unregistered:
        services.visit_redecide(actor=office.desk, visit_id=visit.pk, cause="x")
    assert (
        unregistered.value.status == 409 and unregistered.value.code == "reception.not_registered"
    )
    with pytest.raises(services.ReceptionError) as outsider:
        services.visit_redecide(actor=office.chen, visit_id=visit.pk, cause="x")
    assert outsider.value.status == 404


def test_a7_2_a_make_up_is_granted_once_per_visit_however_often_redecided(
    office: Office,
) -> None:
    # given 李明's customer, handed back by 赵强 during the reception (A7.13 → make-up, A7.2(2))
    old = old_registration(office, office.li, 10, customer_name="补客", contact="13900000201")
    open_day(office, office.zhao)
    visit = services.visit_arrive(actor=office.desk, site=office.site, arrival="walk_in")
    services.visit_register(
        actor=office.desk,
        visit_id=visit.pk,
        details=VisitDetails(customer_name="补客", contact="13900000201"),
        customer_id=old.pk,
        found_at=visit.arrived_at,
        handling="handed_back",
    )
    # when the visit is decided again
    again = services.visit_redecide(actor=office.desk, visit_id=visit.pk, cause="again")
    # then the decision still earns the make-up, but it is granted only once
    assert again.engine.turn_of(str(office.zhao.pk)) is not None
    grants = RotationEvent.objects.filter(
        kind=RotationEventKind.MAKEUP_GRANTED, visit_ref=f"visit:{visit.pk}"
    )
    assert grants.count() == 1


def test_stored_facts_replay_to_the_stored_decision(office: Office) -> None:
    # given 李明's old customer registered by 赵强 at a walk-in
    old = old_registration(office, office.li, 20, customer_name="回放", contact="13900000202")
    open_day(office, office.zhao)
    visit = services.visit_arrive(actor=office.desk, site=office.site, arrival="walk_in")
    done = services.visit_register(
        actor=office.desk,
        visit_id=visit.pk,
        details=VisitDetails(customer_name="回放", contact="13900000202"),
        customer_id=old.pk,
    )
    # when the stored facts are replayed through kehu rules sales
    names = {str(s.pk): s.name for s in Staff.objects.filter(company=office.site.company)}
    out = replay(ReplayInput(names=names, cases=[done.decision.facts]))
    # then the replay gives the stored decision (live app and replay agree)
    replayed = out["decisions"][0]
    replayed.pop("id")
    assert replayed == done.decision.detail
    assert rules.decision_as_json(done.engine) == done.decision.detail
