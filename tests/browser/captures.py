"""Screenshots of the main pages at 1280 px and 360 px into docs/captures/ (`make captures`), with the
browser tests' setup: Debian's chromium, a live server, the demo world of `seed_demo`.

Not a test (pytest collects only test_*.py): the make target names this file. Each capture is the top of
the page, at most MAX_HEIGHT px, reduced to 256 colours so that the PNGs stay small in the repository.
"""

import io
from pathlib import Path

import pytest
from PIL import Image

from tests.browser.conftest import login

CAPTURES = Path(__file__).resolve().parents[2] / "docs" / "captures"
WIDTHS = (1280, 360)
MAX_HEIGHT = 1800
# (file name, demo account, page): the pages of the structures' guide and of each role's daily use.
PAGES = [
    ("pilotage-structure", "structure@demo.test", "/pilotage/"),
    ("pilotage-conseillers", "prefet@demo.test", "/pilotage/"),
    ("pilotage-structures", "prefet@demo.test", "/pilotage/structures/"),
    ("statistiques-territoires", "prefet@demo.test", "/pilotage/territoires/"),
    ("coop-statistiques", "conseiller@demo.test", "/coop/statistiques/?periode=12_mois"),
    ("coop-cra", "conseiller@demo.test", "/coop/cra/nouveau/"),
]


def _save(png: bytes, path: Path):
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


@pytest.mark.parametrize("width", WIDTHS)
def test_capture_the_main_pages(page, live_server, demo, width):
    CAPTURES.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    logged_in = None
    for name, email, path in PAGES:
        if email != logged_in:
            page.context.clear_cookies()
            login(page, live_server, email)
            logged_in = email
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT)
        png = page.screenshot(full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height})
        _save(png, CAPTURES / f"{name}-{width}.png")
