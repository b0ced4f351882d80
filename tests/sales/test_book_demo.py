"""The demo sales office's book: loaded through the services, idempotent, verifiable."""

from __future__ import annotations

import datetime as dt

import time_machine

from kehu.core.ledger.selectors import ledger_verify
from kehu.core.org.demo import demo_load
from kehu.sales.models.registration import (
    FollowUp,
    PhoneEnquiry,
    Registration,
    RegistrationConfirmation,
)
from kehu.sales.registration_selectors import registration_book_verify


def test_demo_book_loads_once_and_verifies(db: None) -> None:
    org, loaded = demo_load()
    assert "sales" in loaded
    counts = (
        Registration.objects.count(),
        RegistrationConfirmation.objects.count(),
        PhoneEnquiry.objects.count(),
        FollowUp.objects.count(),
    )
    assert counts[0] >= 6 and counts[1] == 2 and counts[2] == 2
    assert Registration.objects.filter(late=True).count() == 1
    # the book's own correction (张浩 corrects 刘洋's line); the alerts demo adds a run of
    # corrections of 李强's line to show the "many edits" alert
    assert Registration.objects.filter(corrects__isnull=False, customer_name="刘洋").count() == 1
    demo_load()
    assert counts == (
        Registration.objects.count(),
        RegistrationConfirmation.objects.count(),
        PhoneEnquiry.objects.count(),
        FollowUp.objects.count(),
    )
    estate = org.companies["huajing-estate"]
    assert ledger_verify(company=estate).ok
    assert registration_book_verify(org.staff["salesmgr.zhao"]).ok


def test_the_demo_loaded_just_after_local_midnight_still_has_one_late_line(db: None) -> None:
    # given the demo is loaded ten minutes after midnight in the office's time zone (16:10 UTC)
    with time_machine.travel(dt.datetime(2026, 11, 28, 16, 10, tzinfo=dt.UTC), tick=False):
        demo_load()
    # then today's visits stay on today's page: only yesterday's visitor is late (A1.1)
    assert Registration.objects.filter(late=True).count() == 1
