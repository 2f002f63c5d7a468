"""Chromium under Playwright for the browser tests: Debian's /usr/bin/chromium (Playwright's own
download is not available here). Without it a test is skipped locally, but fails in CI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 20_000


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is not installed (apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def chromium(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A Chromium browser; open pages with browser.new_page(viewport=...)."""
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django refuses database access
    # from such a thread unless told it is deliberate (undone by monkeypatch after the test).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA, what the project promises; axe's "best practice" rules are advice.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def require_axe() -> None:
    if AXE.exists():
        return
    message = f"{AXE} is missing (npm ci --prefix tests, as .ci/run does)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def axe_violations(page: Any) -> list[str]:
    """axe-core's WCAG violations on the page as loaded, one line per rule and element."""
    require_axe()
    # Evaluated through the DevTools protocol, which the page's CSP does not govern (a script
    # tag would be refused by script-src 'self', as it should be).
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;void 0")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        f"{violation['id']} ({violation['impact']}): {node['target']}"
        for violation in result["violations"]
        for node in violation["nodes"]
    ]
