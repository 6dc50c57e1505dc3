"""Random and hostile files thrown at the conseillers' import (docs/imports.md), the same way as the
structures' (tests/structures/test_imports_proprietes.py) but with its own lines: e-mails, contracts,
ruptures and dates. Never an exception, only the French report; nothing stored unless the import says so;
every conseiller and contract it writes is valid, and no conseiller is employed twice on the same day."""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.db import transaction
from hypothesis import event, example, given
from hypothesis import strategies as st

from accounts.models import Role, User
from conseillers.enums import MotifRupture, TypeContrat
from conseillers.imports import COLONNES, DOMAINE_PRO, conseillers_import
from conseillers.models import Conseiller, Contrat
from structures.models import Structure
from tests.conseillers.factories import ConseillerFactory, ContratFactory
from tests.structures.factories import StructureFactory
from tests.structures.test_imports_proprietes import (
    EXEMPLES,
    OPTIONS,
    OUI_NON,
    SIRETS,
    VENISSIEUX,
    abimee,
    assert_rapport_en_francais,
    contenus,
    libelles,
)

GEX = "20011730000018"
VILLEURBANNE = "21690266000010"  # given by the fixture to the world's Villeurbanne, Alice's employer
# Gaëlle moved from Vénissieux to Gex: her first contract was closed the day before the second.
GAELLE = "gaelle.martin@conseiller-numerique.fr"
CONTRATS_CONNUS = [
    (GAELLE, VENISSIEUX, "01/01/2023"),
    (GAELLE, GEX, "01/01/2024"),
    ("alice.arnaud@conseiller-numerique.fr", VILLEURBANNE, "01/01/2023"),
]
EMAILS = st.one_of(
    st.sampled_from([GAELLE, "alice.arnaud@conseiller-numerique.fr", "Bruno.Blanc@conseiller-numerique.fr"]),
    st.from_regex(r"[a-z]{1,6}\.[a-z]{1,6}", fullmatch=True).map(lambda nom: f"{nom}@{DOMAINE_PRO}"),
)
DATES = st.dates(datetime.date(1999, 1, 1), datetime.date(2101, 12, 31)).flatmap(
    lambda day: st.sampled_from([f"{day:%d/%m/%Y}", day.isoformat()])
)
GENRES = {
    "siret": "siret",
    "email_pro": "email",
    "email_perso": "email",
    "superieur_email": "email",
    "date_debut_contrat": "date",
    "date_fin_contrat": "date",
    "date_rupture": "date",
    "date_entree_formation": "date",
    "date_certification": "date",
}


@st.composite
def lignes_conseillers(draw):
    """A valid line (a new conseiller, or a known one and one of his contracts), with hostile cells."""
    email, siret, debut = draw(
        st.one_of(
            st.sampled_from(CONTRATS_CONNUS),
            st.tuples(EMAILS, st.sampled_from([VENISSIEUX, GEX, VILLEURBANNE]) | SIRETS, DATES),
        )
    )
    cellules = {
        "email_pro": email,
        "prenom": draw(st.sampled_from(["Agathe", "Jérôme", "Maël", "Zoé-Lou"])),
        "nom": draw(st.sampled_from(["Lemaître", "Öztürk", "Saint-André", "N'Diaye"])),
        "siret": siret,
        "type_contrat": draw(st.sampled_from(libelles(TypeContrat))),
        "date_debut_contrat": debut,
        "coordinateur": draw(st.sampled_from(OUI_NON)),
    }
    for name in ("date_fin_contrat", "date_entree_formation", "date_certification"):
        if draw(st.booleans()):
            cellules[name] = draw(DATES)
    if draw(st.booleans()):
        cellules |= {
            "date_rupture": draw(DATES),
            "motif_rupture": draw(st.sampled_from(libelles(MotifRupture))),
        }
    return draw(abimee(cellules, GENRES))


def etat_conseillers():
    return (
        list(Conseiller.objects.order_by("pk").values()),
        list(Contrat.objects.order_by("pk").values()),
        LogEntry.objects.count(),
        User.objects.count(),
        Role.objects.count(),
    )


def ecrits(avant) -> set[int]:
    """The conseillers the import wrote: their row, or one of their contracts, is new or changed."""
    conseillers, contrats = ({ligne["id"]: ligne for ligne in lignes} for lignes in avant[:2])
    ids = {c["id"] for c in Conseiller.objects.values() if conseillers.get(c["id"]) != c}
    return ids | {c["conseiller_id"] for c in Contrat.objects.values() if contrats.get(c["id"]) != c}


def assert_conseillers_valides(ids):
    """The conseillers and their contracts pass the model's checks, and none works for two structures on the
    same day (the CRA's structure is the one employing its conseiller on its date)."""
    for conseiller in Conseiller.objects.filter(pk__in=ids).prefetch_related("contrats"):
        conseiller.full_clean()
        assert conseiller.email_pro.endswith("@" + DOMAINE_PRO)
        contrats = sorted(conseiller.contrats.all(), key=lambda contrat: contrat.date_debut)
        for contrat in contrats:
            contrat.full_clean()
            assert bool(contrat.date_rupture) == bool(contrat.motif_rupture), contrat
        for avant, apres in zip(contrats, contrats[1:], strict=False):
            fin = avant.date_fin_effective
            assert fin is not None and fin < apres.date_debut, (conseiller, avant, apres)


@pytest.fixture
def recrutements(world):
    """The structures of the files, and Gaëlle who moved from one to the other."""
    Structure.objects.filter(pk=world.villeurbanne.pk).update(siret=VILLEURBANNE)
    venissieux = StructureFactory(
        siret=VENISSIEUX, nom="Mairie de Vénissieux", code_postal="69200", code_commune="69259"
    )
    gex = StructureFactory(
        siret=GEX, nom="Pays de Gex", departement=world.ain, code_postal="01170", code_commune="01173"
    )
    gaelle = ConseillerFactory(
        prenom="Gaëlle", nom="Martin", email_pro=GAELLE, structure=venissieux, contrat=False
    )
    ContratFactory(
        conseiller=gaelle,
        structure=venissieux,
        date_debut=datetime.date(2023, 1, 1),
        date_fin=datetime.date(2023, 12, 31),
    )
    ContratFactory(conseiller=gaelle, structure=gex, date_debut=datetime.date(2024, 1, 1))
    assert_conseillers_valides([gaelle.pk])


def importer(world, contenu, options):
    simulation, partiel, encodage = options
    return conseillers_import(
        contenu=contenu,
        fichier_nom="recrutement.csv",
        user=world.admin,
        simulation=simulation,
        partiel=partiel,
        encodage=encodage,
    )


# Regression: the recruitment file imported again once Gaëlle had moved gave her first contract back its
# planned end, and she worked for Vénissieux and Gex at once.
FICHIER_DE_RECRUTEMENT = (
    "email_pro;siret;type_contrat;date_debut_contrat;date_fin_contrat\n"
    f"{GAELLE};{VENISSIEUX};CDD;01/01/2023;31/12/2025\n"
).encode()


@EXEMPLES
@given(contenu=contenus(COLONNES, lignes_conseillers()), options=OPTIONS)
@example(contenu=FICHIER_DE_RECRUTEMENT, options=(False, False, "auto"))
def test_a_conseillers_file_is_imported_valid_or_refused_in_french(world, recrutements, contenu, options):
    with transaction.atomic():  # each example starts from the same conseillers
        avant = etat_conseillers()
        rapport = importer(world, contenu, options)
        event("fichier refusé" if rapport.erreur_fichier else "enregistré" if rapport.enregistre else "rien")

        assert_rapport_en_francais(rapport, contenu)
        if not rapport.enregistre:
            assert etat_conseillers() == avant
        else:
            assert not options[0] and (options[1] or not rapport.refusees)
            assert Conseiller.objects.count() == len(avant[0]) + rapport.creees
            assert_conseillers_valides(ecrits(avant))
            # Imported twice: nothing changes the second time.
            apres = etat_conseillers()
            again = importer(world, contenu, options)
            assert (again.creees, again.modifiees, again.refusees) == (0, 0, rapport.refusees)
            assert etat_conseillers() == apres
        transaction.set_rollback(True)


def test_an_older_file_cannot_make_a_conseiller_work_for_two_structures(world, recrutements):
    """Regression: the planned end of a contract left for another one was put back by an older file."""
    avant = etat_conseillers()

    rapport = importer(world, FICHIER_DE_RECRUTEMENT, (False, True, "auto"))

    assert rapport.refusees == [
        (
            2,
            [
                "Le contrat avec Mairie de Vénissieux courrait jusqu'au 31/12/2025, au-delà du début du "
                "contrat suivant (Pays de Gex, le 01/01/2024) : un emploi passé se corrige dans "
                "l'administration."
            ],
        )
    ]
    assert etat_conseillers()[:2] == avant[:2]
