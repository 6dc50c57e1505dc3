"""Every rule of a CRA (SPEC §4.1), in one place for the form, the imports and the data generator.

`check_cra` works on already-typed values (the form or the importer parses the text) and on a
`CraContext` loaded once for the conseiller, so that it runs without a query: the generator calls it on
millions of rows.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from cnfs.socle.periode import DATE_LANCEMENT
from cra.enums import (
    AGES,
    CURRENT_THEMES,
    LEGACY_THEMES,
    STATUTS,
    THEME_OF_SOUS_THEME,
    Activite,
    Canal,
    Duree,
    Organisme,
    SousTheme,
    Theme,
)
from structures.communes import commune_check

COLLECTIF_MAX = 100
ANNOTATION_MIN, ANNOTATION_MAX = 3, 35
DUREE_MINUTES_MIN, DUREE_MINUTES_MAX, DUREE_MINUTES_STEP = 60, 480, 15


@dataclass(frozen=True)
class Emploi:
    structure_id: int
    debut: datetime.date
    fin: datetime.date | None  # last day worked, None while it lasts


@dataclass(frozen=True)
class Lieu:
    code_postal: str
    code_commune: str
    nom_commune: str
    structure_id: int | None = None  # None where the caller does not know it (generator, imports' tests)


@dataclass
class CraContext:
    """What the rules need to know, loaded once per conseiller (or per import batch)."""

    emplois: list[Emploi]
    lieux: dict[int, Lieu]
    # postal code -> {INSEE code: commune name}; None when the référentiel of communes is not loaded.
    communes_par_code_postal: dict[str, dict[str, str]] | None = None
    legacy_themes_allowed: bool = False
    today: datetime.date = field(default_factory=timezone.localdate)

    def structure_on(self, day: datetime.date) -> int | None:
        for emploi in self.emplois:
            if emploi.debut <= day and (emploi.fin is None or day <= emploi.fin):
                return emploi.structure_id
        return None


@dataclass
class CraCheck:
    """The outcome of the rules: errors by field (French messages), and the values to store."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    values: dict = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def _fr(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


# Callers other than the form (imports, scripts) are not trusted either: a value of an unexpected type is
# refused with the rule's message, never left to raise a TypeError.
def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value) -> str:
    """A text value, stripped; any other type, or a text holding a NUL character (which PostgreSQL cannot
    store, and no keyboard types), reads as empty."""
    return value.strip() if isinstance(value, str) and "\x00" not in value else ""


def _keys(value) -> list | None:
    """A list of keys (themes, sub-themes), or None when it is not one."""
    if isinstance(value, list | tuple | set | frozenset) and all(isinstance(key, str) for key in value):
        return list(value)
    return None


def check_cra(data: dict, context: CraContext) -> CraCheck:
    """Applies every rule to typed values (form names of SPEC §4.1) and returns errors and stored values."""
    check = CraCheck()
    _check_date(data, context, check)
    _check_lieu(data, context, check)
    _check_participants(data, check)
    _check_themes(data, context, check)
    _check_annotation(data, check)
    _check_duree(data, check)
    _check_suivi(data, check)
    return check


def _check_date(data, context, check):
    day = data.get("date_accompagnement")
    # A datetime is not a calendar date (SPEC §11: timestamps moved CRAs to the previous day).
    if not isinstance(day, datetime.date) or isinstance(day, datetime.datetime):
        check.add("date_accompagnement", "Indiquez la date de l'accompagnement.")
        return
    if day > context.today:
        check.add("date_accompagnement", "La date de l'accompagnement ne peut pas être dans le futur.")
    elif day < DATE_LANCEMENT:
        check.add(
            "date_accompagnement",
            f"La date ne peut pas précéder le {_fr(DATE_LANCEMENT)}, lancement du dispositif.",
        )
    else:
        structure_id = context.structure_on(day)
        if structure_id is None:
            check.add(
                "date_accompagnement",
                f"Vous n'étiez employé par aucune structure le {_fr(day)} : "
                "vérifiez la date de l'accompagnement.",
            )
        check.values["date_accompagnement"] = day
        check.values["structure_id"] = structure_id


def _choice(data, name, choices, missing: str, unknown: str, check):
    """The value of a required choice, or None after recording why it is refused."""
    value = data.get(name) or ""
    if value not in choices.values:
        check.add(name, unknown if value else missing)
        return None
    check.values[name] = value
    return value


def _check_lieu(data, context, check):
    canal = _choice(
        data, "canal", Canal, "Choisissez le canal de l'accompagnement.", "Ce canal n'existe pas.", check
    )
    if canal is None:
        return
    permanence_id = data.get("permanence")
    lieu = context.lieux.get(permanence_id) if _is_int(permanence_id) else None
    if permanence_id and lieu is None:
        check.add("permanence", "Ce lieu d'activité ne fait pas partie des vôtres.")
        return
    employeur = check.values.get("structure_id")
    if lieu is not None and None not in (lieu.structure_id, employeur) and lieu.structure_id != employeur:
        # A structure he left keeps its lieux; his CRAs there are those of the days it employed him
        # (SPEC §18).
        check.add(
            "permanence",
            f"Ce lieu d'activité appartient à une structure qui ne vous employait pas le "
            f"{_fr(check.values['date_accompagnement'])}.",
        )
        return
    if canal == Canal.RATTACHEMENT:
        if lieu is None:
            check.add("permanence", "Choisissez votre lieu d'activité.")
            return
        # The lieu fills the postal code and the commune.
        check.values.update(
            permanence_id=permanence_id,
            code_postal=lieu.code_postal,
            code_commune=lieu.code_commune,
            nom_commune=lieu.nom_commune,
        )
        return
    check.values["permanence_id"] = None
    if canal == Canal.DISTANCE and lieu is not None and not data.get("code_postal"):
        # At a distance, the place defaults to the lieu d'activité when the person's commune is not given.
        check.values.update(
            permanence_id=permanence_id,
            code_postal=lieu.code_postal,
            code_commune=lieu.code_commune,
            nom_commune=lieu.nom_commune,
        )
        return
    _check_commune(data, context, check)


def _check_commune(data, context, check):
    errors, values = commune_check(
        _text(data.get("code_postal")),
        _text(data.get("code_commune")),
        _text(data.get("nom_commune")),
        context.communes_par_code_postal,
    )
    for name, messages in errors.items():
        for message in messages:
            check.add(name, message)
    check.values.update(values)


def _count(data, name, check, label):
    value = data.get(name)
    if value in (None, ""):
        return 0
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        check.add(name, f"{label} : indiquez un nombre entier positif ou nul.")
        return None
    if value > 10_000:
        check.add(name, f"{label} : ce nombre est trop grand.")
        return None
    return value


def _check_participants(data, check):
    activite = _choice(
        data,
        "activite",
        Activite,
        "Choisissez le type d'activité.",
        "Ce type d'activité n'existe pas.",
        check,
    )
    if activite is None:
        return
    participants = data.get("nb_participants")
    if activite in (Activite.INDIVIDUEL, Activite.PONCTUEL):
        # Set on the server whatever was sent: one person.
        participants = 1
    elif (
        not isinstance(participants, int)
        or isinstance(participants, bool)
        or not 1 <= participants <= COLLECTIF_MAX
    ):
        check.add("nb_participants", f"Un atelier collectif compte de 1 à {COLLECTIF_MAX} participants.")
        return
    check.values["nb_participants"] = participants

    counts = {name: _count(data, name, check, label) for name, label in _COUNT_LABELS.items()}
    if any(value is None for value in counts.values()):
        return
    check.values.update(counts)
    if counts["nb_participants_recurrents"] > participants:
        check.add(
            "nb_participants_recurrents",
            f"Les personnes déjà accompagnées ({counts['nb_participants_recurrents']}) ne peuvent pas "
            f"dépasser le nombre de participants ({participants}).",
        )
    for group, fields, label in (("ages", AGES, "tranches d'âge"), ("statuts", STATUTS, "statuts")):
        total = sum(counts[name] for name, _label in fields)
        if total != participants:
            check.add(
                group,
                f"La somme des {label} ({total}) doit être égale au nombre de participants ({participants}).",
            )


_COUNT_LABELS = {
    **dict(AGES),
    **dict(STATUTS),
    "nb_participants_recurrents": "Personnes déjà accompagnées",
    "suivi_individuel": "Poursuite en accompagnement individuel",
    "suivi_atelier": "Poursuite en atelier collectif",
}


def _check_themes(data, context, check):
    themes, sous_themes = _keys(data.get("themes") or []), _keys(data.get("sous_themes") or [])
    if themes is None:
        check.add("themes", "Choisissez les thèmes dans la liste.")
        return
    if sous_themes is None:
        check.add("sous_themes", "Choisissez les sous-thèmes dans la liste.")
        return
    allowed = set(CURRENT_THEMES) | (LEGACY_THEMES if context.legacy_themes_allowed else set())
    if not themes:
        check.add("themes", "Choisissez au moins un thème.")
        return
    if len(set(themes)) != len(themes):
        check.add("themes", "Un thème ne peut être choisi qu'une fois.")
    unknown = [theme for theme in themes if theme not in Theme.values]
    legacy = [theme for theme in themes if theme in LEGACY_THEMES and theme not in allowed]
    if unknown:
        check.add("themes", "Ce thème n'existe pas.")
    if legacy:
        check.add("themes", "Ce thème n'est plus proposé : choisissez un thème de la liste.")
    for sous_theme in sous_themes:
        if sous_theme not in SousTheme.values:
            check.add("sous_themes", "Ce sous-thème n'existe pas.")
        elif THEME_OF_SOUS_THEME[sous_theme] not in themes:
            parent = Theme(THEME_OF_SOUS_THEME[sous_theme]).label
            check.add(
                "sous_themes",
                f"Le sous-thème « {SousTheme(sous_theme).label} » demande le thème « {parent} ».",
            )
    if "themes" not in check.errors and "sous_themes" not in check.errors:
        check.values.update(themes=sorted(set(themes)), sous_themes=sorted(set(sous_themes)))


def _check_annotation(data, check):
    annotation = data.get("annotation") or ""
    if not isinstance(annotation, str):
        check.add("annotation", "L'annotation doit être un texte.")
        return
    if "\x00" in annotation:
        check.add("annotation", "L'annotation contient un caractère nul.")
        return
    annotation = annotation.strip()
    if annotation and not ANNOTATION_MIN <= len(annotation) <= ANNOTATION_MAX:
        check.add(
            "annotation",
            f"L'annotation compte de {ANNOTATION_MIN} à {ANNOTATION_MAX} caractères (ici {len(annotation)}).",
        )
        return
    check.values["annotation"] = annotation


def _check_duree(data, check):
    duree = _choice(
        data, "duree", Duree, "Choisissez la durée de l'accompagnement.", "Cette durée n'existe pas.", check
    )
    if duree is None:
        return
    if duree != Duree.PLUS_60:
        check.values["duree_minutes"] = None  # ignored when the session lasted less than an hour
        return
    minutes = data.get("duree_minutes")
    valid = (
        isinstance(minutes, int)
        and not isinstance(minutes, bool)
        and DUREE_MINUTES_MIN <= minutes <= DUREE_MINUTES_MAX
        and minutes % DUREE_MINUTES_STEP == 0
    )
    if not valid:
        check.add(
            "duree_minutes",
            "Indiquez la durée exacte, de 1 h à 8 h par tranches de 15 minutes.",
        )
        return
    check.values["duree_minutes"] = minutes


def _check_suivi(data, check):
    redirections = []
    given = data.get("redirections") or []
    if not isinstance(given, list | tuple) or not all(isinstance(r, dict) for r in given):
        check.add("redirections", "Les redirections sont mal formées.")
        return
    for index, redirection in enumerate(given):
        organisme = redirection.get("organisme") or ""
        nom = _text(redirection.get("nom_autre")) if organisme == Organisme.AUTRE else ""
        nombre = redirection.get("nombre")
        if organisme not in Organisme.values:
            check.add("redirections", "Cet organisme de redirection n'existe pas.")
        elif organisme == Organisme.AUTRE and not nom:
            check.add("redirections", "Précisez le nom de l'autre organisme.")
        elif len(nom) > 100:
            check.add("redirections", "Le nom de l'organisme ne doit pas dépasser 100 caractères.")
        elif not isinstance(nombre, int) or isinstance(nombre, bool) or not 1 <= nombre <= 10_000:
            check.add(
                "redirections", f"Redirection {index + 1} : indiquez un nombre de personnes d'au moins 1."
            )
        else:
            redirections.append({"organisme": organisme, "nom_autre": nom, "nombre": nombre})
    keys = [(r["organisme"], r["nom_autre"].casefold()) for r in redirections]
    if len(set(keys)) != len(keys):
        check.add("redirections", "Chaque organisme ne peut figurer qu'une fois dans les redirections.")
    if "redirections" in check.errors:
        return
    check.values["redirections"] = redirections
    check.values["nb_redirections"] = sum(r["nombre"] for r in redirections)
    participants = check.values.get("nb_participants")
    suivi = [check.values.get("suivi_individuel"), check.values.get("suivi_atelier")]
    if participants is None or None in suivi:
        return
    total = sum(suivi) + check.values["nb_redirections"]
    if total > participants:
        check.add(
            "suivi",
            f"Les poursuites et redirections ({total}) ne peuvent pas dépasser le nombre de participants "
            f"({participants}).",
        )
