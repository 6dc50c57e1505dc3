"""The fil d'Ariane of the pages: its steps, and the home every page of a role starts from."""

from dataclasses import dataclass

from django.urls import reverse, reverse_lazy

from accounts.enums import PILOTAGE_ROLES
from structures.enums import Maille


@dataclass(frozen=True)
class Lien:
    """A step of the fil d'Ariane; the last one (no url) is the current page."""

    label: str
    url: str = ""


PILOTAGE = Lien("Tableau de pilotage", reverse_lazy("conseillers:pilotage"))
COOP = Lien("Espace Coop", reverse_lazy("cra:home"))


def accueil(role) -> list[Lien]:
    """Where the pages open to every role start: the pilotage's home, or the Espace Coop of a conseiller
    (he reads the territorial statistics, not the pilotage's lists)."""
    if role is None:
        return []
    return [PILOTAGE if role.kind in PILOTAGE_ROLES else COOP]


def territoires(maille: Maille) -> Lien:
    """The "Statistiques par territoire" table, at the maille of the page it leads from (a hub's page
    leads to the départements)."""
    table = maille if maille in (Maille.DEPARTEMENT, Maille.REGION) else Maille.DEPARTEMENT
    return Lien("Statistiques par territoire", f"{reverse('stats:territoires')}?maille={table}")
