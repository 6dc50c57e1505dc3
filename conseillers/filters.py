"""The filters of the pilotage list of conseillers (préfet, hub, coordinateur, admin): see structures.filters
for the pieces every pilotage list shares."""

import django_filters
from django.db.models import Q

from cnfs.socle.listes import ColonneTri, OuiNonFilter, RechercheFilter, TriFilter
from conseillers.enums import StatutConseiller
from structures.enums import TypeStructure
from structures.filters import PilotageFilterSet
from structures.models import Departement, Region

# The columns of the lists of conseillers, in their order on the page. `cra` and `dernier_cra` are the
# annotations of stats.pilotage.with_cra (the chosen period).
COLONNES_CONSEILLERS = (
    ColonneTri("prenom", "Prénom", "prenom"),
    ColonneTri("nom", "Nom", "nom"),
    ColonneTri("structure", "Structure", "structure__nom"),
    ColonneTri("departement", "Département", "structure__departement_id"),
    ColonneTri("statut", "Statut", "statut"),
    ColonneTri("active", "Activé", "date_activation"),
    ColonneTri("certification", "Certification CCP1", "date_certification"),
    ColonneTri("cra", "CRA saisis", "cra_periode"),
    ColonneTri("dernier_cra", "Date du dernier CRA", "dernier_cra"),
)
# A structure's own list (as in its guide) shows the e-mail instead of the structure and its département;
# the lists of several structures leave the e-mail to the fiche, to fit a laptop's screen.
COLONNES_STRUCTURE = (
    *COLONNES_CONSEILLERS[:2],
    ColonneTri("email", "E-mail professionnel", "email_pro"),
    *(c for c in COLONNES_CONSEILLERS[2:] if c.cle not in ("structure", "departement")),
)


class ConseillerFilter(PilotageFilterSet):
    q = RechercheFilter(
        label="Rechercher un conseiller",
        help_text="Prénom, nom, e-mail, nom ou SIRET de la structure, ou numéro du conseiller",
        champs=("prenom", "nom", "email_pro", "structure__nom"),
        siret="structure__siret",
    )
    statut = django_filters.ChoiceFilter(
        label="Statut", choices=StatutConseiller.choices, empty_label="Tous les statuts"
    )
    active = OuiNonFilter(label="Activé", condition=Q(date_activation__isnull=False))
    certifie = OuiNonFilter(label="Certifié CCP1", condition=Q(date_certification__isnull=False))
    coordinateur = OuiNonFilter(label="Coordinateur", condition=Q(est_coordinateur=True))
    departement = django_filters.ModelChoiceFilter(
        label="Département",
        field_name="structure__departement",
        queryset=Departement.objects.none(),
        empty_label="Tous les départements",
    )
    region = django_filters.ModelChoiceFilter(
        label="Région",
        field_name="structure__departement__region",
        queryset=Region.objects.none(),
        empty_label="Toutes les régions",
    )
    type_structure = django_filters.ChoiceFilter(
        label="Type de structure",
        field_name="structure__type",
        choices=TypeStructure.choices,
        empty_label="Tous les types",
    )
    tri = TriFilter(colonnes=COLONNES_CONSEILLERS, departage=("nom", "prenom", "pk"))
