from django import forms
from django.contrib.auth import password_validation

from accounts.enums import RoleKind
from cnfs.socle.texte import sans_controle
from conseillers.models import Conseiller
from structures.models import Departement, Hub, Region, Structure

# The scope fields each role needs (a préfet has a département or a région).
SCOPE_FIELDS = {
    RoleKind.STRUCTURE: ("structure",),
    RoleKind.PREFET: ("departement", "region"),
    RoleKind.HUB: ("hub",),
    RoleKind.CONSEILLER: ("conseiller",),
    RoleKind.COORDINATEUR: ("conseiller",),
}


class InvitationForm(forms.Form):
    """The invitation of an account with one role; a structure user only invites to his structure."""

    email = forms.EmailField(label="Adresse e-mail", required=False)
    # Names reach the invitation e-mail: on one line, without control characters (SPEC §18).
    first_name = forms.CharField(label="Prénom", max_length=150, required=False, validators=[sans_controle])
    last_name = forms.CharField(label="Nom", max_length=150, required=False, validators=[sans_controle])
    kind = forms.ChoiceField(label="Rôle", choices=RoleKind.choices)
    structure = forms.ModelChoiceField(
        label="Structure",
        queryset=Structure.objects.order_by("nom"),
        required=False,
        help_text="Rôle structure.",
    )
    departement = forms.ModelChoiceField(
        label="Département", queryset=Departement.objects.all(), required=False, help_text="Rôle préfecture."
    )
    region = forms.ModelChoiceField(
        label="Région",
        queryset=Region.objects.all(),
        required=False,
        help_text="Rôle préfecture de région (laisser le département vide).",
    )
    hub = forms.ModelChoiceField(
        label="Hub", queryset=Hub.objects.all(), required=False, help_text="Rôle hub."
    )
    conseiller = forms.ModelChoiceField(
        label="Conseiller",
        queryset=Conseiller.objects.order_by("nom", "prenom"),
        required=False,
        help_text="Rôles conseiller et coordinateur : l'invitation part à son e-mail professionnel.",
    )

    def __init__(self, *args, role, **kwargs):
        super().__init__(*args, **kwargs)
        self.role = role
        if role.kind == RoleKind.STRUCTURE:
            # A structure user invites colleagues to his own structure, nothing else.
            for name in ("kind", "structure", "departement", "region", "hub", "conseiller"):
                del self.fields[name]
            self.fields["email"].required = True

    def clean(self):
        data = super().clean()
        if self.role.kind == RoleKind.STRUCTURE:
            data["kind"] = RoleKind.STRUCTURE
            data["scope"] = {"structure": self.role.structure}
            return data
        kind = data.get("kind")
        scope_fields = SCOPE_FIELDS.get(kind, ())
        if kind == RoleKind.PREFET:
            if bool(data.get("departement")) == bool(data.get("region")):
                self.add_error("departement", "Choisissez un département ou une région (l'un des deux).")
        else:
            for name in scope_fields:
                if not data.get(name):
                    self.add_error(name, "Ce champ est obligatoire pour ce rôle.")
        if (
            kind == RoleKind.COORDINATEUR
            and data.get("conseiller")
            and not data["conseiller"].est_coordinateur
        ):
            self.add_error("conseiller", "Ce conseiller n'est pas coordinateur.")
        if "conseiller" not in scope_fields and not data.get("email"):
            self.add_error("email", "Saisissez l'adresse e-mail de la personne à inviter.")
        data["scope"] = {name: data.get(name) for name in scope_fields}
        return data


class ChoosePasswordForm(forms.Form):
    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="12 caractères au moins, ni trop courant, ni uniquement des chiffres.",
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        elif password1:
            try:
                password_validation.validate_password(password1, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
