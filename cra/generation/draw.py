"""What a CRA looks like: the weights of the real programme, and the drawing of one CRA."""

import bisect
import datetime
import random
from itertools import accumulate

from cra.enums import Activite, Canal, Duree, Organisme, SousTheme, Theme


class Weights:
    """Keys drawn in proportion to their weights."""

    def __init__(self, weights: dict):
        self.keys = list(weights)
        self.cumulative = list(accumulate(weights.values()))

    def pick(self, rng: random.Random):
        return self.keys[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


# --- What a CRA looks like: the weights of the real programme -------------------------------------------

ACTIVITES = Weights({Activite.INDIVIDUEL: 55, Activite.PONCTUEL: 25, Activite.COLLECTIF: 20})
WORKSHOP_SIZES = Weights({3: 7, 4: 11, 5: 14, 6: 14, 7: 11, 8: 10, 9: 8, 10: 9, 11: 5, 12: 11})
THEMES = Weights(
    {
        Theme.DEMARCHE_EN_LIGNE: 20,
        Theme.EQUIPEMENT_INFORMATIQUE: 17,
        Theme.COURRIEL: 13,
        Theme.INTERNET: 12,
        Theme.SANTE: 9,
        Theme.SECURITE: 5,
        Theme.VOCABULAIRE: 4,
        Theme.CONTENUS_NUMERIQUES: 4,
        Theme.ECHANGER: 4,
        Theme.TROUVER_EMPLOI: 4,
        Theme.TRAITEMENT_TEXTE: 4,
        Theme.FRAUDE_HARCELEMENT: 3,
        Theme.DIAGNOSTIC: 3,
        Theme.BUDGET: 2,
        Theme.ACCOMPAGNER_ENFANT: 2,
        Theme.SCOLAIRE: 1.5,
        Theme.TPE_PME: 1,
    }
)
THEMES_PER_CRA = Weights({1: 50, 2: 35, 3: 15})
# Parent theme -> probability of a sub-theme, and which.
SOUS_THEMES = {
    Theme.SANTE: (0.4, Weights({SousTheme.ESPACE_SANTE: 1})),
    Theme.EQUIPEMENT_INFORMATIQUE: (
        0.6,
        Weights({SousTheme.TELEPHONE: 45, SousTheme.ORDINATEUR: 35, SousTheme.TABLETTE: 20}),
    ),
    Theme.TRAITEMENT_TEXTE: (0.35, Weights({SousTheme.FOURNITURE: 1})),
    Theme.ACCOMPAGNER_ENFANT: (
        0.5,
        Weights({SousTheme.PARENT: 50, SousTheme.SOCIAL: 30, SousTheme.ENSEIGNANT: 20}),
    ),
}
AGE_FIELDS = ["age_moins_12", "age_12_18", "age_18_35", "age_35_60", "age_plus_60"]
STATUT_FIELDS = ["statut_etudiant", "statut_sans_emploi", "statut_en_emploi", "statut_retraite"]
STATUT_FIELDS += ["statut_heterogene"]


def _classes(weights: list) -> Weights:
    return Weights(dict(enumerate(weights)))


AGES_ONE_PERSON = _classes([1, 4, 16, 36, 43])
# A workshop has its public: seniors, young people (school workshops) or everybody.
WORKSHOP_PUBLICS = Weights({"seniors": 50, "jeunes": 15, "tous": 35})
AGES_WORKSHOP = {
    "seniors": _classes([0, 0, 3, 20, 77]),
    "jeunes": _classes([30, 60, 10, 0, 0]),
    "tous": AGES_ONE_PERSON,
}
# The statut by age class: étudiant, sans emploi, en emploi, retraité, non renseigné.
STATUTS_BY_AGE = [
    _classes([100, 0, 0, 0, 0]),
    _classes([95, 0, 0, 0, 5]),
    _classes([20, 35, 30, 0, 15]),
    _classes([0, 35, 45, 3, 17]),
    _classes([0, 2, 3, 85, 10]),
]
CANAUX = {
    Activite.INDIVIDUEL: Weights(
        {Canal.RATTACHEMENT: 78, Canal.AUTRE_LIEU: 8, Canal.DISTANCE: 9, Canal.DOMICILE: 5}
    ),
    Activite.PONCTUEL: Weights(
        {Canal.RATTACHEMENT: 70, Canal.AUTRE_LIEU: 8, Canal.DISTANCE: 20, Canal.DOMICILE: 2}
    ),
    Activite.COLLECTIF: Weights({Canal.RATTACHEMENT: 80, Canal.AUTRE_LIEU: 18, Canal.DISTANCE: 2}),
}
DUREES = {
    Activite.INDIVIDUEL: Weights({Duree.MOINS_30: 25, Duree.DE_30_A_60: 55, Duree.PLUS_60: 20}),
    Activite.PONCTUEL: Weights({Duree.MOINS_30: 75, Duree.DE_30_A_60: 22, Duree.PLUS_60: 3}),
    Activite.COLLECTIF: Weights({Duree.MOINS_30: 2, Duree.DE_30_A_60: 20, Duree.PLUS_60: 78}),
}
MINUTES_ONE_PERSON = Weights({60: 30, 75: 15, 90: 25, 105: 3, 120: 17, 150: 5, 180: 4, 240: 1})
MINUTES_WORKSHOP = Weights(
    {60: 8, 75: 4, 90: 20, 105: 3, 120: 28, 135: 2, 150: 9, 180: 14, 210: 3, 240: 5, 300: 2, 360: 1, 480: 1}
)
ORGANISMES = Weights(
    {
        Organisme.FRANCE_SERVICES: 15,
        Organisme.CAF: 12,
        Organisme.CPAM: 10,
        Organisme.FRANCE_TRAVAIL: 10,
        Organisme.MAIRIE: 8,
        Organisme.CCAS: 8,
        Organisme.ANTS: 6,
        Organisme.DGFIP: 6,
        Organisme.ASSISTANTE_SOCIALE: 6,
        Organisme.CARSAT: 4,
        Organisme.MISSION_LOCALE: 4,
        Organisme.MEDIATHEQUE: 3,
        Organisme.PREFECTURE: 2,
        Organisme.REVENDEUR: 2,
        Organisme.TIERS_LIEU: 2,
        Organisme.SOUS_PREFECTURE: 1,
        Organisme.CIP: 1,
        Organisme.CEFS: 1,
        Organisme.POLICE: 1,
        Organisme.GENDARMERIE: 1,
        Organisme.AUTRE: 5,
    }
)
AUTRES_ORGANISMES = ["MSA", "Bailleur social", "Point justice", "Banque", "Emmaüs Connect", "Notaire"]
ANNOTATIONS = [
    "Rendez-vous suivant pris",
    "Dossier retraite en cours",
    "Public allophone",
    "Prêt de tablette",
    "Atelier du mardi",
    "Venue avec sa fille",
    "Impression de justificatifs",
    "À rappeler la semaine prochaine",
    "Création d'adresse e-mail",
    "Partenariat CCAS",
]
# Monday .. Sunday: few Saturdays, no Sundays.
WEEKDAYS = [0.85, 1.0, 0.95, 1.0, 0.85, 0.1, 0.0]
HOLIDAYS = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}


def day_weight(day: datetime.date) -> float:
    """How busy a day is: weekdays, quieter in July, August and around Christmas, closed on holidays."""
    if (day.month, day.day) in HOLIDAYS:
        return 0.0
    weight = WEEKDAYS[day.weekday()]
    if day.month == 8:
        weight *= 0.45
    elif day.month == 7:
        weight *= 0.85
    elif (day.month == 12 and day.day >= 20) or (day.month == 1 and day.day <= 3):
        weight *= 0.3
    return weight


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(rng.random() < p for _ in range(n))


def _spread(rng: random.Random, n: int, classes: Weights) -> list[int]:
    """n people spread over five classes."""
    counts = [0] * 5
    for _ in range(n):
        counts[classes.pick(rng)] += 1
    return counts


def _draw_people(rng: random.Random, activite: str) -> dict:
    """Participants, their ages and statuts (each summing to the participants), récurrents."""
    if activite == Activite.COLLECTIF:
        n = WORKSHOP_SIZES.pick(rng)
        ages = _spread(rng, n, AGES_WORKSHOP[WORKSHOP_PUBLICS.pick(rng)])
        recurrents = 0 if rng.random() < 0.35 else _binomial(rng, n, 0.5)
        statuts_unknown = rng.random() < 0.3  # often not asked in a workshop
    else:
        n = 1
        ages = _spread(rng, 1, AGES_ONE_PERSON)
        recurrents = int(rng.random() < (0.35 if activite == Activite.INDIVIDUEL else 0.15))
        statuts_unknown = False
    statuts = [0, 0, 0, 0, n if statuts_unknown else 0]
    if not statuts_unknown:
        for age_class, count in enumerate(ages):
            for index, number in enumerate(_spread(rng, count, STATUTS_BY_AGE[age_class])):
                statuts[index] += number
    return {
        "nb_participants": n,
        "nb_participants_recurrents": recurrents,
        **dict(zip(AGE_FIELDS, ages, strict=True)),
        **dict(zip(STATUT_FIELDS, statuts, strict=True)),
    }


def _draw_themes(rng: random.Random) -> tuple[list[str], list[str]]:
    """One to three themes, the frequent ones first; sometimes a sub-theme, always under its theme."""
    count, themes = THEMES_PER_CRA.pick(rng), []
    while len(themes) < count:
        theme = THEMES.pick(rng)
        if theme not in themes:
            themes.append(theme)
    sous_themes = []
    for theme in themes:
        probability, choices = SOUS_THEMES.get(theme, (0, None))
        if rng.random() < probability:
            sous_themes.append(choices.pick(rng).value)
    return [theme.value for theme in themes], sous_themes


def _draw_suivi(rng: random.Random, activite: str, n: int) -> dict:
    """Follow-ups and redirections: never more than the participants."""
    suivi_individuel = suivi_atelier = 0
    redirections = []
    if n == 1:
        r = rng.random()
        if r < (0.28 if activite == Activite.INDIVIDUEL else 0.08):
            suivi_individuel = 1
        elif r < 0.34:
            suivi_atelier = 1
        elif r < 0.44:
            redirections.append(_redirection(rng, 1))
    else:
        if rng.random() < 0.6:
            suivi_atelier = _binomial(rng, n, 0.35)
        suivi_individuel = _binomial(rng, n - suivi_atelier, 0.1)
        left = n - suivi_atelier - suivi_individuel
        if left and rng.random() < 0.12:
            for _ in range(rng.choice([1, 1, 2])):
                redirection = _redirection(rng, min(left, rng.randint(1, 3)))
                if redirection["nombre"] and redirection["organisme"] not in [
                    r["organisme"] for r in redirections
                ]:
                    redirections.append(redirection)
                    left -= redirection["nombre"]
    return {
        "suivi_individuel": suivi_individuel,
        "suivi_atelier": suivi_atelier,
        "redirections": redirections,
    }


def _redirection(rng: random.Random, nombre: int) -> dict:
    organisme = ORGANISMES.pick(rng)
    nom = rng.choice(AUTRES_ORGANISMES) if organisme == Organisme.AUTRE else ""
    return {"organisme": organisme.value, "nom_autre": nom, "nombre": nombre}


def draw_cra(rng: random.Random, places: dict[str, list[dict]]) -> dict:
    """A CRA without its date, as the rules take it; `places` gives the places checked, by canal."""
    activite = ACTIVITES.pick(rng)
    people = _draw_people(rng, activite)
    themes, sous_themes = _draw_themes(rng)
    duree = DUREES[activite].pick(rng)
    minutes = None
    if duree == Duree.PLUS_60:
        minutes = (MINUTES_WORKSHOP if activite == Activite.COLLECTIF else MINUTES_ONE_PERSON).pick(rng)
    canal = CANAUX[activite].pick(rng)
    options = places.get(canal) or places.get(Canal.AUTRE_LIEU) or next(iter(places.values()))
    place = rng.choices(options, weights=[option["_weight"] for option in options])[0]
    return {
        **{name: value for name, value in place.items() if name != "_weight"},
        "activite": activite.value,
        **people,
        "themes": themes,
        "sous_themes": sous_themes,
        "annotation": rng.choice(ANNOTATIONS) if rng.random() < 0.07 else "",
        "duree": duree.value,
        "duree_minutes": minutes,
        **_draw_suivi(rng, activite, people["nb_participants"]),
    }
