"""The statistics of SPEC §5, defined once: indicator ids, French labels, the rows of every section and
their order, the durée buckets and the minutes counted. Pages, CSV, PDF, the reference computation and the
aggregates all read from here; nothing is relabelled or reordered elsewhere."""

from dataclasses import dataclass

from cra.enums import AGES, CURRENT_THEMES, STATUTS, Activite, Canal, Duree, Organisme, SousTheme, Theme
from stats.request import ScopeKind, StatsScope

# Key figures, in the order of the pages' tiles and of the CSV "Général" section.
KEY_FIGURES: tuple[tuple[str, str], ...] = (
    ("cra", "CRA enregistrés"),
    ("ateliers", "Ateliers réalisés"),
    ("participants_ateliers", "Participants aux ateliers"),
    ("individuels", "Accompagnements individuels"),
    ("ponctuels", "Demandes ponctuelles"),
    ("accompagnements", "Accompagnements totaux enregistrés (dont récurrents)"),
    ("recurrents", "dont personnes déjà accompagnées"),
    ("personnes", "Personnes accompagnées (nouveaux usagers)"),
    ("suivi_individuel", "Poursuite en accompagnement individuel"),
    ("suivi_atelier", "Poursuite en atelier collectif"),
    ("redirections", "Redirections vers une autre structure"),
    ("avec_suivi", "Accompagnements avec suivi"),
    ("taux_suivi", "% du total des usagers accompagnés"),
)

# Columns of "Statistiques par territoire" (SPEC §6), in order: the page's table and its CSV. The activity
# columns count over the period; the conseiller columns are the current state (SPEC §5).
TERRITOIRE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", "Code"),
    ("nom", "Nom"),
    ("cra", "CRA enregistrés"),
    ("personnes", "Personnes accompagnées"),
    ("accompagnements", "Accompagnements"),
    ("dotation", "Dotation de conseillers"),
    ("recrutes", "Conseillers recrutés"),
    ("actives", "CnFS activés"),
    ("en_attente", "CnFS en attente d'activation"),
    ("taux_activation", "Taux d'activation"),
)

# Sections of a statistics page / CSV / PDF, in their order: (attribute of Statistiques, title).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("themes", "Thèmes des accompagnements"),
    ("canaux", "Canaux d'accompagnement"),
    ("temps", "Temps en accompagnement"),
    ("durees", "Durée des accompagnements"),
    ("ages", "Tranches d'âge des usagers"),
    ("statuts", "Statut des usagers"),
    ("evolution", "Évolution des comptes rendus d'activité"),
    ("redirections_detail", "Usagers réorientés"),
)

# Themes: the statistics label where it differs from the form's (SPEC §4.2). Rows follow the order of the
# current themes, then the legacy `smartphone` when it is > 0; the legacy `autre` is never shown and is not
# part of the denominator of the percentages.
THEME_STAT_LABELS: dict[str, str] = {
    Theme.TROUVER_EMPLOI: "Emploi et formation",
    Theme.COURRIEL: "Courriels",
    Theme.TPE_PME: "Numérique et TPE/PME",
    Theme.CONTENUS_NUMERIQUES: "Gestion de contenus numériques",
    Theme.FRAUDE_HARCELEMENT: "Fraude et harcèlement",
    Theme.DEMARCHE_EN_LIGNE: "Démarche en ligne",
    Theme.SMARTPHONE: "Applications smartphone",
}
THEMES_SHOWN: tuple[str, ...] = tuple(theme.value for theme in CURRENT_THEMES)
THEMES_SHOWN_WHEN_POSITIVE: tuple[str, ...] = (Theme.SMARTPHONE.value,)
THEMES_NEVER_SHOWN: tuple[str, ...] = (Theme.AUTRE.value,)
# Sub-rows shown under a theme: CRAs carrying the sub-theme, never added to the denominator.
THEME_SUB_ROWS: dict[str, tuple[str, ...]] = {Theme.SANTE.value: (SousTheme.ESPACE_SANTE.value,)}


def theme_label(key: str) -> str:
    return THEME_STAT_LABELS.get(key, Theme(key).label)


def sous_theme_label(key: str) -> str:
    return SousTheme(key).label


CANAUX: tuple[tuple[str, str], ...] = tuple((canal.value, canal.label) for canal in Canal)
ACTIVITES: tuple[tuple[str, str], ...] = tuple((activite.value, activite.label) for activite in Activite)
AGE_BUCKETS: tuple[tuple[str, str], ...] = tuple(AGES)
STATUT_BUCKETS: tuple[tuple[str, str], ...] = tuple(STATUTS)


@dataclass(frozen=True)
class DureeBucket:
    """CRAs of `duree`, and for `60+` with `min_minutes <= duree_minutes < max_minutes`."""

    key: str
    label: str
    duree: str
    min_minutes: int | None = None
    max_minutes: int | None = None

    def contains(self, duree: str, minutes: int | None) -> bool:
        if duree != self.duree:
            return False
        if self.min_minutes is not None and (minutes is None or minutes < self.min_minutes):
            return False
        return self.max_minutes is None or (minutes is not None and minutes < self.max_minutes)


DUREE_BUCKETS: tuple[DureeBucket, ...] = (
    DureeBucket("0-30", "Moins de 30 minutes", Duree.MOINS_30.value),
    DureeBucket("30-60", "30-60 minutes", Duree.DE_30_A_60.value),
    DureeBucket("60-120", "60-120 minutes", Duree.PLUS_60.value, max_minutes=120),
    DureeBucket("120+", "Plus de 120 minutes", Duree.PLUS_60.value, min_minutes=120),
)

# Minutes counted in "Temps en accompagnement": a fixed value per short durée, else the minutes typed.
# A workshop counts once, whatever its number of participants.
MINUTES_PAR_DUREE: dict[str, int] = {Duree.MOINS_30.value: 30, Duree.DE_30_A_60.value: 60}


def duree_bucket(duree: str, minutes: int | None) -> str:
    return next(bucket.key for bucket in DUREE_BUCKETS if bucket.contains(duree, minutes))


def minutes_comptees(duree: str, minutes: int | None) -> int:
    return MINUTES_PAR_DUREE.get(duree, minutes or 0)


# Redirections: the fixed organismes in the order of SPEC §4.2, then the free names grouped as "Autres".
# Only organismes with at least one person are shown.
ORGANISME_STAT_LABELS: dict[str, str] = {
    Organisme.FRANCE_TRAVAIL: "France Travail",
    Organisme.AUTRE: "Autres",
}
ORGANISMES: tuple[tuple[str, str], ...] = tuple(
    (organisme.value, ORGANISME_STAT_LABELS.get(organisme, organisme.label))
    for organisme in [*(o for o in Organisme if o != Organisme.AUTRE), Organisme.AUTRE]
)

MOIS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def mois_label(year: int, month: int) -> str:
    """(2024, 2) -> "février 2024"."""
    return f"{MOIS[month - 1]} {year}"


def cras_comptes(scope: StatsScope, *, employeur: str = "") -> str:
    """Which CRAs the statistics of `scope` count, in one sentence for the page and its files (SPEC §5,
    §20). `employeur`: the name of the structure a conseiller's CRAs are restricted to, when they are."""
    match scope.kind:
        case ScopeKind.NATIONAL:
            return "CRA comptés : tous les CRA enregistrés en France."
        case ScopeKind.REGION:
            return "CRA comptés : ceux faits pour les structures des départements de la région."
        case ScopeKind.DEPARTEMENT:
            return "CRA comptés : ceux faits pour les structures du département."
        case ScopeKind.HUB:
            return "CRA comptés : ceux faits pour les structures des départements du hub."
        case ScopeKind.STRUCTURE:
            return "CRA comptés : ceux faits pour cette structure, par ses conseillers actuels et anciens."
        case ScopeKind.CONSEILLER if scope.structure_id is not None:
            structure = f"la structure « {employeur} »" if employeur else "cette structure"
            return (
                f"CRA comptés : seuls ceux faits pour {structure}, "
                "pas ceux faits pour les autres employeurs du conseiller."
            )
        case ScopeKind.CONSEILLER:
            return "CRA comptés : tous ceux du conseiller, pour chacun de ses employeurs."
    if len(scope.conseiller_ids) == 1:
        return "CRA comptés : ceux du coordinateur seul, l'équipe ne compte aucun autre conseiller."
    return (
        f"CRA comptés : ceux des {len(scope.conseiller_ids)} conseillers de l'équipe, coordinateur compris, "
        "pour tous leurs employeurs."
    )
