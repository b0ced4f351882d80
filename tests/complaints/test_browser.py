"""A complaint from intake to close in headless Chromium (issue #5, "Done when").

In the demo's property company (华景物业): 马超 of the engineering department — not customer
service — takes a complaint at his own unit; the page offers him no way to refuse it or send the
customer elsewhere, only to pass it on (A3, one-stop). 周敏 of customer service classifies and
dispatches it to the engineering department; 马超 reports the department's result; 周敏 tells the
customer and it closes. A leak report ticked at intake opens an urgent work order at once (A4);
the order is completed and, at the callback, the customer is not satisfied: the order reopens
(100% callbacks, A4/A9).

Every step writes ``screenshots/complaints-NN-*.png`` when KEHU_SCREENSHOTS=1 (the images were
looked at); ``test_desk_and_dashboard_from_the_demo`` writes ``complaints-desk.png`` and
``complaints-dashboard.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests import browser_support
from tests.browser_support import BROWSER_MARKS, chromium_page

from kehu.core.org.demo import DEMO_PASSWORD, demo_load

pytestmark = BROWSER_MARKS


@pytest.fixture
def demo(live_server: Any) -> None:
    # Before Playwright starts: its event loop makes Django refuse ORM calls in this thread.
    demo_load()


@pytest.fixture
def browser_page(live_server: Any, demo: None) -> Iterator[Any]:
    with chromium_page(live_server.url) as page:
        yield page


def shoot(page: Any, name: str) -> None:
    browser_support.shoot(page, f"complaints-{name}")


def log_in(page: Any, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{page.base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(f"{page.base_url}/")


def action_values(page: Any) -> list[str]:
    return [
        str(v)
        for v in page.locator("#id_action option").evaluate_all(
            "options => options.map(o => o.value)"
        )
    ]


def act(page: Any, action: str, note: str = "", department: str = "") -> None:
    """Take one step on the complaint's detail page, as a person would."""
    page.select_option("#id_action", action)
    if department:
        page.select_option("#id_department", label=department)
    if note:
        page.fill("#id_note", note)
    page.click("form[action$='/action/'] button[type=submit]")
    page.wait_for_load_state()


def take_complaint(page: Any, *, subject: str, leak: bool = False) -> str:
    """Fill the intake form on /complaints/new/ and return the new complaint's page URL."""
    page.goto(f"{page.base_url}/complaints/new/")
    page.select_option("#id_channel", "department")
    page.fill("#id_customer_name", "林女士")
    page.fill("#id_contact", "138****6621")
    page.fill("#id_category", "燃气" if leak else "漏水")
    page.fill("#id_subject", subject)
    page.fill(
        "#id_description",
        "客户在厨房闻到燃气味。" if leak else "6 栋 801 阳台顶棚渗水，墙面起皮。",
    )
    page.fill("#id_place", "6栋")
    if leak:
        page.check("#id_leak")
        page.fill("#id_address", "云栖府 6 栋 801")
    shoot(page, "02-leak-form" if leak else "01-intake-form")
    page.click("form button[type=submit].btn-primary")
    page.wait_for_url("**/complaints/*/")
    return str(page.url)


def test_a3_a4_a_complaint_from_intake_to_close_and_a_leak_to_its_callback(
    browser_page: Any,
) -> None:
    page = browser_page
    # Given 马超 of the engineering department (any unit, not customer service)
    log_in(page, "proprepair.ma")
    # When he takes a complaint on the intake page
    detail = take_complaint(page, subject="阳台顶棚渗水")
    # Then it is recorded with its first deadline, and he may only pass it on (A3, one-stop)
    main = page.locator("main").inner_text()
    assert "投诉已受理" in main and "阳台顶棚渗水" in main and "已受理" in main
    assert action_values(page) == ["forward"]
    assert "拒绝" not in main and "退回" not in main and "转交其他单位" not in main
    shoot(page, "03-received")
    act(page, "forward", note="已记录，转客服中心")
    assert "已办理：转客服中心" in page.locator("main").inner_text()

    # When 周敏 of customer service classifies it and dispatches it to engineering
    log_in(page, "cs.zhou")
    page.goto(detail)
    assert "dispatch" in action_values(page)
    shoot(page, "04-at-service")
    act(page, "dispatch", note="转工程维修部查看防水层", department="工程维修部")
    main = page.locator("main").inner_text()
    assert "已办理：分类存档并派单" in main and "工程维修部" in main

    # And 马超's department reports its result (his inbox lists it)
    log_in(page, "proprepair.ma")
    page.goto(f"{page.base_url}/complaints/inbox/")
    assert "阳台顶棚渗水" in page.locator("main").inner_text()
    shoot(page, "05-inbox")
    page.goto(detail)
    assert "report_result" in action_values(page)
    act(page, "report_result", note="已重做阳台顶棚防水，渗水停止")
    assert "已办理：回复处理结果" in page.locator("main").inner_text()
    shoot(page, "06-result")

    # Then customer service tells the customer and the complaint closes
    log_in(page, "cs.zhou")
    page.goto(detail)
    act(page, "tell_customer", note="已电话告知林女士处理结果")
    main = page.locator("main").inner_text()
    assert "已办结" in main
    history = page.locator("#history").inner_text()
    for step in ("受理", "转客服中心", "分类存档并派单", "回复处理结果", "已告知客户，办结"):
        assert step in history
    shoot(page, "07-closed")

    # When a leak is reported at intake, an urgent work order opens at once (A4)
    log_in(page, "proprepair.ma")
    take_complaint(page, subject="厨房闻到燃气味", leak=True)
    orders = page.locator("main").inner_text()
    assert "紧急" in orders
    shoot(page, "08-leak-received")
    page.goto(f"{page.base_url}/complaints/work-orders/")
    row = page.locator("#work-orders tbody tr", has_text="云栖府 6 栋 801")
    assert "紧急" in row.inner_text()
    # And the repairman completes it
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    row = page.locator("#work-orders tbody tr", has_text="云栖府 6 栋 801")
    assert "待客服回访" in row.inner_text()
    shoot(page, "09-work-order-completed")

    # When customer service calls back and the customer is not satisfied (100% callbacks)
    log_in(page, "cs.zhou")
    page.goto(f"{page.base_url}/complaints/work-orders/")
    row = page.locator("#work-orders tbody tr", has_text="云栖府 6 栋 801")
    row.locator("select[name=satisfied]").select_option("0")
    row.locator("input[name=note]").fill("客户说仍有气味")
    shoot(page, "10-callback")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    # Then the order is open again, counted as reopened
    assert "客户不满意：工单已重新打开" in page.locator("main").inner_text()
    row = page.locator("#work-orders tbody tr", has_text="云栖府 6 栋 801")
    assert "重开 1 次" in row.inner_text()
    shoot(page, "11-reopened")
    assert page.problems == []  # type: ignore[attr-defined]


def test_desk_and_dashboard_from_the_demo(browser_page: Any) -> None:
    page = browser_page
    # Given the demo's complaints, customer service sees its desk by stage
    log_in(page, "cs.zhou")
    page.goto(f"{page.base_url}/complaints/")
    assert page.locator("#stage-at_service").count() == 1
    assert "草坪长期无人修剪" in page.locator("main").inner_text()
    shoot(page, "desk")
    # And the manager sees breaches and trends, the chart drawn by ECharts
    log_in(page, "propmgr.he")
    page.goto(f"{page.base_url}/complaints/dashboard/")
    page.wait_for_selector("canvas, svg", state="attached")
    shoot(page, "dashboard")
    # And a clerk of another company (华景燃气) finds the intake page with no refuse move
    log_in(page, "clerk.tang")
    page.goto(f"{page.base_url}/complaints/new/")
    assert "拒绝" not in page.locator("main").inner_text()
    shoot(page, "new-clerk")
    assert page.problems == []  # type: ignore[attr-defined]
