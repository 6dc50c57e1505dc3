"""The filters of the pilotage lists (django-filter) over the territories, and the list of structures. The
pieces every list shares (search, yes / no, sort, headers) are in cnfs.socle.listes."""

import django_filters
from django.db.models import QuerySet

from cnfs.socle.listes import ColonneTri, RechercheFilter, TriFilter
from structures.enums import StatutStructure, TypeStructure
from structures.models import Departement, Region


class PilotageFilterSet(django_filters.FilterSet):
    """A pilotage list's filters; `departement` and `region` only offer the territories of the scope."""

    def __init__(self, data=None, queryset=None, *, departements: QuerySet[Departement], **kwargs):
        super().__init__(data, queryset, **kwargs)
        if "departement" in self.filters:
            self.filters["departement"].queryset = departements.order_by("code")
        if "region" in self.filters:
            self.filters["region"].queryset = Region.objects.filter(
                pk__in=departements.values("region")
            ).order_by("code")


# --- The structures of a scope (/pilotage/structures/) ---------------------------------------------------

COLONNES_STRUCTURES = (
    ColonneTri("nom", "Nom", "nom"),
    ColonneTri("siret", "SIRET", "siret"),
    ColonneTri("commune", "Commune", "nom_commune"),
    ColonneTri("departement", "Département", "departement_id"),
    ColonneTri("type", "Type", "type"),
    ColonneTri("statut", "Statut", "statut"),
    ColonneTri("dotation", "Dotation", "dotation"),
    ColonneTri("recrutes", "Conseillers recrutés", "recrutes"),
    # Over the list's period (stats.pilotage.structures_with_activite annotates them).
    ColonneTri("cra", "CRA saisis", "cra_periode"),
    ColonneTri("personnes", "Personnes accompagnées", "personnes_periode"),
)


class StructureFilter(PilotageFilterSet):
    q = RechercheFilter(
        label="Rechercher une structure",
        help_text="Nom, SIRET ou numéro",
        champs=("nom",),
        siret="siret",
    )
    statut = django_filters.ChoiceFilter(
        label="Statut", choices=StatutStructure.choices, empty_label="Tous les statuts"
    )
    type = django_filters.ChoiceFilter(
        label="Type", choices=TypeStructure.choices, empty_label="Tous les types"
    )
    departement = django_filters.ModelChoiceFilter(
        label="Département", queryset=Departement.objects.none(), empty_label="Tous les départements"
    )
    region = django_filters.ModelChoiceFilter(
        label="Région",
        field_name="departement__region",
        queryset=Region.objects.none(),
        empty_label="Toutes les régions",
    )
    tri = TriFilter(colonnes=COLONNES_STRUCTURES, departage=("nom", "pk"))
