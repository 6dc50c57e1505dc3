"""Every URL pattern × every account of the named world × objects inside and outside its scope.

The patterns come from the URL configuration: a new pattern fails `test_every_url_is_classified` until it
says here who may open it. For each (URL, account, object): never a 500; a 200 (or a redirect, or 405 for
a POST-only view) only when the account may read the object; 403/404/405 otherwise. And every page that
answers 200 is searched for the professional e-mail of each conseiller and the SIRET of each structure the
account may not read: none may appear.
"""

import datetime
import re
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.enums import RoleKind
from cnfs.exports import production
from cnfs.exports.models import Export
from stats.request import StatsRequest, StatsScope
from structures.models import Hub
from tests.cra.test_views import lieu_of
from tests.ressourcerie.factories import make_document
from tests.stats.factories import make_cra, recompute_once

ACCOUNTS = (
    "gestionnaire_villeurbanne",
    "gestionnaire_bourg",
    "prefet_rhone",
    "prefet_ain",
    "prefet_ara",
    "hub",
    "admin",
    "emma",  # in her coordinateur role
    "alice",  # a conseiller
)
PILOTAGE = frozenset(ACCOUNTS) - {"alice"}
COOP = frozenset({"alice", "emma"})
EVERYONE = frozenset(ACCOUNTS)
ALL_CONSEILLERS = ("alice", "bruno", "chloe", "denis", "emma", "fabrice")

# What each account may read in the named world (tests/conftest.py), written by hand from SPEC §2.
CONSEILLERS = {
    "gestionnaire_villeurbanne": {"alice", "bruno", "denis"},  # Denis worked there until 2024
    "gestionnaire_bourg": {"chloe", "fabrice"},  # Fabrice broke his contract with Bourg
    "prefet_rhone": {"alice", "bruno", "denis", "emma"},
    "prefet_ain": {"chloe", "fabrice"},
    "prefet_ara": set(ALL_CONSEILLERS),
    "hub": set(ALL_CONSEILLERS),
    "admin": set(ALL_CONSEILLERS),
    "emma": {"emma", "alice", "chloe"},  # Alice explicitly, the Ain's conseillers in post
    "alice": {"alice"},  # herself, in the Espace Coop
}
STRUCTURES = {
    "gestionnaire_villeurbanne": {"villeurbanne"},
    "gestionnaire_bourg": {"bourg"},
    "prefet_rhone": {"villeurbanne", "lyon_asso"},
    "prefet_ain": {"bourg"},
    "prefet_ara": {"villeurbanne", "lyon_asso", "bourg"},
    "hub": {"villeurbanne", "lyon_asso", "bourg"},
    "admin": {"villeurbanne", "lyon_asso", "bourg"},
    "emma": {"villeurbanne", "lyon_asso", "bourg"},  # the structures of the conseillers she coordinates
    "alice": {"villeurbanne"},  # her employer (her pages name it)
}


@dataclass(frozen=True)
class Case:
    """A URL to open, and who may open it."""

    url: str
    allowed: frozenset[str]


def _conseiller_cases(world, name):
    return [
        Case(
            reverse(name, args=[getattr(world, c).pk]), frozenset(a for a in PILOTAGE if c in CONSEILLERS[a])
        )
        for c in ("alice", "chloe", "denis", "fabrice")
    ]


def _structure_cases(world, name):
    return [
        Case(reverse(name, args=[getattr(world, s).pk]), frozenset(a for a in PILOTAGE if s in STRUCTURES[a]))
        for s in ("villeurbanne", "bourg", "lyon_asso")
    ]


def _fixed(allowed):
    return lambda world, name: [Case(reverse(name), frozenset(allowed))]


def _owned(objects, owners):
    """The URL of each object, open to its owners only."""
    return lambda world, name: [
        Case(reverse(name, args=[pk]), frozenset(owners(key))) for key, pk in objects(world).items()
    ]


# URL name -> the cases to open. Public and account pages are open to every logged-in account here.
URLS = {
    "home": _fixed(EVERYONE),
    "accessibilite": _fixed(EVERYONE),
    "mentions_legales": _fixed(EVERYONE),
    "donnees_personnelles": _fixed(EVERYONE),
    "aide": _fixed(EVERYONE),
    "healthz": _fixed(EVERYONE),
    "favicon": _fixed(EVERYONE),  # a redirection to the static file, for anyone
    # A redirection to the site's login (anonymous) or to the admin; the 403 page for the other accounts.
    "admin_login": _fixed({"admin"}),
    "accounts:home": _fixed(EVERYONE),
    "accounts:switch_role": _fixed(EVERYONE),
    "accounts:invite": _fixed({"gestionnaire_villeurbanne", "gestionnaire_bourg", "admin"}),
    # An unknown token: a "lien expiré ou inconnu" page (410) for anyone.
    "accounts:invitation_accept": lambda world, name: [
        Case(reverse(name, args=["jeton-inconnu"]), frozenset())
    ],
    # ProConnect is not configured in the tests' settings: 404 for anyone (tests/accounts/test_proconnect.py
    # tests them against the local provider).
    "accounts:proconnect_login": _fixed(frozenset()),
    "accounts:proconnect_callback": _fixed(frozenset()),
    "lieux:list": _fixed(COOP),
    "lieux:new": _fixed(COOP),
    "lieux:edit": _owned(
        lambda w: {"alice": w.lieu_alice.pk, "chloe": w.lieu_chloe.pk}, lambda key: {key} & COOP
    ),
    "lieux:remove": _owned(
        lambda w: {"alice": w.lieu_alice.pk, "chloe": w.lieu_chloe.pk}, lambda key: {key} & COOP
    ),
    "lieux:attach": _owned(
        lambda w: {"alice": w.lieu_alice.pk, "chloe": w.lieu_chloe.pk}, lambda key: {key} & COOP
    ),
    "stats:coop": _fixed(COOP),
    "stats:conseiller": _conseiller_cases,
    "stats:structure": _structure_cases,
    "stats:equipe": _fixed({"emma"}),
    # Territorial statistics: every role, a conseiller's included (SPEC §2); an unknown territory: 404.
    "stats:territoires": _fixed(EVERYONE),
    "stats:territoire": lambda world, name: [
        *(
            Case(reverse(name, args=[maille, code]), EVERYONE)
            for maille, code in (
                ("departement", "69"),
                ("departement", "01"),
                ("region", "84"),
                ("region", "11"),
                ("hub", str(world.hub_ara.pk)),
                ("hub", str(Hub.objects.exclude(pk=world.hub_ara.pk).first().pk)),
            )
        ),
        *(
            Case(reverse(name, args=[maille, code]), frozenset())
            for maille, code in (
                ("hub", "999999"),
                ("hub", "hinaura"),
                ("commune", "69123"),
                ("departement", "00"),
            )
        ),
    ],
    "stats:national": _fixed(EVERYONE),
    "stats:exports": _fixed(EVERYONE),
    "stats:export_telecharger": _owned(
        lambda w: {"villeurbanne": w.export_villeurbanne.pk},
        lambda key: {"gestionnaire_villeurbanne", "admin"},
    ),
    "stats:export_relancer": _owned(
        lambda w: {"villeurbanne": w.export_villeurbanne.pk}, lambda key: {"gestionnaire_villeurbanne"}
    ),
    "cra:home": _fixed(COOP),
    "cra:history": _fixed(COOP),
    "cra:new": _fixed(COOP),
    "cra:communes": _fixed(COOP),
    "cra:saved": _owned(
        lambda w: {"alice": w.cra_alice.pk, "chloe": w.cra_chloe.pk}, lambda key: {key} & COOP
    ),
    "cra:edit": _owned(
        lambda w: {"alice": w.cra_alice.pk, "chloe": w.cra_chloe.pk}, lambda key: {key} & COOP
    ),
    "cra:delete": _owned(
        lambda w: {"alice": w.cra_alice.pk, "chloe": w.cra_chloe.pk}, lambda key: {key} & COOP
    ),
    "structures:liste": _fixed(PILOTAGE),
    "structures:fiche": _structure_cases,
    "conseillers:pilotage": _fixed(PILOTAGE),
    "conseillers:fiche": _conseiller_cases,
    "ressourcerie:index": _fixed(EVERYONE),
    "ressourcerie:archive": _fixed(EVERYONE),
    "ressourcerie:telecharger": lambda world, name: [Case(reverse(name, args=[world.document.pk]), EVERYONE)],
}
# allauth's pages (login, logout, password…) and the Django admin are tested on their own.
SKIPPED = re.compile(r"^(account_|admin:)")


def _names(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


PATTERNS = sorted(name for name in set(_names()) if not SKIPPED.match(name))


def test_every_url_is_classified():
    assert sorted(set(PATTERNS) - set(URLS)) == [], "ajoutez ces URL à URLS : qui peut les ouvrir ?"
    assert sorted(set(URLS) - set(PATTERNS)) == []


@pytest.fixture
def objects(world):
    with recompute_once():
        world.cra_alice = make_cra(world.alice, date=datetime.date(2024, 2, 1))
        world.cra_chloe = make_cra(world.chloe, date=datetime.date(2024, 2, 1), code_postal="01000")
    world.lieu_alice = lieu_of(world.alice)
    world.lieu_chloe = lieu_of(
        world.chloe, nom="Médiathèque de Bourg", code_postal="01000", code_commune="01053"
    )
    request = StatsRequest(
        StatsScope.structure(world.villeurbanne.pk), datetime.date(2024, 1, 1), datetime.date(2024, 3, 31)
    )
    world.export_villeurbanne = Export.objects.create(
        demandeur=world.gestionnaire_villeurbanne,
        role=world.gestionnaire_villeurbanne.roles.get(),
        nature=Export.Nature.CRA_CSV,
        libelle="CRA de Villeurbanne",
        nom_fichier="cra.csv",
        parametres={"requete": request.as_json(), "titre": "t", "scope_name": "s"},
    )
    production.export_make(world.export_villeurbanne.pk)
    world.document = make_document()
    return world


def _forbidden_texts(world, account) -> list[str]:
    emails = [getattr(world, c).email_pro for c in ALL_CONSEILLERS if c not in CONSEILLERS[account]]
    sirets = [
        getattr(world, s).siret
        for s in ("villeurbanne", "lyon_asso", "bourg")
        if s not in STRUCTURES[account]
    ]
    return emails + sirets


@pytest.mark.parametrize("account", ACCOUNTS)
@pytest.mark.parametrize("name", PATTERNS)
def test_no_page_answers_out_of_scope(objects, login_as, account, name):
    world = objects
    user = getattr(world, account)
    user = user.user if account in ("alice", "emma") else user
    client = login_as(user, RoleKind.COORDINATEUR if account == "emma" else None)
    forbidden = _forbidden_texts(world, account)
    for case in URLS[name](world, name):
        response = client.get(case.url)
        status = response.status_code
        assert status != 500, case.url
        if account in case.allowed:
            assert status in (200, 302, 405), (case.url, status)
        else:
            assert status in (403, 404, 405, 410), (case.url, status)
        if status == 200 and not response.streaming and response["Content-Type"].startswith("text/"):
            content = response.content.decode()
            leaked = [text for text in forbidden if text in content]
            assert leaked == [], (case.url, leaked)
