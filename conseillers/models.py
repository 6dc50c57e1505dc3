import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from cnfs.socle.provenance import source_id_field
from conseillers.enums import MotifRupture, StatutConseiller, TypeAcces, TypeContrat


class ConseillerQuerySet(models.QuerySet):
    def recrutes(self):
        """Conseillers in post today (SPEC §5, "Conseillers recrutés")."""
        return self.filter(statut=StatutConseiller.RECRUTE, structure__isnull=False)

    def actives(self):
        return self.filter(date_activation__isnull=False)


class Conseiller(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="conseiller"
    )
    prenom = models.CharField("prénom", max_length=100)
    nom = models.CharField(max_length=100)
    email_pro = models.EmailField("e-mail professionnel", unique=True)
    email_perso = models.EmailField("e-mail personnel", blank=True)
    telephone_pro = models.CharField("téléphone professionnel", max_length=20, blank=True)
    structure = models.ForeignKey(
        "structures.Structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conseillers",
        verbose_name="structure actuelle",
        help_text="Tenue à jour par l'historique des contrats.",
    )
    statut = models.CharField(
        max_length=20, choices=StatutConseiller.choices, default=StatutConseiller.RECRUTE
    )
    date_entree_formation = models.DateField("date d'entrée en formation", null=True, blank=True)
    date_sortie_formation = models.DateField("date de sortie de formation", null=True, blank=True)
    date_certification = models.DateField(
        "date de certification CCP1",
        null=True,
        blank=True,
        help_text="Vide tant que le CCP1 n'est pas obtenu.",
    )
    date_activation = models.DateTimeField(
        "activé le", null=True, blank=True, help_text="Date d'activation de l'Espace Coop."
    )
    est_coordinateur = models.BooleanField("coordinateur", default=False)
    conseillers_coordonnes = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="coordinateurs",
        verbose_name="conseillers coordonnés",
    )
    departements_coordonnes = models.ManyToManyField(
        "structures.Departement",
        blank=True,
        related_name="coordinateurs",
        verbose_name="départements coordonnés",
    )
    regions_coordonnees = models.ManyToManyField(
        "structures.Region", blank=True, related_name="coordinateurs", verbose_name="régions coordonnées"
    )
    superieur_nom = models.CharField("nom du supérieur hiérarchique", max_length=100, blank=True)
    superieur_prenom = models.CharField("prénom du supérieur hiérarchique", max_length=100, blank=True)
    superieur_fonction = models.CharField("fonction du supérieur hiérarchique", max_length=150, blank=True)
    superieur_email = models.EmailField("e-mail du supérieur hiérarchique", blank=True)
    superieur_telephone = models.CharField("téléphone du supérieur hiérarchique", max_length=20, blank=True)
    source_id = source_id_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConseillerQuerySet.as_manager()

    class Meta:
        verbose_name = "conseiller"
        ordering = ["nom", "prenom"]
        indexes = [models.Index(Lower("nom"), name="conseiller_nom_lower")]
        constraints = [
            models.UniqueConstraint(Lower("email_pro"), name="conseiller_email_pro_unique_ci"),
        ]

    def __str__(self):
        return f"{self.prenom} {self.nom}"

    @property
    def est_active(self) -> bool:
        return self.date_activation is not None

    @property
    def est_certifie(self) -> bool:
        return self.date_certification is not None


class ContratQuerySet(models.QuerySet):
    def en_cours_le(self, date: datetime.date):
        """Employments covering `date`: started, not ended, not broken."""
        return self.filter(date_debut__lte=date).filter(
            Q(date_fin__isnull=True) | Q(date_fin__gte=date),
            Q(date_rupture__isnull=True) | Q(date_rupture__gt=date),
        )


class Contrat(models.Model):
    """One employment of a conseiller by a structure: the history that tells who employed him on a date."""

    conseiller = models.ForeignKey(Conseiller, on_delete=models.CASCADE, related_name="contrats")
    structure = models.ForeignKey("structures.Structure", on_delete=models.PROTECT, related_name="contrats")
    type_contrat = models.CharField("type de contrat", max_length=20, choices=TypeContrat.choices)
    date_debut = models.DateField("date de début de contrat")
    date_fin = models.DateField("date de fin de contrat", null=True, blank=True)
    date_rupture = models.DateField("date de rupture", null=True, blank=True)
    motif_rupture = models.CharField(
        "motif de rupture", max_length=30, choices=MotifRupture.choices, blank=True
    )
    source_id = source_id_field()

    objects = ContratQuerySet.as_manager()

    class Meta:
        verbose_name = "contrat"
        ordering = ["conseiller", "-date_debut"]
        indexes = [models.Index(fields=["structure", "conseiller"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_fin__isnull=True) | Q(date_fin__gte=models.F("date_debut")),
                name="contrat_fin_apres_debut",
            ),
            models.CheckConstraint(
                condition=Q(date_rupture__isnull=True) | Q(date_rupture__gte=models.F("date_debut")),
                name="contrat_rupture_apres_debut",
            ),
        ]

    def __str__(self):
        return f"{self.conseiller} – {self.structure} ({self.date_debut:%d/%m/%Y})"

    @property
    def date_fin_effective(self):
        """The last day worked: the rupture's eve when the contract was broken, else its end."""
        if self.date_rupture:
            return self.date_rupture - datetime.timedelta(days=1)
        return self.date_fin


class Permanence(models.Model):
    """A lieu d'activité: where conseillers of a structure receive the public."""

    structure = models.ForeignKey(
        "structures.Structure", on_delete=models.CASCADE, related_name="permanences"
    )
    nom = models.CharField(max_length=255)
    adresse = models.CharField(max_length=255)
    code_postal = models.CharField("code postal", max_length=5)
    code_commune = models.CharField("code commune INSEE", max_length=5)
    nom_commune = models.CharField("commune", max_length=150)
    type_acces = models.CharField(
        "type d'accès", max_length=10, choices=TypeAcces.choices, default=TypeAcces.LIBRE
    )
    horaires = models.TextField("horaires d'ouverture", blank=True)
    itinerant = models.BooleanField("itinérant", default=False)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    email = models.EmailField("e-mail", blank=True)
    site_web = models.CharField("site web", max_length=500, blank=True)
    source_id = source_id_field()
    conseillers = models.ManyToManyField(
        Conseiller, through="PermanenceConseiller", related_name="permanences"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "lieu d'activité"
        verbose_name_plural = "lieux d'activité"
        ordering = ["nom"]
        constraints = [
            models.UniqueConstraint(
                "structure",
                Lower("nom"),
                Lower("adresse"),
                "code_commune",
                name="permanence_unique_par_structure",
            ),
        ]

    def __str__(self):
        return f"{self.nom} ({self.nom_commune})"


class PermanenceConseiller(models.Model):
    permanence = models.ForeignKey(Permanence, on_delete=models.CASCADE)
    conseiller = models.ForeignKey(Conseiller, on_delete=models.CASCADE)
    principale = models.BooleanField("lieu principal", default=False)

    class Meta:
        verbose_name = "conseiller du lieu"
        constraints = [
            models.UniqueConstraint(fields=["permanence", "conseiller"], name="permanence_conseiller_unique"),
            models.UniqueConstraint(
                fields=["conseiller"],
                condition=Q(principale=True),
                name="un_seul_lieu_principal_par_conseiller",
            ),
        ]

    def __str__(self):
        return f"{self.conseiller} – {self.permanence}"
