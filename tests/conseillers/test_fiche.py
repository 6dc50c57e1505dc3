"""/pilotage/conseillers/<id>/: the fiche "Détail" of a conseiller, for every role of his scope."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conseillers.enums import MotifRupture
from conseillers.models import Permanence, PermanenceConseiller
from tests.conseillers.factories import PLACE, ContratFactory
from tests.conseillers.pages import log_in_as, make_world_cras, messages, text
from tests.stats.factories import make_cra, recompute_once

# (account) -> status of the fiches of Alice (Villeurbanne), Chloé (Bourg), Denis (association, formerly
# Villeurbanne), Fabrice (formerly Bourg, no structure today).
ACCESS = {
    "gestionnaire_villeurbanne": (200, 404, 200, 404),
    "gestionnaire_bourg": (404, 200, 404, 200),
    "prefet_rhone": (200, 404, 200, 404),
    "prefet_ain": (404, 200, 404, 200),
    "prefet_ara": (200, 200, 200, 200),
    "hub": (200, 200, 200, 200),
    "admin": (200, 200, 200, 200),
    "emma": (200, 200, 404, 404),  # Alice explicitly, the Ain's current conseillers
    "alice": (403, 403, 403, 403),  # a conseiller role
}


@pytest.fixture
def log_in(world, login_as):
    return lambda name: log_in_as(world, login_as, name)


@pytest.fixture
def cras(world):
    make_world_cras(world)


def url(conseiller):
    return f"/pilotage/conseillers/{conseiller.pk}/"


def definition(html: str, term: str) -> str:
    """The text of the <dd> of a <dt> of the fiche."""
    match = re.search(rf"<dt>{re.escape(term)}</dt>\s*<dd>(.*?)</dd>", html, re.S)
    return text(match.group(1))


def key_figures(html: str) -> list[str]:
    return re.findall(r'cnfs-key-figure__value">([^<]*)<', html)


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_the_fiche_follows_the_scope(world, log_in, name):
    client = log_in(name)
    conseillers = (world.alice, world.chloe, world.denis, world.fabrice)
    for conseiller, status in zip(conseillers, ACCESS[name], strict=True):
        response = client.get(url(conseiller))
        assert response.status_code == status, (name, conseiller)
        if status == 200:
            assert f"<h1>{conseiller.prenom} {conseiller.nom}</h1>" in response.content.decode()


def test_an_unknown_conseiller_is_a_404(world, log_in):
    assert log_in("admin").get("/pilotage/conseillers/999999/").status_code == 404


@pytest.fixture
def alice_complete(world):
    """Alice with her contacts, training, supérieur, coordination-free profile and two lieux."""
    alice = world.alice
    alice.telephone_pro = "04 72 00 00 00"
    alice.date_entree_formation = datetime.date(2022, 9, 5)
    alice.date_sortie_formation = datetime.date(2022, 11, 25)
    alice.superieur_nom, alice.superieur_prenom = "Morel", "Sophie"
    alice.superieur_fonction = "Directrice des services numériques"
    alice.superieur_email, alice.superieur_telephone = "s.morel@villeurbanne.fr", "04 72 11 11 11"
    alice.save()
    rize = Permanence.objects.create(structure=world.villeurbanne, **PLACE)
    PermanenceConseiller.objects.create(permanence=rize, conseiller=alice, principale=True)
    bus = Permanence.objects.create(structure=world.villeurbanne, **{**PLACE, "nom": "Bus numérique"})
    PermanenceConseiller.objects.create(permanence=bus, conseiller=alice)
    return alice


def test_the_fiche_shows_what_the_guide_lists(world, alice_complete, log_in):
    html = log_in("gestionnaire_villeurbanne").get(url(world.alice)).content.decode()

    assert definition(html, "E-mail professionnel") == "alice.arnaud@conseiller-numerique.fr"
    assert definition(html, "Téléphone professionnel") == "04 72 00 00 00"
    assert definition(html, "Entrée en formation") == "05/09/2022"
    assert definition(html, "Sortie de formation") == "25/11/2022"
    activation = timezone.localtime(world.alice.date_activation).strftime("%d/%m/%Y")
    assert definition(html, "Activé") == f"Activé le {activation}"
    assert definition(html, "Certification CCP1") == "Certifié le 01/06/2023"
    assert definition(html, "Structure actuelle").startswith("Mairie de Villeurbanne 69100 Villeurbanne")
    assert definition(html, "Type de contrat") == "CDD"
    assert definition(html, "Début de contrat") == "01/01/2023"
    assert definition(html, "Fin de contrat") == "Non renseigné"
    assert definition(html, "Fonction") == "Directrice des services numériques"
    assert 'href="mailto:s.morel@villeurbanne.fr"' in html
    assert definition(html, "Coordinateur") == "Non"
    # Her principal lieu first.
    lieux = re.findall(r'<h3 class="fr-h6 fr-mb-1w">([^<]*)</h3>', html)
    assert lieux == ["Médiathèque Le Rize", "Bus numérique"]
    assert "Lieu principal" in html
    assert f'href="/pilotage/conseillers/{world.alice.pk}/statistiques/">Voir les statistiques' in html
    assert f'href="/pilotage/structures/{world.villeurbanne.pk}/"' in html


def test_not_activated_and_not_certified(world, log_in):
    html = log_in("admin").get(url(world.bruno)).content.decode()

    assert definition(html, "Activé") == "en attente d'activation"
    assert definition(html, "Certification CCP1") == "Non certifié"
    cross = r'fr-icon-close-circle-fill fr-text-default--error" aria-hidden="true"></span>\s*Non certifié'
    assert re.search(cross, html)


def test_the_history_of_employers_with_the_rupture(world, log_in):
    html = log_in("admin").get(url(world.denis)).content.decode()

    table = html[html.index('id="table-contrats"') :]
    lines = [text(row) for row in re.findall(r"<tr>(.*?)</tr>", table[: table.index("</table>")], re.S)[1:]]
    assert lines == [
        "Association Lyon Numérique CDD 01/03/2024 — — —",
        "Mairie de Villeurbanne CDD 01/01/2022 — 01/03/2024 Nouvel emploi",
    ]
    assert definition(html, "Structure actuelle").startswith("Association Lyon Numérique")


def test_a_structure_sees_its_own_part_of_a_former_conseillers_career(world, cras, log_in):
    lieu = Permanence.objects.create(structure=world.lyon_asso, **{**PLACE, "nom": "Maison des associations"})
    PermanenceConseiller.objects.create(permanence=lieu, conseiller=world.denis)
    world.denis.superieur_nom = "Responsable de l'association"
    world.denis.save()

    html = log_in("gestionnaire_villeurbanne").get(url(world.denis)).content.decode()

    # Nothing of his new employer: name, lieux, supérieur; his contract with Villeurbanne only.
    for other in ("Association Lyon Numérique", "Maison des associations", "Responsable de l'association"):
        assert other not in html
    assert "A quitté votre structure" in html
    assert "Contrats avec votre structure" in html and "Nouvel emploi" in html
    # Its own CRAs of Denis: one, in January 2024; the other roles see all three.
    assert key_figures(html) == ["1", "1", "15/01/2024"]
    prefet = log_in("prefet_rhone").get(url(world.denis)).content.decode()
    assert key_figures(prefet) == ["3", "3", "03/05/2024"]


def test_the_counts_follow_the_period(world, cras, log_in):
    response = log_in("admin").get(url(world.denis), {"du": "2024-04-01", "au": "2024-04-30"})

    html = response.content.decode()
    assert key_figures(html) == ["3", "1", "03/05/2024"]
    assert "CRA saisis du 01/04/2024 au 30/04/2024" in html
    assert f"/pilotage/conseillers/{world.denis.pk}/statistiques/?du=2024-04-01&amp;au=2024-04-30" in html


def test_a_wrong_period_is_explained(world, cras, log_in):
    response = log_in("admin").get(url(world.denis), {"du": "31/02/2024"})

    assert response.status_code == 200
    html = response.content.decode()
    assert messages(html) == ["La date de début n'existe pas : vérifiez le jour et le mois (JJ/MM/AAAA)."]
    assert key_figures(html)[:2] == ["3", "3"]


def test_a_coordinateur_badge(world, log_in):
    html = log_in("admin").get(url(world.emma)).content.decode()

    assert '<p class="fr-badge fr-badge--info">Coordinateur</p>' in html
    assert definition(html, "Coordinateur") == "Oui"


def test_a_conseiller_without_structure(world, log_in):
    html = log_in("prefet_ain").get(url(world.fabrice)).content.decode()

    assert definition(html, "Structure actuelle") == "Aucune structure"
    assert "Rupture de contrat" in html
    assert "Démission" in html
    assert f'href="/pilotage/structures/{world.bourg.pk}/"' in html  # the former employer is his scope's


def test_the_fiche_makes_the_same_queries_for_a_short_or_a_long_career(world, log_in):
    client = log_in("admin")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(world.denis)).status_code == 200
        return len(queries)

    # session, user, roles of the user; the conseiller with his structure, département and région; his
    # contracts with their structures; his lieux; his CRA counts (aggregates); the structures of the page
    # the role may open
    assert count() == 8
    with recompute_once():
        for year in range(2010, 2020):
            ContratFactory(
                conseiller=world.denis,
                structure=world.bourg,
                date_debut=datetime.date(year, 1, 1),
                date_rupture=datetime.date(year, 6, 1),
                motif_rupture=MotifRupture.AUTRE,
            )
            lieu = Permanence.objects.create(structure=world.lyon_asso, **{**PLACE, "nom": f"Lieu {year}"})
            PermanenceConseiller.objects.create(permanence=lieu, conseiller=world.denis)
            make_cra(world.denis, date=datetime.date(2021 + year % 4, 1 + year % 12, 1), code_postal="69003")
    assert count() == 8
