"""Headless Chromium for the browser tests: one way to launch it, one console watcher, one rule
for screenshots (written only with KEHU_SCREENSHOTS=1; the images are looked at by a person)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import kehu

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
TIMEOUT_MS = 60_000  # a shared, busy machine: pages may take a while, never a timing assertion

# A browser test's ``pytestmark``: skipped with a reason where Chromium is not installed, and
# against a live server, so it needs real transactions.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium"
    ),
    pytest.mark.django_db(transaction=True),
]


@contextmanager
def chromium_page(base_url: str, *, timeout_ms: int | None = TIMEOUT_MS) -> Iterator[Any]:
    """A page in a fresh Chinese context (1280×800) of a headless Chromium. Console errors and
    Content-Security-Policy reports collect in ``page.problems``; ``page.base_url`` is the
    server's. Start it after any ORM work: Playwright's event loop makes Django refuse ORM calls
    in this thread."""
    from playwright.sync_api import ConsoleMessage, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context(
            viewport={"width": 1280, "height": 800}, locale="zh-CN", device_scale_factor=1
        )
        if timeout_ms is not None:
            context.set_default_timeout(timeout_ms)
        page = context.new_page()
        problems: list[str] = []

        def note_problem(message: ConsoleMessage) -> None:
            if "Content Security Policy" in message.text or message.type == "error":
                problems.append(message.text)

        page.on("console", note_problem)
        page.problems = problems
        page.base_url = base_url
        yield page
        context.close()
        browser.close()


def shoot(page: Any, name: str) -> None:
    """``screenshots/<name>.png`` of the whole page, when KEHU_SCREENSHOTS is set."""
    if os.environ.get("KEHU_SCREENSHOTS"):
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
