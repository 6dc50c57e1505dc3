"""`cras` and `cras_deleted` -> cra.Cra, field by field as SPEC §15 says, for the three shapes (V1 single
buckets and suites, V2 counts and one `organisme`, V3 `organismes`).

An imported CRA keeps what was recorded: a departure from today's form rules is a named anomaly stored
with it (ANOMALIES); only what cannot be read is rejected (Unreadable, with its reason).
"""

import datetime
from dataclasses import dataclass

from cnfs.import_v1.common import PARIS, count, moment, paris_date, text
from cnfs.import_v1.reader import Unreadable
from cnfs.socle.periode import DATE_LANCEMENT
from cnfs.socle.texte import replie
from cra.enums import THEME_OF_SOUS_THEME, Activite, Canal, Duree, Organisme, Source, SousTheme, Theme
from cra.models import sous_themes_to_bits, themes_to_bits
from cra.rules import ANNOTATION_MAX, COLLECTIF_MAX, DUREE_MINUTES_MAX, DUREE_MINUTES_MIN, DUREE_MINUTES_STEP

# Code -> meaning (docs/import-v1.md explains each one).
ANOMALIES = {
    "somme_ages": "la somme des tranches d'âge diffère du nombre de participants",
    "somme_statuts": "la somme des statuts diffère du nombre de participants",
    "recurrents_superieurs": "plus de personnes déjà accompagnées que de participants",
    "suivis_superieurs": "plus de poursuites et redirections que de participants",
    "participants_hors_limites": "nombre de participants hors des limites de l'activité",
    "duree_hors_grille": "durée hors de la grille (1 h à 8 h par quarts d'heure)",
    "sans_theme": "aucun thème",
    "theme_inconnu": "un thème inconnu, non repris",
    "sous_theme_inconnu": "un sous-thème inconnu, non repris",
    "sous_theme_sans_theme": "un sous-thème sans son thème",
    "annotation_tronquee": "annotation de plus de 35 caractères, coupée",
    "redirections_non_reparties": "le total des redirections diffère de la somme par organisme",
    "redirection_illisible": "une redirection sans nom ou sans nombre, non reprise",
    "lieu_inconnu": "lieu d'activité inconnu (non importé)",
    "structure_inconnue": "structure inconnue : employeur du jour retenu",
    "structure_hors_contrat": "aucun contrat ce jour-là : structure actuelle ou dernière retenue",
    "code_postal_illisible": "code postal qui n'a pas 5 chiffres",
    "commune_inconnue": "code commune absent et introuvable dans le référentiel",
}

CANAUX = {
    "rattachement": Canal.RATTACHEMENT,
    "autre": Canal.AUTRE_LIEU,
    "autre lieu": Canal.AUTRE_LIEU,
    "autre_lieu": Canal.AUTRE_LIEU,
    "distance": Canal.DISTANCE,
    "domicile": Canal.DOMICILE,
}
V1_AGES = {
    "-12": "age_moins_12",
    "12-18": "age_12_18",
    "18-35": "age_18_35",
    "35-60": "age_35_60",
    "+60": "age_plus_60",
}
AGE_KEYS = {
    "moins12ans": "age_moins_12",
    "de12a18ans": "age_12_18",
    "de18a35ans": "age_18_35",
    "de35a60ans": "age_35_60",
    "plus60ans": "age_plus_60",
}
V1_STATUTS = {
    "etudiant": "statut_etudiant",
    "sans emploi": "statut_sans_emploi",
    "en emploi": "statut_en_emploi",
    "retraite": "statut_retraite",
    "heterogene": "statut_heterogene",
}
STATUT_KEYS = {
    "etudiant": "statut_etudiant",
    "sansEmploi": "statut_sans_emploi",
    "enEmploi": "statut_en_emploi",
    "retraite": "statut_retraite",
    "heterogene": "statut_heterogene",
}
# Plain sets of the stored keys: TextChoices.values builds a new list at every call.
THEMES, SOUS_THEMES = frozenset(Theme.values), frozenset(SousTheme.values)
THEME_OF = {sous_theme.value: theme.value for sous_theme, theme in THEME_OF_SOUS_THEME.items()}
SUITES = {"individuel": "suivi_individuel", "atelier": "suivi_atelier", "redirection": "nb_redirections"}
THEME_ALIASES = {"tpe/pme": Theme.TPE_PME, "fraude et harcelement": Theme.FRAUDE_HARCELEMENT}
ORGANISMES = {
    **{replie(o.label): o.value for o in Organisme if o != Organisme.AUTRE},
    **{replie(o.value): o.value for o in Organisme if o != Organisme.AUTRE},
    "pole emploi": Organisme.FRANCE_TRAVAIL.value,
    "france travail": Organisme.FRANCE_TRAVAIL.value,
}

# The columns of an imported CRA, in the order of the rows `cra_row` returns.
COLUMNS = (
    "source_id",
    "conseiller_id",
    "structure_id",
    "date_accompagnement",
    "canal",
    "permanence_id",
    "code_postal",
    "code_commune",
    "nom_commune",
    "activite",
    "nb_participants",
    "nb_participants_recurrents",
    "age_moins_12",
    "age_12_18",
    "age_18_35",
    "age_35_60",
    "age_plus_60",
    "statut_etudiant",
    "statut_sans_emploi",
    "statut_en_emploi",
    "statut_retraite",
    "statut_heterogene",
    "suivi_individuel",
    "suivi_atelier",
    "nb_redirections",
    "themes",
    "sous_themes",
    "annotation",
    "duree",
    "duree_minutes",
    "source",
    "anomalies",
    "created_at",
    "updated_at",
    "deleted_at",
)
COUNT_COLUMNS = (*AGE_KEYS.values(), *STATUT_KEYS.values(), *SUITES.values())


@dataclass
class CraContexte:
    """What mapping a CRA needs, loaded once: the imported rows' pks, the employments, the référentiel."""

    conseillers: dict[str, int]
    structures: dict[str, int]
    permanences: dict[str, int]
    emplois: dict[int, list[tuple[int, datetime.date, datetime.date | None]]]
    current_structure: dict[int, int | None]
    referentiel: object | None = None  # structures.communes.ReferentielCommunes, when loaded

    def employer_on(self, conseiller: int, day: datetime.date) -> int | None:
        for structure, debut, fin in self.emplois.get(conseiller, ()):
            if debut <= day and (fin is None or day <= fin):
                return structure
        return None

    def any_employer(self, conseiller: int) -> int | None:
        emplois = self.emplois.get(conseiller) or []
        latest = max(emplois, key=lambda emploi: emploi[1], default=None)
        return self.current_structure.get(conseiller) or (latest[0] if latest else None)


def duree_of(value) -> tuple[str, int | None]:
    """`0-30` and `30-60` as is; 60, "60", "90" and numbers ≥ 60 -> `60+` with those minutes; 1–30 ->
    `0-30`; 31–59 -> `30-60`."""
    if isinstance(value, str):
        value = value.strip()
        if value in (Duree.MOINS_30, Duree.DE_30_A_60):
            return value, None
        if value.isdigit():
            value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 32_767:
        if value >= 60:
            return Duree.PLUS_60, value
        return (Duree.MOINS_30, None) if value <= 30 else (Duree.DE_30_A_60, None)
    raise Unreadable(f"durée inconnue : {str(value)[:40]}")


def _buckets(value, single: dict, keys: dict, participants: int) -> dict[str, int]:
    """V1: one bucket string -> every participant in it; V2/V3: the counts of the object as recorded."""
    if isinstance(value, str):
        column = single.get(value.strip())
        return {column: participants} if column else {}
    if isinstance(value, dict):
        return {column: count(value.get(key), key) for key, column in keys.items()}
    return {}


def _themes(cra: dict, anomalies: set) -> tuple[int, int, str]:
    """Themes, sub-themes (bits) and annotation, from `themes` and the `sousThemes` entries."""
    themes = set()
    for name in cra.get("themes") or []:
        key = text(name).casefold()
        key = THEME_ALIASES.get(key, key.replace(" ", "_"))
        if key in THEMES:
            themes.add(key)
        else:
            anomalies.add("theme_inconnu")
    sous_themes, annotations = set(), []
    for entry in cra.get("sousThemes") or []:
        for name, values in entry.items() if isinstance(entry, dict) else ():
            values = values if isinstance(values, list) else [values]
            if name == "annotation":
                annotations += [text(value) for value in values if text(value)]
                continue
            for value in values:
                key = text(value).casefold().replace("-", "_").replace(" ", "_")
                if key not in SOUS_THEMES:
                    anomalies.add("sous_theme_inconnu")
                    continue
                sous_themes.add(key)
                if THEME_OF[key] not in themes:
                    anomalies.add("sous_theme_sans_theme")
    if not themes:
        anomalies.add("sans_theme")
    annotation = ", ".join(annotations)
    if len(annotation) > ANNOTATION_MAX:
        anomalies.add("annotation_tronquee")
    return themes_to_bits(themes), sous_themes_to_bits(sous_themes), annotation[:ANNOTATION_MAX]


def _organisme(name: str) -> tuple[str, str]:
    """(organisme, free name): a name of §4.2's list (any case or accents; "Pôle emploi" -> France
    Travail), else "Autre" with the name as written."""
    known = ORGANISMES.get(replie(name))
    return (known, "") if known else (Organisme.AUTRE.value, name[:100])


def _redirections(cra: dict, recorded: int, anomalies: set) -> list[tuple[str, str, int]]:
    """V2 `organisme` (one name: the `redirection` count, 1 if absent); V3 `organismes` ([{name: n}])."""
    entries = []
    single = text(cra.get("organisme"))
    if single:
        entries.append((single, recorded or 1))
    many = cra.get("organismes")
    for entry in many if isinstance(many, list) else [many] if isinstance(many, dict) else []:
        for name, value in entry.items() if isinstance(entry, dict) else ():
            try:
                nombre = count(value, "redirection")
            except Unreadable:
                nombre = 0
            entries.append((text(name), nombre))
    # One row per organisme (the database keeps them unique per CRA): the same one twice is added up.
    merged: dict[tuple[str, str], list] = {}
    for name, nombre in entries:
        if not name or nombre < 1:
            anomalies.add("redirection_illisible")
            continue
        organisme, nom_autre = _organisme(name)
        merged.setdefault((organisme, nom_autre.casefold()), [organisme, nom_autre, 0])[2] += nombre
    return [tuple(redirection) for redirection in merged.values()]


def _commune(cra: dict, contexte: CraContexte, anomalies: set) -> tuple[str, str, str]:
    code_postal, nom = text(cra.get("codePostal")), text(cra.get("nomCommune"), 150)
    code_commune = text(cra.get("codeCommune")).upper()
    if not (len(code_postal) == 5 and code_postal.isdigit()):
        anomalies.add("code_postal_illisible")
    if not code_commune and contexte.referentiel is not None and nom:
        # Only when the postal code has exactly one commune of that name.
        found = [
            code
            for code, name in contexte.referentiel.get(code_postal, {}).items()
            if replie(name) == replie(nom)
        ]
        code_commune = found[0] if len(found) == 1 else ""
    if not code_commune:
        anomalies.add("commune_inconnue")
    return code_postal[:5], code_commune[:5], nom


def _structure(document: dict, conseiller: int, day, contexte: CraContexte, anomalies: set) -> int:
    """The `structure` DBRef, else (before Nov 2022) the employer on that date (§4.1)."""
    reference = document.get("structure")
    if reference and reference in contexte.structures:
        return contexte.structures[reference]
    if reference:
        anomalies.add("structure_inconnue")
    employer = contexte.employer_on(conseiller, day)
    if employer is None:
        employer = contexte.any_employer(conseiller)
        if employer is None:
            raise Unreadable("aucune structure pour ce CRA (ni référence, ni contrat)")
        anomalies.add("structure_hors_contrat")
    return employer


def _choice(value, table: dict, label: str) -> str:
    key = text(value).casefold()
    if key not in table:
        raise Unreadable(f"{label} inconnu : {key or 'absent'}")
    return table[key]


ACTIVITES = {activite: activite for activite in Activite.values}
COLLECTIF = Activite.COLLECTIF.value


def cra_row(document: dict, contexte: CraContexte, deleted_at=None) -> tuple[tuple, list[tuple]]:
    """The stored row of a CRA document (COLUMNS order) and its redirections (organisme, free name,
    count); raises Unreadable with the reason."""
    cra = document.get("cra")
    if not isinstance(cra, dict):
        raise Unreadable("document sans objet cra")
    if not document.get("conseiller"):
        raise Unreadable("conseiller absent")
    conseiller = contexte.conseillers.get(document["conseiller"])
    if conseiller is None:
        raise Unreadable("conseiller inconnu ou non importé")
    created_at, updated_at = moment(document.get("createdAt")), moment(document.get("updatedAt"))
    day = paris_date(cra.get("dateAccompagnement")) or paris_date(created_at)
    if day is None:
        raise Unreadable("date de l'accompagnement absente")
    if day < DATE_LANCEMENT:
        raise Unreadable(f"date de l'accompagnement avant le lancement du dispositif : {day.isoformat()}")
    canal = _choice(cra.get("canal"), CANAUX, "canal")
    activite = _choice(cra.get("activite"), ACTIVITES, "type d'activité")
    duree, minutes = duree_of(cra.get("duree"))
    anomalies: set[str] = set()

    participants = (
        1 if cra.get("nbParticipants") is None else count(cra.get("nbParticipants"), "nbParticipants")
    )
    recurrents = count(cra.get("nbParticipantsRecurrents"), "nbParticipantsRecurrents")
    counts = dict.fromkeys(COUNT_COLUMNS, 0)
    counts.update(_buckets(cra.get("age"), V1_AGES, AGE_KEYS, participants))
    counts.update(_buckets(cra.get("statut"), V1_STATUTS, STATUT_KEYS, participants))
    counts.update(_buckets(cra.get("accompagnement"), SUITES, dict(SUITES), participants))
    redirections = _redirections(cra, counts["nb_redirections"], anomalies)
    spread = sum(nombre for _o, _n, nombre in redirections)
    if redirections and spread != counts["nb_redirections"]:
        if counts["nb_redirections"]:
            anomalies.add("redirections_non_reparties")
        else:
            counts["nb_redirections"] = spread
    themes, sous_themes, annotation = _themes(cra, anomalies)
    code_postal, code_commune, nom_commune = _commune(cra, contexte, anomalies)
    permanence = None
    if document.get("permanence"):
        permanence = contexte.permanences.get(document["permanence"])
        if permanence is None:
            anomalies.add("lieu_inconnu")
    structure = _structure(document, conseiller, day, contexte, anomalies)

    limits = (1, COLLECTIF_MAX) if activite == COLLECTIF else (1, 1)
    if not limits[0] <= participants <= limits[1]:
        anomalies.add("participants_hors_limites")
    if recurrents > participants:
        anomalies.add("recurrents_superieurs")
    if sum(counts[c] for c in AGE_KEYS.values()) != participants:
        anomalies.add("somme_ages")
    if sum(counts[c] for c in STATUT_KEYS.values()) != participants:
        anomalies.add("somme_statuts")
    if sum(counts[c] for c in SUITES.values()) > participants:
        anomalies.add("suivis_superieurs")
    if minutes is not None and not (
        DUREE_MINUTES_MIN <= minutes <= DUREE_MINUTES_MAX and minutes % DUREE_MINUTES_STEP == 0
    ):
        anomalies.add("duree_hors_grille")

    if created_at is None:
        created_at = updated_at or datetime.datetime.combine(day, datetime.time(12), tzinfo=PARIS)
    row = (
        document["_id"],
        conseiller,
        structure,
        day,
        canal,
        permanence,
        code_postal,
        code_commune,
        nom_commune,
        activite,
        participants,
        recurrents,
        *(counts[c] for c in COUNT_COLUMNS),
        themes,
        sous_themes,
        annotation,
        duree,
        minutes,
        Source.COOP_V1.value,
        sorted(anomalies),
        created_at,
        updated_at or created_at,
        deleted_at,
    )
    return row, redirections
