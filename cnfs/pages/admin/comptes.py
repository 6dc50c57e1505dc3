"""Accounts, roles and invitations in the admin, and the journal of every change (audit, cnfs/socle/audit.py).

Access: staff accounts only. The `admin` role makes an account staff in the « Équipe nationale » group
(accounts.services.role_grant); the « Support » group reads without changing (accounts/groupes.py). Only a
superuser changes staff status, groups, individual permissions, or a superuser's account.
"""

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.html import format_html

from accounts.enums import RoleKind
from accounts.groupes import EQUIPE_NATIONALE
from accounts.limits import INVITATIONS_LIMITED, invitation_allowed
from accounts.models import Invitation, Role, User
from accounts.services import invitation_send, role_grant
from cnfs.socle.admin_outils import LectureSeuleMixin, accord, lien, lien_liste
from cnfs.socle.audit import CHANGE, AuditAdminMixin, journal_write
from cnfs.socle.imports_csv import COMPTE_IMPORTS

SCOPE_FIELDS = ["structure", "departement", "region", "hub"]


class RoleInline(admin.TabularInline):
    """The account's roles: shown, or removed; a new one is given below."""

    model = Role
    extra = 0
    fields = ["kind", "portee", "created_at"]
    readonly_fields = fields
    verbose_name_plural = "rôles"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", *SCOPE_FIELDS)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="portée")
    def portee(self, role):
        return role.scope_label


class NouveauRoleForm(forms.ModelForm):
    class Meta:
        model = Role
        fields = ["kind", *SCOPE_FIELDS]

    # The scope each role needs (the database checks it too: role_scope_matches_kind).
    PORTEES = {
        RoleKind.STRUCTURE: ({"structure"}, "une structure"),
        RoleKind.PREFET: ({"departement", "region"}, "un département ou une région"),
        RoleKind.HUB: ({"hub"}, "un hub"),
        RoleKind.ADMIN: (set(), "aucune portée"),
    }

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in (RoleKind.CONSEILLER, RoleKind.COORDINATEUR):
            raise ValidationError(
                "Les rôles conseiller et coordinateur viennent de la fiche du conseiller (invitation, case "
                "« coordinateur ») : ils ne se donnent pas ici."
            )
        if kind not in self.PORTEES:
            return data
        permises, libelle = self.PORTEES[kind]
        donnees = {name for name in SCOPE_FIELDS if data.get(name)}
        if donnees - permises or (permises and len(donnees) != 1):
            raise ValidationError(f"Le rôle « {RoleKind(kind).label} » demande {libelle}, et rien d'autre.")
        return data


class NouveauxRolesFormSet(BaseInlineFormSet):
    def save(self, commit=True):
        """Gives each new role through role_grant (the admin role makes the account staff of its group)."""
        self.changed_objects, self.deleted_objects = [], []
        self.new_objects = [
            role_grant(
                user=self.instance,
                kind=form.cleaned_data["kind"],
                **{name: form.cleaned_data.get(name) for name in SCOPE_FIELDS},
            )
            for form in self.extra_forms
            if form.has_changed() and not self._should_delete_form(form)
        ]
        return self.new_objects


class NouveauRoleInline(admin.TabularInline):
    model = Role
    form = NouveauRoleForm
    formset = NouveauxRolesFormSet
    extra = 0
    can_delete = False
    autocomplete_fields = SCOPE_FIELDS
    verbose_name = "nouveau rôle"
    verbose_name_plural = "donner un rôle"

    def get_queryset(self, request):
        return super().get_queryset(request).none()


def admin_access_sync(user: User) -> None:
    """After a change of roles: the admin role gives staff access with the national team's group; without
    it, the account leaves that group, and the admin unless it is a superuser or in another group."""
    if user.roles.filter(kind=RoleKind.ADMIN).exists():
        role_grant(user=user, kind=RoleKind.ADMIN)
        return
    user.groups.remove(*Group.objects.filter(name=EQUIPE_NATIONALE))
    if user.is_staff and not user.is_superuser and not user.groups.exists():
        user.is_staff = False
        user.save(update_fields=["is_staff"])


# allauth's address table would let a superuser add a login address without proof of ownership (SPEC §18):
# an account logs in with its e-mail alone, changed in its own form (journaled).
admin.site.unregister(EmailAddress)
# ProConnect's client comes from the environment and its tokens are not stored: these tables stay empty.
# allauth's table of the links of identities to accounts would let anyone with the permission link any
# identity to any account: a link is made by its owner's ProConnect login only (docs/authentification.md).
admin.site.unregister(SocialApp)
admin.site.unregister(SocialToken)
admin.site.unregister(SocialAccount)


@admin.register(User)
class UserAdmin(AuditAdminMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "roles_lisibles",
        "is_active",
        "is_staff",
        "last_login",
    ]
    list_filter = ["roles__kind", "is_staff", "is_active", "groups"]
    search_fields = ["email", "first_name", "last_name"]
    date_hierarchy = "date_joined"
    inlines = [RoleInline, NouveauRoleInline]
    actions = ["inviter"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name", "fiche_conseiller"]}),
        ("Droits", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined", "invitations"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    def get_queryset(self, request):
        roles = Role.objects.select_related(*SCOPE_FIELDS)
        return (
            super()
            .get_queryset(request)
            .select_related("conseiller")
            .prefetch_related(Prefetch("roles", queryset=roles))
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = ["fiche_conseiller", "invitations", "last_login", "date_joined"]
        if not request.user.is_superuser:
            readonly += ["is_staff", "is_superuser", "groups", "user_permissions"]
        return readonly

    def has_change_permission(self, request, obj=None):
        # A superuser's account (its password included) is changed by a superuser only.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description="rôles")
    def roles_lisibles(self, user):
        return ", ".join(str(role) for role in user.roles.all()) or "—"

    @admin.display(description="fiche de conseiller")
    def fiche_conseiller(self, user):
        conseiller = getattr(user, "conseiller", None) if user.pk else None
        return lien(conseiller) if conseiller else "—"

    @admin.display(description="invitations")
    def invitations(self, user):
        if user.pk is None:
            return "—"
        return lien_liste(Invitation, "Voir ses invitations", user__id__exact=user.pk)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        admin_access_sync(form.instance)

    @admin.action(
        description="Envoyer ou renvoyer l'invitation (choix du mot de passe)", permissions=["change"]
    )
    def inviter(self, request, queryset):
        if not invitation_allowed(request):
            self.message_user(request, INVITATIONS_LIMITED, messages.ERROR)
            return
        envoyees, ignorees = [], []
        for user in queryset:
            if user.last_login is not None or user.email == COMPTE_IMPORTS:
                ignorees.append(user)
                continue
            invitation_send(user=user, invited_by=request.user)
            envoyees.append(user)
        journal_write(user=request.user, entries=[(u, CHANGE, "Invitation envoyée.") for u in envoyees])
        if envoyees:
            envoi = accord(len(envoyees), "invitation envoyée.", "invitations envoyées.")
            self.message_user(request, envoi, messages.SUCCESS)
        if ignorees:
            self.message_user(
                request,
                accord(len(ignorees), "compte déjà utilisé", "comptes déjà utilisés")
                + ", sans invitation (mot de passe oublié) : "
                + ", ".join(map(str, ignorees))
                + ".",
                messages.WARNING,
            )


class EtatInvitationFilter(admin.SimpleListFilter):
    title = "état"
    parameter_name = "etat"

    def lookups(self, request, model_admin):
        return [("attente", "En attente"), ("acceptee", "Acceptée"), ("expiree", "Expirée")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "attente":
            return queryset.filter(accepted_at__isnull=True, expires_at__gt=now)
        if self.value() == "acceptee":
            return queryset.filter(accepted_at__isnull=False)
        if self.value() == "expiree":
            return queryset.filter(accepted_at__isnull=True, expires_at__lte=now)
        return queryset


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["user", "role_propose", "invited_by", "etat", "created_at", "expires_at", "accepted_at"]
    list_select_related = ["user", "invited_by", *SCOPE_FIELDS]
    list_filter = [EtatInvitationFilter]
    search_fields = ["user__email", "invited_by__email"]
    date_hierarchy = "created_at"
    fields = ["user", "role_propose", "invited_by", "etat", "created_at", "expires_at", "accepted_at"]
    readonly_fields = fields

    @admin.display(description="rôle donné à l'acceptation")
    def role_propose(self, invitation):
        return invitation.role or "—"

    @admin.display(description="état")
    def etat(self, invitation):
        if invitation.accepted_at:
            return "Acceptée"
        return "Expirée" if invitation.is_expired else "En attente"

    def has_add_permission(self, request):
        return False  # invitations are sent by the action of the accounts and the conseillers

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Role)
class RoleAdmin(LectureSeuleMixin, admin.ModelAdmin):
    """Who holds which role, with which scope; roles are given and removed on the account's page."""

    list_display = ["user", "kind", "portee", "created_at"]
    list_select_related = ["user", *SCOPE_FIELDS]
    list_filter = ["kind"]
    search_fields = ["user__email", "structure__nom", "=structure__siret", "=departement__code", "hub__nom"]
    fields = ["user", "kind", "portee", "created_at"]
    readonly_fields = fields

    @admin.display(description="portée")
    def portee(self, role):
        return role.scope_label


class EquipeFilter(admin.SimpleListFilter):
    """The journal's authors: the staff accounts only (not the thousands of other accounts)."""

    title = "auteur"
    parameter_name = "auteur"

    def lookups(self, request, model_admin):
        return [(str(user.pk), user.email) for user in User.objects.filter(logentry__isnull=False).distinct()]

    def queryset(self, request, queryset):
        return queryset.filter(user_id=self.value()) if self.value() else queryset


@admin.register(LogEntry)
class LogEntryAdmin(LectureSeuleMixin, admin.ModelAdmin):
    """« Journal des modifications »: every change made through the admin, its actions and the imports —
    who, when, what (read-only)."""

    list_display = ["action_time", "user", "content_type", "objet", "action_flag", "message"]
    list_select_related = ["user", "content_type"]
    list_filter = ["action_flag", EquipeFilter, "content_type"]
    search_fields = ["object_repr", "change_message", "user__email"]
    date_hierarchy = "action_time"
    fields = ["action_time", "user", "content_type", "objet", "action_flag", "message"]
    readonly_fields = fields

    @admin.display(description="objet", ordering="object_repr")
    def objet(self, entry):
        url = entry.get_admin_url()
        return format_html('<a href="{}">{}</a>', url, entry.object_repr) if url else entry.object_repr

    @admin.display(description="modification")
    def message(self, entry):
        return entry.get_change_message()
