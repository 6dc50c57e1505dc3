"""The fil d'Ariane of the pages: its steps, and the pilotage's home every pilotage page starts from."""

from dataclasses import dataclass

from django.urls import reverse_lazy


@dataclass(frozen=True)
class Lien:
    """A step of the fil d'Ariane; the last one (no url) is the current page."""

    label: str
    url: str = ""


PILOTAGE = Lien("Tableau de pilotage", reverse_lazy("conseillers:pilotage"))
