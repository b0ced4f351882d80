"""Headless Chromium against a live server: the pages work under the real CSP.

Set KEHU_SCREENSHOTS=1 to also write the README's screenshots to screenshots/*.png.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kehu
from kehu.core.org.demo import DEMO_PASSWORD, demo_load

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(kehu.__file__).resolve().parent.parent.parent / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium"
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def demo(live_server: Any) -> None:
    # Before Playwright starts: its event loop makes Django refuse ORM calls in this thread.
    demo_load()


@pytest.fixture
def browser_page(live_server: Any, demo: None) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context(
            viewport={"width": 1280, "height": 800}, locale="zh-CN", device_scale_factor=1
        )
        page = context.new_page()
        page.csp_violations = []  # type: ignore[attr-defined]
        page.on(
            "console",
            lambda msg: (
                page.csp_violations.append(msg.text)  # type: ignore[attr-defined]
                if "Content Security Policy" in msg.text or msg.type == "error"
                else None
            ),
        )
        page.base_url = live_server.url  # type: ignore[attr-defined]
        yield page
        context.close()
        browser.close()


def shoot(page: Any, name: str) -> None:
    if os.environ.get("KEHU_SCREENSHOTS"):
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


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
    assert page.csp_violations == []


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
    assert page.csp_violations == []


def test_api_docs_page_renders_under_the_csp(browser_page: Any) -> None:
    page = browser_page
    page.goto(f"{page.base_url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    assert "kehu API" in page.locator(".swagger-ui .info .title").inner_text()
    assert [v for v in page.csp_violations if "Content Security Policy" in v] == []
