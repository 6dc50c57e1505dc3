"""The tables of the Tableau de pilotage on a laptop (1280 px) and a phone (360 px), as each demo role sees
them: at 1280 px every column is on screen without scrolling sideways; at 360 px a table may scroll, but
only inside its own region, which the keyboard reaches, which has a name and whose hint is visible. axe-core
on every page."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login

# The lists each role opens from its Tableau de pilotage (a structure's "Structures" is its fiche).
PAGES = {
    "structure@demo.test": ("/pilotage/", "/pilotage/structures/", "/pilotage/territoires/"),
    "coordinateur@demo.test": ("/pilotage/",),
    "prefet@demo.test": ("/pilotage/", "/pilotage/structures/", "/pilotage/territoires/"),
    "hub@demo.test": ("/pilotage/", "/pilotage/structures/"),
    "admin@demo.test": ("/pilotage/", "/pilotage/structures/", "/pilotage/territoires/?maille=region"),
}
LAPTOP, PHONE = 1280, 360

# For each table of the page: its id, how far its content overflows its scrolling container, and that
# container's role, tabindex, name (aria-labelledby resolved) and whether the hint beside it is visible.
TABLES_JS = """
() => [...document.querySelectorAll('main .fr-table')].map(table => {
  const box = table.querySelector('.fr-table__container');
  const named = (box.getAttribute('aria-labelledby') || '').split(' ').filter(Boolean)
    .map(id => document.getElementById(id)?.textContent.trim() || '').join(' ');
  const hint = table.querySelector('.cnfs-table-hint');
  return {
    id: table.id,
    overflow: box.scrollWidth - box.clientWidth,
    role: box.getAttribute('role'),
    tabindex: box.getAttribute('tabindex'),
    name: named || box.getAttribute('aria-label') || '',
    hint: hint ? hint.checkVisibility() && hint.textContent.trim() : '',
  };
})
"""


def _tables(page, live_server, path):
    page.goto(live_server.url + path)
    expect(page.locator("main .fr-table").first).to_be_visible()
    return page.evaluate(TABLES_JS)


def _page_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("email", PAGES)
def test_every_table_fits_a_laptop(page, live_server, demo, axe, email):
    page.set_viewport_size({"width": LAPTOP, "height": 900})
    login(page, live_server, email)
    for path in PAGES[email]:
        tables = _tables(page, live_server, path)
        assert [t["id"] for t in tables if t["overflow"] > 0] == [], (path, tables)
        assert _page_overflow(page) <= 0, path
        axe(page)


@pytest.mark.parametrize("email", PAGES)
def test_tables_scroll_in_a_named_region_on_a_phone(page, live_server, demo, axe, email):
    page.set_viewport_size({"width": PHONE, "height": 800})
    login(page, live_server, email)
    for path in PAGES[email]:
        tables = _tables(page, live_server, path)
        # The page itself never scrolls sideways: only a table's own region does.
        assert _page_overflow(page) <= 0, path
        for table in tables:
            assert table["role"] == "region" and table["tabindex"] == "0", (path, table)
            assert table["name"], (path, table)
            if table["overflow"] > 0:
                assert table["hint"] == "Faites défiler le tableau horizontalement", (path, table)
        axe(page)


def test_the_current_maille_looks_current(page, live_server, demo, axe):
    login(page, live_server, "prefet@demo.test")
    page.goto(f"{live_server.url}/pilotage/territoires/?maille=region")

    mailles = page.get_by_role("navigation", name="Maille du tableau")
    current = mailles.get_by_role("link", name="Régions")
    other = mailles.get_by_role("link", name="Départements")
    expect(current).to_have_attribute("aria-current", "page")
    assert other.get_attribute("aria-current") is None

    def colours(link):
        return link.evaluate("el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]")

    # Filled like the current period of the picker, not the pale blue of the other tag.
    assert colours(current) != colours(other)
    assert colours(current) == colours(page.locator(".cnfs-period-picker__presets .fr-tag[aria-current]"))
    axe(page)
