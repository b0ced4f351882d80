"""A full day at the sales office in headless Chromium (issue #4, "Done when").

The PM opens the day's rotation; the wall board shows who is next; the front desk records
arrivals on the tablet page — a walk-in, a customer asking for a salesperson, an old customer
returning; a reception is registered and its ownership decision shown (A1.5); the old customer
turns out to be a colleague's (撞单) during the reception and the owner consents (A2.8, A7.13);
the deal is recorded and its page shows the 20/80 split (closer 20%, owner 80%); receptions end
and the board shows everyone free again.

Every step writes ``screenshots/sales-day-NN-*.png`` when KEHU_SCREENSHOTS=1 (the images were
looked at). ``drive_the_day`` takes only a page and a base URL, so it also runs against a
development server.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from tests import browser_support
from tests.browser_support import BROWSER_MARKS, chromium_page

from kehu.core.org.demo import DEMO_PASSWORD, demo_load

pytestmark = BROWSER_MARKS


@dataclass(frozen=True)
class OldCustomer:
    """A demo customer registered on an earlier day by ``owner`` (who returns today)."""

    customer_id: int
    name: str
    phone: str
    owner: str  # the owning salesperson's name


def old_customer_of(username: str) -> OldCustomer:
    """One of ``username``'s customers from the demo with a phone and no visit today (the book
    keeps one line per customer per day)."""
    from django.utils import timezone

    from kehu.core.customers.models import Customer
    from kehu.core.org.models import Staff
    from kehu.sales.models.registration import Registration

    owner = Staff.objects.get(user__username=username)
    today = timezone.localdate()
    for customer in Customer.objects.filter(owner=owner).order_by("pk"):
        lines = Registration.objects.filter(customer=customer)
        if any(timezone.localdate(line.visited_at) == today for line in lines):
            continue
        phone = customer.phones.values_list("e164", flat=True).first() or ""
        if phone.startswith("+86") and customer.name:
            return OldCustomer(customer.pk, customer.name, phone.removeprefix("+86"), owner.name)
    raise AssertionError(f"the demo gives {username} an old customer with a phone")


def shoot(page: Any, name: str) -> None:
    browser_support.shoot(page, f"sales-day-{name}")


def log_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{base}/")


def main_text(page: Any) -> str:
    """The page's text without the navigation (the wall board has none: its body)."""
    main = page.locator("main")
    return str((main if main.count() else page.locator("body")).inner_text())


def untranslated(page: Any) -> list[str]:
    """English-looking msgids or template leftovers in a Chinese page: none is expected."""
    text = main_text(page)
    return re.findall(r"\{\{|\{%|%\(\w+\)s", text)


def drive_the_day(page: Any, base: str, site_id: int, old: OldCustomer) -> dict[str, str]:
    """The day, step by step; returns what the steps saw (for the test's last checks)."""
    seen: dict[str, str] = {}

    # 1. the PM opens today's rotation; the wall board shows who is next
    log_in(page, base, "pm.yang")
    page.goto(f"{base}/sales/rotation/{site_id}/manage/")
    opener = page.locator(f"form[action='/sales/rotation/{site_id}/manage/open/'] button")
    if opener.count():
        opener.first.click()
        page.wait_for_load_state()
    page.goto(f"{base}/sales/rotation/{site_id}/board/")
    board = main_text(page)
    assert "下一位" in board, board[:500]
    assert untranslated(page) == []
    shoot(page, "01-board")

    # 2. the front desk: a walk-in — the rotation names the receiver
    log_in(page, base, "front.chen")
    page.goto(f"{base}/sales/rotation/{site_id}/desk/")
    page.click("[data-desk-new]")
    page.wait_for_selector("#arrived")
    arrived = page.locator("#arrived .desk-result-line").inner_text()
    walk_in_receiver = re.sub(r"^请\s*|\s*接待$", "", arrived).strip()
    seen["walk_in_receiver"] = walk_in_receiver
    assert walk_in_receiver, arrived
    assert untranslated(page) == []
    shoot(page, "02-desk-walk-in")

    # 3. the reception is registered: the decision is shown with its clause (A1.5)
    page.click("#arrived a.reception-btn")
    page.wait_for_selector("#register-form")
    page.fill("#register-form input[name=customer_name]", "周" + "晓明宇航嘉欣"[time.time_ns() % 6])
    page.fill("#register-form input[name=contact]", f"137{time.time_ns() % 10**8:08d}")
    page.click("#register-form button[type=submit]")
    page.wait_for_selector("#decision")
    decision = page.locator("#decision").inner_text()
    assert "A1.5" in decision, decision
    assert walk_in_receiver in decision
    assert untranslated(page) == []
    shoot(page, "03-decision")

    # the walk-in's reception ends at the desk: the receiver is free again (A2.5)
    end_receptions(page, base, site_id)

    # 4. a customer asks for the old customer's salesperson, who is free: they receive,
    # and their turn is not consumed (A7.12(2), A7.9)
    page.goto(f"{base}/sales/rotation/{site_id}/desk/")
    page.click("details.desk-more summary")
    page.select_option("#arrive-kind", "asked_for")
    page.select_option("#arrive-named", label=old.owner)
    page.click(".desk-arrive-form button[type=submit]")
    page.wait_for_selector("#arrived")
    assert old.owner in page.locator("#arrived .desk-result-line").inner_text()
    shoot(page, "04-desk-asked-for")

    # 5. the old customer returns, asking for nobody: the rotation gives them to someone else
    page.goto(f"{base}/sales/rotation/{site_id}/desk/")
    page.click("[data-desk-new]")
    page.wait_for_selector("#arrived")
    receiver = re.sub(
        r"^请\s*|\s*接待$", "", page.locator("#arrived .desk-result-line").inner_text()
    )
    receiver = receiver.strip()
    seen["old_customer_receiver"] = receiver
    assert receiver != old.owner
    shoot(page, "05-desk-old-customer")

    # 6. during the reception the customer turns out to be the owner's (撞单, A7.13); the owner
    # is on site and consents that the receiver continues (A2.8)
    page.click("#arrived a.reception-btn")
    page.wait_for_selector("#conflict")
    page.select_option("#conflict-holder", label=old.owner)
    page.check("#conflict input[name=during_reception][value='1']")
    page.locator("#conflict form.desk-form").first.locator("button[type=submit]").click()
    page.wait_for_load_state()
    page.locator("#conflict details.reception-step summary").nth(1).click()
    page.select_option("#consent-holder", label=old.owner)
    page.click("#conflict button[name=given][value='1']")
    page.wait_for_load_state()
    # …so the receiver continues (A7.13 with consent: not a grab)
    page.click("#conflict button[name=handling][value=continued]")
    page.wait_for_load_state()
    conflict = page.locator("#conflict").inner_text()
    assert old.owner in conflict
    shoot(page, "06-conflict-consent")

    # …and the visit is registered as the old customer (chosen among the matches)
    page.fill("#register-form input[name=customer_name]", old.name)
    page.fill("#register-form input[name=contact]", old.phone)
    page.wait_for_selector(f"#match-{old.customer_id}")
    # the match list is refreshed as the desk types and when a field loses focus (htmx):
    # leave the field first, and choose once the list has settled
    page.locator("#register-form input[name=contact]").blur()
    page.wait_for_load_state("networkidle")
    page.wait_for_selector(f"#match-{old.customer_id}")
    page.check(f"#match-{old.customer_id}")
    page.wait_for_load_state("networkidle")
    if not page.is_checked(f"#match-{old.customer_id}"):
        page.check(f"#match-{old.customer_id}")
    page.click("#register-form button[type=submit]")
    page.wait_for_load_state()
    if not page.locator("#decision").count():
        shoot(page, "fail-register")
        raise AssertionError(main_text(page)[:2000])
    decision = page.locator("#decision").inner_text()
    seen["old_customer_decision"] = decision
    assert "A7.13" in decision, decision
    assert untranslated(page) == []
    shoot(page, "07-conflict-decision")
    seen["visit_url"] = page.url

    # 7. the deal: deposit paid and subscription signed (A7.17) — the page shows the split,
    # 20% to the closer and 80% to the owner (A7.13 with consent)
    log_in(page, base, "pm.yang")
    page.goto(f"{base}/sales/deals/new/?customer={old.customer_id}")
    page.wait_for_selector("form[method=post]")
    form = page.locator("form[method=post]").last
    form.locator("input[name=unit]").fill("3-1-1201")
    form.locator("input[name=price]").fill("2880000")
    subscriber = form.locator("input[name=subscriber]")
    if not subscriber.input_value():
        subscriber.fill(old.name)
    for name in ("deposit_paid_at", "subscription_signed_at"):
        field = form.locator(f"input[name={name}]")
        if not field.input_value():
            field.fill(_now_local_input(field.get_attribute("type") or "text"))
    closer = form.locator("select[name=closer]")
    if closer.count():
        closer.select_option(label=receiver)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    deal = main_text(page)
    seen["deal"] = deal
    assert "20" in deal and "80" in deal, deal[:1500]
    assert untranslated(page) == []
    shoot(page, "08-deal-split")

    # 8. the receptions end at the desk; the board shows everyone free and who is next
    log_in(page, base, "front.chen")
    end_receptions(page, base, site_id)
    page.goto(f"{base}/sales/rotation/{site_id}/board/")
    seen["board_after"] = main_text(page)
    assert "下一位" in seen["board_after"]
    shoot(page, "09-board-after")
    return seen


def end_receptions(page: Any, base: str, site_id: int) -> None:
    """Press 接待结束 on every open reception of today's list."""
    page.goto(f"{base}/sales/rotation/{site_id}/desk/")
    buttons = page.locator("#receptions form.inline-form button")
    while buttons.count():
        buttons.first.click()
        page.wait_for_load_state()
        buttons = page.locator("#receptions form.inline-form button")


def _now_local_input(kind: str) -> str:
    import datetime as dt
    from zoneinfo import ZoneInfo

    now = dt.datetime.now(ZoneInfo("Asia/Shanghai")).replace(second=0, microsecond=0)
    if kind == "datetime-local":
        return now.strftime("%Y-%m-%dT%H:%M")
    return now.strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def day_page(live_server: Any) -> Iterator[tuple[Any, int, OldCustomer]]:
    # The demo and the facts the test needs, before Playwright starts (its event loop makes
    # Django refuse ORM calls in this thread).
    demo_load()
    from kehu.core.org.models import Site

    site = Site.objects.filter(company__code="huajing-estate", kind="sales_office").first()
    assert site is not None
    old = old_customer_of("sales.li")
    with chromium_page(live_server.url) as page:
        yield page, site.pk, old


def test_a_full_day_board_arrivals_reception_conflict_consent_deal_split(
    live_server: Any, day_page: tuple[Any, int, OldCustomer]
) -> None:
    page, site_id, old = day_page
    seen = drive_the_day(page, live_server.url, site_id, old)
    # the old customer stayed with the owner, whose consent let the receiver continue
    assert old.owner in seen["old_customer_decision"]
    # and nothing was blocked by the CSP (a wall-board poll may meet SQLite's write lock while
    # the desk writes on the test server: a failed poll is retried, so it is not checked here)
    errors = page.problems  # type: ignore[attr-defined]
    assert [e for e in errors if "Content Security Policy" in e] == []
