"""The precomputed aggregates (SPEC §5, §10): the sums of stats.sums stored per key, so that any scope and
period is answered by adding up a small number of rows.

- AgregatJour: one row per (day, structure, conseiller) having CRAs, recomputed from the raw CRAs of its
  key (never incremented); the structure's département and région are copied for territory queries.
- AgregatDepartementJour / AgregatDepartementMois: the same counters rolled up per département and day /
  month, recomputed from the rows below them. National = Σ over the départements.
- EtatAgregats: when the last full rebuild ran ("Données mises à jour le …" with the rows' `computed_at`).

One integer column per key of stats.sums.FIXED_KEYS ("theme:sante" -> `theme_sante`, see COLUMNS): plain
SUMs over columns are what the database adds fastest; the months (`mois:YYYY-MM`) come from grouping the days.
"""

import re

from django.db import models

from stats.sums import FIXED_KEYS


def column_name(key: str) -> str:
    """The column of a sum key: "theme:sante" -> "theme_sante", "duree:120+" -> "duree_120_plus",
    "organisme:FRANCE_TRAVAIL" -> "organisme_france_travail"."""
    return re.sub(r"[^a-z0-9]+", "_", key.lower().replace("+", "_plus")).strip("_")


# Sum key -> column, in the order of FIXED_KEYS.
COLUMNS: dict[str, str] = {key: column_name(key) for key in FIXED_KEYS}
RESERVED = {"id", "jour", "mois", "structure", "conseiller", "departement", "region", "computed_at"}
if len(set(COLUMNS.values())) != len(COLUMNS) or RESERVED & set(COLUMNS.values()):
    raise RuntimeError("Deux clés de stats.sums donnent la même colonne d'agrégat.")


class Compteurs(models.Model):
    """The counters of a set of CRAs, one column per sum key (fields added below from COLUMNS)."""

    computed_at = models.DateTimeField("calculé le")

    class Meta:
        abstract = True

    def sums(self) -> dict[str, int]:
        return {key: getattr(self, column) for key, column in COLUMNS.items() if getattr(self, column)}


for _column in COLUMNS.values():
    Compteurs.add_to_class(_column, models.IntegerField(default=0, db_default=0))


class AgregatJour(Compteurs):
    """The counters of the non-deleted CRAs of one conseiller for one structure on one day."""

    jour = models.DateField()
    # No single-column index on the keys: the (structure, jour) and (conseiller, jour) ones below serve
    # every query, and the planner would otherwise pick the less selective single-column ones.
    structure = models.ForeignKey(
        "structures.Structure",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    conseiller = models.ForeignKey(
        "conseillers.Conseiller",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    # The structure's territory when the row was computed (a structure never changes département in
    # practice; if it did, the nightly rebuild would move its rows).
    departement = models.CharField(max_length=3)
    region = models.CharField(max_length=3)

    class Meta:
        verbose_name = "agrégat par jour, structure et conseiller"
        verbose_name_plural = "agrégats par jour, structure et conseiller"
        constraints = [
            models.UniqueConstraint(fields=["jour", "structure", "conseiller"], name="agregat_jour_cle"),
        ]
        indexes = [
            models.Index(fields=["structure", "jour"], name="agregat_jour_structure"),
            models.Index(fields=["conseiller", "jour"], name="agregat_jour_conseiller"),
            models.Index(fields=["departement", "jour"], name="agregat_jour_departement"),
        ]

    def __str__(self):
        return f"{self.jour:%d/%m/%Y} – structure {self.structure_id} – conseiller {self.conseiller_id}"


class AgregatDepartementJour(Compteurs):
    """Σ of the AgregatJour rows of a département and a day: the partial months of territory periods."""

    jour = models.DateField()
    departement = models.CharField(max_length=3)
    region = models.CharField(max_length=3)

    class Meta:
        verbose_name = "agrégat par jour et département"
        verbose_name_plural = "agrégats par jour et département"
        constraints = [
            models.UniqueConstraint(fields=["jour", "departement"], name="agregat_departement_jour_cle"),
        ]
        indexes = [
            models.Index(fields=["departement", "jour"], name="agregat_dep_jour_dep"),
            models.Index(fields=["region", "jour"], name="agregat_dep_jour_region"),
        ]

    def __str__(self):
        return f"{self.jour:%d/%m/%Y} – {self.departement}"


class AgregatDepartementMois(Compteurs):
    """Σ of the AgregatDepartementJour rows of a département and a month (`mois` = its first day)."""

    mois = models.DateField()
    departement = models.CharField(max_length=3)
    region = models.CharField(max_length=3)

    class Meta:
        verbose_name = "agrégat par mois et département"
        verbose_name_plural = "agrégats par mois et département"
        constraints = [
            models.UniqueConstraint(fields=["mois", "departement"], name="agregat_departement_mois_cle"),
        ]
        indexes = [
            models.Index(fields=["departement", "mois"], name="agregat_dep_mois_dep"),
            models.Index(fields=["region", "mois"], name="agregat_dep_mois_region"),
        ]

    def __str__(self):
        return f"{self.mois:%m/%Y} – {self.departement}"


class EtatAgregats(models.Model):
    """One row: the last full rebuild of the aggregates, its duration and row counts."""

    rebuilt_at = models.DateTimeField("dernière reconstruction", null=True, blank=True)
    duree_secondes = models.FloatField("durée (s)", null=True, blank=True)
    lignes = models.JSONField("lignes par table", default=dict, blank=True)

    class Meta:
        verbose_name = "état des agrégats"
        verbose_name_plural = "état des agrégats"

    def __str__(self):
        return f"Agrégats reconstruits le {self.rebuilt_at:%d/%m/%Y %H:%M}" if self.rebuilt_at else "—"

    @classmethod
    def get(cls) -> "EtatAgregats":
        return cls.objects.get_or_create(pk=1)[0]
