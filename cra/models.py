from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from cnfs.socle.provenance import source_id_field
from cra.enums import AGES, STATUTS, Activite, Canal, Duree, Organisme, Source, SousTheme, Theme

# Themes and sub-themes are stored as bit sets: one integer per CRA, counted by bit in the statistics
# (a portable single-row storage that keeps bulk loads and aggregations fast at 10 million CRAs).
# The positions are stored data: written here once and for all, never derived from the order of the
# enumerations (a value added among them would shift every later bit of every stored CRA). A new value
# takes the next free position; tests/cra/test_encodages.py holds them.
THEME_POSITIONS = {
    Theme.DIAGNOSTIC: 0,
    Theme.EQUIPEMENT_INFORMATIQUE: 1,
    Theme.BUDGET: 2,
    Theme.VOCABULAIRE: 3,
    Theme.INTERNET: 4,
    Theme.TROUVER_EMPLOI: 5,
    Theme.COURRIEL: 6,
    Theme.ECHANGER: 7,
    Theme.TPE_PME: 8,
    Theme.SECURITE: 9,
    Theme.CONTENUS_NUMERIQUES: 10,
    Theme.ACCOMPAGNER_ENFANT: 11,
    Theme.FRAUDE_HARCELEMENT: 12,
    Theme.TRAITEMENT_TEXTE: 13,
    Theme.SCOLAIRE: 14,
    Theme.SANTE: 15,
    Theme.DEMARCHE_EN_LIGNE: 16,
    Theme.SMARTPHONE: 17,
    Theme.AUTRE: 18,
}
SOUS_THEME_POSITIONS = {
    SousTheme.ESPACE_SANTE: 0,
    SousTheme.FOURNITURE: 1,
    SousTheme.ORDINATEUR: 2,
    SousTheme.TABLETTE: 3,
    SousTheme.TELEPHONE: 4,
    SousTheme.PARENT: 5,
    SousTheme.SOCIAL: 6,
    SousTheme.ENSEIGNANT: 7,
}
THEME_BITS = {theme.value: 1 << position for theme, position in THEME_POSITIONS.items()}
SOUS_THEME_BITS = {sous_theme.value: 1 << position for sous_theme, position in SOUS_THEME_POSITIONS.items()}


def themes_to_bits(keys) -> int:
    return sum(THEME_BITS[key] for key in set(keys))


def sous_themes_to_bits(keys) -> int:
    return sum(SOUS_THEME_BITS[key] for key in set(keys))


def bits_to_keys(bits: int, table: dict) -> list[str]:
    return [key for key, bit in table.items() if bits & bit]


def duree_minutes_label(minutes: int) -> str:
    """90 -> "1 h 30", 120 -> "2 h"."""
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def _entered_here(condition: Q) -> Q:
    """A form rule the database enforces on the CRAs entered here; an imported CRA keeps what the first
    system recorded, its departures named in `anomalies` (SPEC §15)."""
    return ~Q(source=Source.SAISIE) | condition


class CraQuerySet(models.QuerySet):
    def actifs(self):
        """The CRAs that count: every page, export and statistic ignores the deleted ones."""
        return self.filter(deleted_at__isnull=True)

    def with_theme(self, theme: str):
        return self.annotate(_theme_bit=F("themes").bitand(THEME_BITS[theme])).exclude(_theme_bit=0)


class Cra(models.Model):
    """A compte rendu d'activité: counts about one accompaniment, never the identity of a person."""

    conseiller = models.ForeignKey("conseillers.Conseiller", on_delete=models.PROTECT, related_name="cras")
    structure = models.ForeignKey(
        "structures.Structure",
        on_delete=models.PROTECT,
        related_name="cras",
        help_text="L'employeur du conseiller à la date de l'accompagnement.",
    )
    date_accompagnement = models.DateField("date de l'accompagnement")
    canal = models.CharField(max_length=12, choices=Canal.choices)
    permanence = models.ForeignKey(
        "conseillers.Permanence",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cras",
        verbose_name="lieu d'activité",
    )
    code_postal = models.CharField("code postal", max_length=5)
    code_commune = models.CharField("code commune INSEE", max_length=5)
    nom_commune = models.CharField("commune", max_length=150)
    activite = models.CharField("activité", max_length=10, choices=Activite.choices)
    nb_participants = models.PositiveSmallIntegerField("nombre de participants")
    nb_participants_recurrents = models.PositiveSmallIntegerField("personnes déjà accompagnées", default=0)
    age_moins_12 = models.PositiveSmallIntegerField(AGES[0][1], default=0)
    age_12_18 = models.PositiveSmallIntegerField(AGES[1][1], default=0)
    age_18_35 = models.PositiveSmallIntegerField(AGES[2][1], default=0)
    age_35_60 = models.PositiveSmallIntegerField(AGES[3][1], default=0)
    age_plus_60 = models.PositiveSmallIntegerField(AGES[4][1], default=0)
    statut_etudiant = models.PositiveSmallIntegerField(STATUTS[0][1], default=0)
    statut_sans_emploi = models.PositiveSmallIntegerField(STATUTS[1][1], default=0)
    statut_en_emploi = models.PositiveSmallIntegerField(STATUTS[2][1], default=0)
    statut_retraite = models.PositiveSmallIntegerField(STATUTS[3][1], default=0)
    statut_heterogene = models.PositiveSmallIntegerField(STATUTS[4][1], default=0)
    themes = models.PositiveIntegerField("thèmes", help_text="Ensemble de bits, voir cra.models.THEME_BITS.")
    sous_themes = models.PositiveIntegerField("sous-thèmes", default=0)
    annotation = models.CharField(max_length=35, blank=True)
    duree = models.CharField("durée", max_length=5, choices=Duree.choices)
    duree_minutes = models.PositiveSmallIntegerField("durée en minutes", null=True, blank=True)
    suivi_individuel = models.PositiveSmallIntegerField("poursuite en accompagnement individuel", default=0)
    suivi_atelier = models.PositiveSmallIntegerField("poursuite en atelier collectif", default=0)
    nb_redirections = models.PositiveSmallIntegerField(
        "personnes redirigées", default=0, help_text="Somme des redirections, tenue par le service."
    )
    idempotency_key = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    # Database defaults too: the volume generator and bulk loads write CRAs in plain SQL.
    source = models.CharField(
        max_length=10, choices=Source.choices, default=Source.SAISIE, db_default=Source.SAISIE, editable=False
    )
    source_id = source_id_field("ObjectId du CRA importé de la première version (vide si saisi ici).")
    # The departures from today's rules an imported CRA kept (cnfs.import_v1.anomalies): codes, sorted.
    anomalies = models.JSONField(default=list, db_default=[], blank=True, editable=False)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    deleted_at = models.DateTimeField("supprimé le", null=True, blank=True)

    objects = CraQuerySet.as_manager()

    class Meta:
        verbose_name = "compte rendu d'activité"
        verbose_name_plural = "comptes rendus d'activité"
        indexes = [
            models.Index(fields=["conseiller", "-date_accompagnement"], name="cra_conseiller_date"),
            models.Index(fields=["conseiller", "-updated_at"], name="cra_conseiller_modif"),
            models.Index(fields=["structure", "date_accompagnement"], name="cra_structure_date"),
            models.Index(fields=["date_accompagnement"], name="cra_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_accompagnement__gte="2020-11-17"), name="cra_apres_lancement"
            ),
            models.CheckConstraint(condition=Q(canal__in=Canal.values), name="cra_canal_valide"),
            models.CheckConstraint(condition=Q(activite__in=Activite.values), name="cra_activite_valide"),
            models.CheckConstraint(condition=Q(duree__in=Duree.values), name="cra_duree_valide"),
            models.CheckConstraint(
                condition=_entered_here(
                    Q(activite=Activite.COLLECTIF, nb_participants__gte=1, nb_participants__lte=100)
                    | Q(activite__in=[Activite.INDIVIDUEL, Activite.PONCTUEL], nb_participants=1)
                ),
                name="cra_participants_selon_activite",
            ),
            models.CheckConstraint(
                condition=_entered_here(Q(nb_participants_recurrents__lte=F("nb_participants"))),
                name="cra_recurrents_max",
            ),
            models.CheckConstraint(
                condition=_entered_here(
                    Q(
                        nb_participants=F("age_moins_12")
                        + F("age_12_18")
                        + F("age_18_35")
                        + F("age_35_60")
                        + F("age_plus_60")
                    )
                ),
                name="cra_somme_ages",
            ),
            models.CheckConstraint(
                condition=_entered_here(
                    Q(
                        nb_participants=F("statut_etudiant")
                        + F("statut_sans_emploi")
                        + F("statut_en_emploi")
                        + F("statut_retraite")
                        + F("statut_heterogene")
                    )
                ),
                name="cra_somme_statuts",
            ),
            models.CheckConstraint(
                condition=_entered_here(Q(themes__gt=0, themes__lt=1 << len(Theme))),
                name="cra_au_moins_un_theme",
            ),
            models.CheckConstraint(
                condition=Q(sous_themes__lt=1 << len(SousTheme)), name="cra_sous_themes_connus"
            ),
            models.CheckConstraint(
                condition=_entered_here(
                    Q(
                        duree=Duree.PLUS_60,
                        duree_minutes__isnull=False,
                        duree_minutes__gte=60,
                        duree_minutes__lte=480,
                    )
                    | (~Q(duree=Duree.PLUS_60) & Q(duree_minutes__isnull=True))
                ),
                name="cra_duree_minutes",
            ),
            models.CheckConstraint(
                condition=_entered_here(
                    Q(nb_participants__gte=F("suivi_individuel") + F("suivi_atelier") + F("nb_redirections"))
                ),
                name="cra_suivi_max",
            ),
        ]

    def __str__(self):
        return f"CRA du {self.date_accompagnement:%d/%m/%Y} – {self.conseiller}"

    @property
    def est_importe(self) -> bool:
        return self.source != Source.SAISIE

    @property
    def theme_keys(self) -> list[str]:
        return bits_to_keys(self.themes, THEME_BITS)

    @property
    def sous_theme_keys(self) -> list[str]:
        return bits_to_keys(self.sous_themes, SOUS_THEME_BITS)

    @property
    def themes_display(self) -> list[str]:
        return [Theme(key).label for key in self.theme_keys]

    @property
    def sous_themes_display(self) -> list[str]:
        return [SousTheme(key).label for key in self.sous_theme_keys]

    @property
    def redirections_display(self) -> list[str]:
        """ "CAF (2)", "Maison du droit (1)" (lists prefetch `redirections`; one CRA's page reads them)."""
        return sorted(
            f"{redirection.nom_autre or redirection.get_organisme_display()} ({redirection.nombre})"
            for redirection in self.redirections.all()
        )

    @property
    def duree_display(self) -> str:
        """ "30 min à 1 h", or the exact time of a session of one hour or more ("1 h 30")."""
        return (
            self.get_duree_display()
            if self.duree_minutes is None
            else duree_minutes_label(self.duree_minutes)
        )

    @property
    def ages(self) -> dict[str, int]:
        return {name: getattr(self, name) for name, _label in AGES}

    @property
    def statuts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name, _label in STATUTS}


class CraRedirection(models.Model):
    """People redirected to another body after the accompaniment."""

    cra = models.ForeignKey(Cra, on_delete=models.CASCADE, related_name="redirections")
    organisme = models.CharField(max_length=20, choices=Organisme.choices)
    nom_autre = models.CharField("nom de l'organisme", max_length=100, blank=True)
    nombre = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = "redirection"
        constraints = [
            models.CheckConstraint(condition=Q(nombre__gte=1), name="redirection_nombre_positif"),
            models.CheckConstraint(
                condition=Q(organisme=Organisme.AUTRE) & ~Q(nom_autre="")
                | ~Q(organisme=Organisme.AUTRE) & Q(nom_autre=""),
                name="redirection_autre_nommee",
            ),
            models.UniqueConstraint(
                "cra", "organisme", Lower("nom_autre"), name="redirection_unique_par_cra"
            ),
        ]

    def __str__(self):
        return f"{self.nombre} vers {self.nom_autre or self.get_organisme_display()}"


class CraHistorique(models.Model):
    """One change of a CRA: who, when, which fields with their value before and after."""

    class Action(models.TextChoices):
        CREATION = "creation", "Création"
        MODIFICATION = "modification", "Modification"
        SUPPRESSION = "suppression", "Suppression"
        RESTAURATION = "restauration", "Restauration"

    cra = models.ForeignKey(Cra, on_delete=models.CASCADE, related_name="historique")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=15, choices=Action.choices)
    at = models.DateTimeField("le", auto_now_add=True)
    changes = models.JSONField("modifications", default=dict, help_text="{champ: [avant, après]}")

    class Meta:
        verbose_name = "historique de CRA"
        verbose_name_plural = "historiques de CRA"
        ordering = ["cra", "at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} du {timezone.localtime(self.at):%d/%m/%Y à %H:%M}"
