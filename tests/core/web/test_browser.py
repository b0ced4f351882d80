"""Headless Chromium against a live server: the pages work under the real CSP.

Set KEHU_SCREENSHOTS=1 to also write the README's screenshots to screenshots/*.png.
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
    # No default timeout here: Playwright's own (30 s) as before.
    with chromium_page(live_server.url, timeout_ms=None) as page:
        yield page


def shoot(page: Any, name: str) -> None:
    browser_support.shoot(page, f"{name}")


def log_in(page: Any, username: str) -> None:
    page.goto(f"{page.base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(f"{page.base_url}/")


def test_log_in_and_see_the_home_page(browser_page: Any) -> None:
    page = browser_page
    # Given the login page, in Chinese
    page.goto(f"{page.base_url}/login/")
    assert page.locator("h1").inner_text() == "登录 kehu 客户管理"
    # The stylesheet applied (so it was served locally and allowed by the CSP)
    topbar_color = page.eval_on_selector(".topbar", "e => getComputedStyle(e).backgroundColor")
    assert topbar_color == "rgb(11, 93, 122)"
    assert page.evaluate("typeof window.htmx") == "object"
    shoot(page, "login")
    # When 李娜 the salesperson logs in
    log_in(page, "sales.li")
    # Then her home page shows her post and her work queues
    assert "李娜，您好" in page.locator("h1").inner_text()
    assert page.locator(".topbar-company").inner_text() == "华景置业有限公司"
    labels = page.locator(".queue .card-title").all_inner_texts()
    assert [label.split("\n")[0].strip() for label in labels] == [
        "今日接待",
        "待登记客户",
        "待跟进客户",
    ]
    shoot(page, "home-salesperson")
    # And nothing was blocked by the CSP or failed in the console
    assert page.problems == []


def test_hotline_home_and_english_switch(browser_page: Any) -> None:
    page = browser_page
    log_in(page, "hotline.zheng")
    assert page.locator(".queue").count() == 2
    assert "待回访工单" in page.locator("main").inner_text()
    shoot(page, "home-hotline")
    # Switching to English keeps the user on the page
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert "Hello, 郑丽" in page.locator("h1").inner_text()
    assert "Work orders to call back" in page.locator("main").inner_text()
    assert page.problems == []


def test_api_docs_page_renders_under_the_csp(browser_page: Any) -> None:
    page = browser_page
    page.goto(f"{page.base_url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    assert "kehu API" in page.locator(".swagger-ui .info .title").inner_text()
    assert [v for v in page.problems if "Content Security Policy" in v] == []
