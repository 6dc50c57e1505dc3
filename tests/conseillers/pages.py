"""Reading the pilotage pages in tests: their rows, messages and filters; the world's named accounts and
CRAs (tests/conseillers/test_pilotage.py, test_fiche.py, tests/structures/test_pilotage.py)."""

import datetime
import re
from html import unescape

from accounts.enums import RoleKind
from tests.stats.factories import make_cra, recompute_once

ROW = re.compile(r'<tr class="cnfs-row">(.*?)</tr>', re.S)
CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.S)
EVERYONE = {"Alice", "Bruno", "Chloé", "Denis", "Emma", "Fabrice"}


def text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def rows(html: str, table_id: str | None = None) -> list[list[str]]:
    """The cells' texts of the clickable rows of a page (of one table when `table_id` is given)."""
    if table_id is not None:
        html = html[html.index(f'id="{table_id}"') :]
        html = html[: html.index("</table>")]
    return [[text(cell) for cell in CELL.findall(row)] for row in ROW.findall(html)]


def first_cells(html: str, table_id: str | None = None) -> list[str]:
    return [cells[0] for cells in rows(html, table_id)]


def messages(html: str) -> list[str]:
    """The messages of the "Certains critères n'ont pas été retenus" alert."""
    match = re.search(r"fr-alert--warning.*?<ul>(.*?)</ul>", html, re.S)
    return [text(item) for item in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)] if match else []


def options(html: str, name: str) -> list[str]:
    """The values offered by a select of the filters, but its empty one."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return [value for value in re.findall(r'<option value="([^"]*)"', select) if value]


def log_in_as(world, login_as, name):
    """Logs in as a named account of the world; Emma in her coordinateur role, Alice as a conseiller."""
    if name in ("emma", "alice"):
        return login_as(getattr(world, name).user, RoleKind.COORDINATEUR if name == "emma" else None)
    return login_as(getattr(world, name))


def make_world_cras(world):
    """Denis: one CRA for Villeurbanne before he left, two for the association since; Alice: one."""
    with recompute_once():
        make_cra(world.denis, date=datetime.date(2024, 1, 15), structure=world.villeurbanne)
        make_cra(world.denis, date=datetime.date(2024, 4, 2), structure=world.lyon_asso, code_postal="69003")
        make_cra(world.denis, date=datetime.date(2024, 5, 3), structure=world.lyon_asso, code_postal="69003")
        make_cra(world.alice, date=datetime.date(2024, 6, 1))
