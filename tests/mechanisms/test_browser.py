"""The public registry pages in Chromium: they fit a phone's width, and the favicon loads."""

from __future__ import annotations

import pytest

from tests.browser import TIMEOUT_MS, chromium

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def registry_server(transactional_db, live_server, settings) -> str:
    from mechanisms.services import load_reference_data

    load_reference_data(settings.REFERENCE_DATA_DIR)
    return live_server.url


def test_the_mechanism_list_fits_a_390_px_screen_and_its_table_scrolls_inside(
    registry_server, monkeypatch
):
    with chromium(monkeypatch) as browser:
        page = browser.new_page(viewport=PHONE)
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(registry_server + "/mechanisms/")

        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # The table is wider than the screen: it scrolls within its own box.
        scroller = page.locator(".table-scroll")
        assert scroller.evaluate("el => el.scrollWidth > el.clientWidth")
        assert page.get_by_role("link", name="BALI", exact=True).count() == 1


def test_the_favicon_loads_from_the_page_and_from_favicon_ico(registry_server, monkeypatch):
    with chromium(monkeypatch) as browser:
        page = browser.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(registry_server + "/mechanisms/")
        icons = page.eval_on_selector_all("link[rel=icon]", "links => links.map(l => l.href)")
        answers = [page.request.get(url) for url in [*icons, registry_server + "/favicon.ico"]]

        assert len(icons) == 2
        assert [answer.status for answer in answers] == [200, 200, 200]
        assert answers[-1].headers["content-type"] in ("image/x-icon", "image/vnd.microsoft.icon")
