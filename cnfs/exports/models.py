"""The files asked for by users and made in the background (SPEC §7): CRA and conseillers CSVs, statistics
PDFs. The web process records the request (services.export_request), a worker of the "exports" queue makes
the file (tasks), the requester downloads it from /exports/ while it lasts."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


def export_path(export: "Export", filename: str) -> str:
    """Where an export's file is stored: a generated name, never the user's words (the download gives the
    readable name, `nom_fichier`)."""
    extension = filename.rsplit(".", 1)[-1]
    return f"exports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class Export(models.Model):
    """A file asked for by a user and made in the background (SPEC §7): its life cycle is
    en attente → en cours → terminé (downloadable until `expires_at`) or échec (relaunchable) → expiré."""

    class Nature(models.TextChoices):
        STATISTIQUES_PDF = "statistiques_pdf", "Statistiques (PDF)"
        CRA_CSV = "cra_csv", "Comptes rendus d'activité (CSV)"
        CONSEILLERS_CSV = "conseillers_csv", "Liste de conseillers (CSV)"
        STRUCTURES_CSV = "structures_csv", "Liste de structures (CSV)"

    class Etat(models.TextChoices):
        EN_ATTENTE = "en_attente", "En attente"
        EN_COURS = "en_cours", "En cours"
        TERMINE = "termine", "Terminé"
        ECHEC = "echec", "Échec"
        EXPIRE = "expire", "Expiré"

    demandeur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports")
    # The role it was asked in: its scope is checked again when the file is made, relaunched and downloaded
    # (SPEC §18); a role taken away since leaves None, and nothing is made or served.
    role = models.ForeignKey(
        "accounts.Role",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="rôle",
    )
    nature = models.CharField(max_length=30, choices=Nature.choices)
    libelle = models.CharField("libellé", max_length=300)
    nom_fichier = models.CharField("nom du fichier", max_length=200)
    parametres = models.JSONField("paramètres", default=dict)
    etat = models.CharField("état", max_length=20, choices=Etat.choices, default=Etat.EN_ATTENTE)
    progression = models.PositiveSmallIntegerField("progression (%)", default=0)
    lignes = models.PositiveIntegerField("lignes écrites", default=0)
    fichier = models.FileField(upload_to=export_path, blank=True)
    taille = models.PositiveBigIntegerField("taille (octets)", default=0)
    erreur = models.TextField(blank=True)
    tentatives = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    expires_at = models.DateTimeField("expire le", null=True, blank=True)

    class Meta:
        verbose_name = "export"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["demandeur", "-created_at"], name="export_demandeur"),
            models.Index(fields=["etat", "expires_at"], name="export_etat_expire"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(progression__lte=100), name="export_progression_max"),
        ]

    def __str__(self):
        return f"{self.libelle} ({self.get_etat_display()})"

    @property
    def telechargeable(self) -> bool:
        return self.etat == self.Etat.TERMINE and bool(self.fichier)

    @property
    def relancable(self) -> bool:
        return self.etat in (self.Etat.ECHEC, self.Etat.EXPIRE)
