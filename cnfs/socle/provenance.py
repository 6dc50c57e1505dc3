"""Where a row comes from: made in this service, or imported from the first system (SPEC §15)."""

from django.db import models


def source_id_field(
    help_text: str = "ObjectId du document importé de la première version (vide si créé ici).",
) -> models.CharField:
    """The source id of an imported row, by which a new run of the import finds it again (None here)."""
    return models.CharField(
        "identifiant dans la première version",
        max_length=24,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=help_text,
    )
