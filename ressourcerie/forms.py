from django import forms
from django.contrib.admin.helpers import ActionForm
from django.core.files.uploadedfile import UploadedFile

from ressourcerie.models import Document
from ressourcerie.validators import pdf_check


class DocumentForm(forms.ModelForm):
    """The admin's document form: the PDF is checked from its content (ressourcerie.validators, the same
    check as the service's); nothing is stored unless the form is valid."""

    # A plain FileField: no "clear" box (a document always has its file), no limit on the uploaded name's
    # length (it is never used).
    fichier = forms.FileField(
        label="Fichier PDF",
        help_text=(
            "Un PDF lisible, sans mot de passe, de 20 Mo au plus. Il est vérifié d'après son contenu ; "
            "il se télécharge sous le titre du document."
        ),
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    class Meta:
        model = Document
        fields = ["titre", "description", "categorie", "fichier", "tags"]

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if isinstance(fichier, UploadedFile):  # a new upload (otherwise the stored file, already checked)
            pdf_check(fichier)
        return fichier


class EtiquetteActionForm(ActionForm):
    """The admin's action bar, with the tag that the bulk tag actions put on or take off."""

    etiquette = forms.CharField(
        label="Étiquette",
        required=False,
        max_length=60,
        help_text="Pour « Ajouter » et « Retirer une étiquette » : son nom (créée si elle n'existe pas).",
    )
