"""The header at 1280 px: each menu entry on one line, the role selector beside or under the menu, never
over it; the help within reach."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login


def _box(locator):
    box = locator.bounding_box()
    return box["x"], box["y"], box["x"] + box["width"], box["y"] + box["height"]


@pytest.mark.parametrize(
    "email", ["coordinateur@demo.test", "admin@demo.test"]
)  # the selector; the most entries
def test_the_menu_does_not_wrap(page, live_server, demo, axe, email):
    login(page, live_server, email)

    links = page.locator("#fr-navigation .fr-nav__link").all()
    assert links
    boxes = [_box(link) for link in links]
    assert len({round(top) for _, top, _, _ in boxes}) == 1, "le menu passe à la ligne"
    # The lines of each entry's text (DSFR gives every link the same height, wrapped or not).
    lines = page.locator("#fr-navigation .fr-nav__link").evaluate_all(
        """links => links.map(link => {
            const range = document.createRange();
            range.selectNodeContents(link);
            return new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size;
        })"""
    )
    assert lines == [1] * len(links), f"une entrée sur plusieurs lignes : {lines}"
    menu = _box(page.locator("#fr-navigation .fr-nav__list"))
    assert menu[2] <= 1280
    switcher = page.locator(".cnfs-role-switch")
    if switcher.count():
        left, top, right, bottom = _box(switcher)
        overlaps = left < menu[2] and menu[0] < right and top < menu[3] and menu[1] < bottom
        assert not overlaps and right <= 1280
    expect(page.locator("header").get_by_role("link", name="Aide").first).to_be_visible()
    axe(page)


@pytest.mark.parametrize("width", [1280, 360])
def test_the_help_page_is_accessible_with_the_icon(page, live_server, axe, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/aide/")

    expect(page.locator("h1")).to_have_text("Aide")
    axe(page)
    icon = page.locator('link[rel="icon"]').get_attribute("href")
    assert page.request.get(live_server.url + icon).ok
    # The admin's pages link no icon: browsers ask for /favicon.ico.
    response = page.request.get(live_server.url + "/favicon.ico")
    assert response.ok and response.headers["content-type"].startswith("image/")
