"""The admin's list filters: French titles with their accents, the département as a select."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.outils_admin import colonne

CONSEILLERS = "/admin/conseillers/conseiller/"


@pytest.fixture
def equipe(world, client):
    client.force_login(world.admin)
    return client


@pytest.mark.parametrize(
    "model", [model for model, model_admin in admin.site._registry.items() if model_admin.list_filter]
)
def test_filter_titles_are_written_in_french(world, equipe, model):
    response = equipe.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))

    titles = re.findall(r'data-filter-title="([^"]+)"', response.content.decode())
    assert titles
    for title in titles:
        assert "_" not in title and not re.search(r"\b(region|departement)\b", title), title


def test_the_departement_filter_is_a_select_keeping_the_other_parameters(world, equipe):
    html = equipe.get(CONSEILLERS, {"q": "Blanc", "certifie": "non"}).content.decode()

    form = html.split('class="cnfs-filtre-select"', 1)[1].split("</form>", 1)[0]
    assert '<input type="hidden" name="q" value="Blanc">' in form
    assert '<input type="hidden" name="certifie" value="non">' in form
    assert '<select name="structure__departement__code__exact"' in form
    assert f'<option value="{world.rhone.code}">{world.rhone}</option>' in form

    chosen = equipe.get(CONSEILLERS, {"structure__departement__code__exact": world.ain.code})

    assert f'<option value="{world.ain.code}" selected>' in chosen.content.decode()
    assert set(colonne(chosen, "departement")) == {world.ain.code}

    # « Tous » sends an empty value: every département again, not the admin's « invalid lookup » page.
    every = equipe.get(CONSEILLERS, {"structure__departement__code__exact": ""})

    assert every.status_code == 200
    assert colonne(every, "departement") == colonne(equipe.get(CONSEILLERS), "departement")
