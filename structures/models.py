from django.db import models
from django.db.models.functions import Lower

from cnfs.socle.provenance import source_id_field
from structures.enums import StatutStructure, TypeStructure
from structures.validators import validate_siret


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    nom = models.CharField(max_length=100)

    class Meta:
        verbose_name = "région"
        ordering = ["code"]

    def __str__(self):
        return self.nom


class Departement(models.Model):
    code = models.CharField("code", max_length=3, primary_key=True)
    nom = models.CharField(max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} – {self.nom}"


class Hub(models.Model):
    """A regional "hub France Connectée", covering a set of départements."""

    nom = models.CharField(max_length=100, unique=True)
    departements = models.ManyToManyField(Departement, related_name="hubs")

    class Meta:
        verbose_name = "hub"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class Commune(models.Model):
    code_insee = models.CharField("code INSEE", max_length=5, primary_key=True)
    nom = models.CharField(max_length=150)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    # The centre (WGS 84) measures the distance between communes; a few communes of the file have none.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = "commune"
        ordering = ["nom"]

    def __str__(self):
        return f"{self.nom} ({self.code_insee})"


class CodePostal(models.Model):
    """A postal code of a commune: a commune has several, a postal code serves several communes."""

    code = models.CharField(max_length=5, db_index=True)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="codes_postaux")

    class Meta:
        verbose_name = "code postal"
        verbose_name_plural = "codes postaux"
        constraints = [models.UniqueConstraint(fields=["code", "commune"], name="code_postal_commune_unique")]

    def __str__(self):
        return self.code


class StructureQuerySet(models.QuerySet):
    def in_departements(self, departements):
        return self.filter(departement__in=departements)

    def validees(self):
        return self.filter(statut=StatutStructure.VALIDATION_COSELEC)


class Structure(models.Model):
    siret = models.CharField("SIRET", max_length=14, unique=True, validators=[validate_siret])
    nom = models.CharField(max_length=255)
    type = models.CharField(max_length=20, choices=TypeStructure.choices)
    adresse = models.CharField(max_length=255, blank=True)
    code_postal = models.CharField("code postal", max_length=5)
    code_commune = models.CharField("code commune INSEE", max_length=5, blank=True)
    nom_commune = models.CharField("commune", max_length=150, blank=True)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="structures")
    contact_prenom = models.CharField("prénom du contact", max_length=100, blank=True)
    contact_nom = models.CharField("nom du contact", max_length=100, blank=True)
    contact_fonction = models.CharField("fonction du contact", max_length=150, blank=True)
    contact_email = models.EmailField("e-mail du contact", blank=True)
    contact_telephone = models.CharField("téléphone du contact", max_length=20, blank=True)
    statut = models.CharField(max_length=20, choices=StatutStructure.choices, default=StatutStructure.CREEE)
    dotation = models.PositiveIntegerField(
        "nombre de conseillers attribués", default=0, help_text="Postes attribués par le comité de sélection."
    )
    labellisee_france_services = models.BooleanField("labellisée France Services", default=False)
    zone_rurale_revitalisation = models.BooleanField("zone de revitalisation rurale", default=False)
    qpv = models.BooleanField("quartier prioritaire de la ville", default=False)
    reseau = models.CharField("réseau", max_length=100, blank=True)
    source_id = source_id_field()
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = StructureQuerySet.as_manager()

    class Meta:
        verbose_name = "structure"
        ordering = ["nom"]
        indexes = [models.Index(Lower("nom"), name="structure_nom_lower")]

    def __str__(self):
        return self.nom

    @property
    def region(self):
        return self.departement.region
