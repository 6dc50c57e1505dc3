"""The ressourcerie (SPEC §8): PDF documents in fixed categories, with tags, and the ZIP of all of them."""

import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.text import slugify

from ressourcerie.enums import Categorie
from ressourcerie.texte import mots, nom_de_fichier


def document_upload_to(instance, filename: str) -> str:
    """A generated name: the uploaded file's name is never used on disk."""
    return f"ressourcerie/documents/{uuid.uuid4().hex}.pdf"


def archive_upload_to(instance, filename: str) -> str:
    return f"ressourcerie/archives/{uuid.uuid4().hex}.zip"


class TagQuerySet(models.QuerySet):
    def avec_nombre_documents(self):
        return self.annotate(nombre_documents=Count("documents"))


class Tag(models.Model):
    """A free label; two names equal but for case, accents or punctuation are the same tag (same slug)."""

    nom = models.CharField("nom", max_length=60)
    slug = models.SlugField("identifiant", max_length=80, unique=True, editable=False)

    objects = TagQuerySet.as_manager()

    class Meta:
        verbose_name = "étiquette"
        ordering = ["slug"]

    def __str__(self):
        return self.nom

    def save(self, *args, **kwargs):
        self.slug = slugify(self.nom)
        super().save(*args, **kwargs)

    def clean(self):
        self.nom = " ".join(self.nom.split())
        slug = slugify(self.nom)
        if not slug:
            raise ValidationError(
                {"nom": "Le nom d'une étiquette doit contenir au moins une lettre ou un chiffre."}
            )
        other = Tag.objects.filter(slug=slug).exclude(pk=self.pk).first()
        if other is not None:
            raise ValidationError({"nom": f"Cette étiquette existe déjà : « {other.nom} »."})


class DocumentQuerySet(models.QuerySet):
    def recherche(self, query: str):
        """Every word of `query` in the title, description or tags, whatever the accents and the case."""
        condition = Q()
        for word in mots(query):
            condition &= Q(recherche__contains=word)
        return self.filter(condition)

    def avec_tags(self, tag_ids: Iterable[int]):
        """The documents carrying every one of the tags (one EXISTS per tag, in the same query)."""
        through = Document.tags.through
        queryset = self
        for tag_id in tag_ids:
            queryset = queryset.filter(Exists(through.objects.filter(document=OuterRef("pk"), tag_id=tag_id)))
        return queryset


class Document(models.Model):
    titre = models.CharField("titre", max_length=200)
    description = models.TextField("description", blank=True)
    categorie = models.CharField("catégorie", max_length=40, choices=Categorie.choices)
    tags = models.ManyToManyField(Tag, verbose_name="étiquettes", related_name="documents", blank=True)
    # Room for the name an upload arrives with (Django cuts it at 255), checked by the model form before the
    # generated name replaces it.
    fichier = models.FileField("fichier PDF", upload_to=document_upload_to, max_length=255)
    taille = models.PositiveBigIntegerField("taille (octets)", default=0, editable=False)
    nombre_pages = models.PositiveIntegerField("nombre de pages", default=0, editable=False)
    empreinte = models.CharField("empreinte SHA-256 du fichier", max_length=64, editable=False)
    # Title, description and tag names folded by ressourcerie.texte.replie, kept up to date by the services.
    recherche = models.TextField("texte de recherche", default="", editable=False)
    created_at = models.DateTimeField("ajouté le", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "document"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="ressourcerie_doc_recents"),
            models.Index(fields=["categorie"], name="ressourcerie_doc_categorie"),
        ]

    def __str__(self):
        return self.titre

    @property
    def nom_fichier(self) -> str:
        """The name given at download: the title, slugified."""
        return f"{nom_de_fichier(self.titre) or f'document-{self.pk}'}.pdf"

    @property
    def ancre_categorie(self) -> str:
        return ancre(self.categorie)


def ancre(categorie: str) -> str:
    """The id of a category's section on the page."""
    return f"categorie-{categorie.replace('_', '-')}"


class Archive(models.Model):
    """A ZIP of every document, for one state of the documents (`empreinte`: see
    ressourcerie.selectors.documents_empreinte). Only an archive whose fingerprint is the current one is
    ever offered: a stale one is never served."""

    empreinte = models.CharField("empreinte des documents", max_length=64, unique=True)
    fichier = models.FileField("fichier ZIP", upload_to=archive_upload_to, max_length=255)
    taille = models.PositiveBigIntegerField("taille (octets)")
    nombre_documents = models.PositiveIntegerField("nombre de documents")
    created_at = models.DateTimeField("préparée le", default=timezone.now)

    class Meta:
        verbose_name = "archive de tous les documents"
        verbose_name_plural = "archives de tous les documents"

    def __str__(self):
        created_at = timezone.localtime(self.created_at)
        return f"Archive du {created_at:%d/%m/%Y %H:%M} ({self.nombre_documents} documents)"

    @property
    def nom_fichier(self) -> str:
        return f"ressourcerie-conseiller-numerique-{timezone.localdate(self.created_at):%Y-%m-%d}.zip"
