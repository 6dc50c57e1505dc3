import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.enums import RoleKind
from cnfs.socle.provenance import source_id_field


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True)
        user = self.create_user(email, password, **extra_fields)
        Role.objects.get_or_create(user=user, kind=RoleKind.ADMIN)
        return user


class User(AbstractBaseUser, PermissionsMixin):
    """An account: one e-mail (the login, case-insensitive) and one password, holding one or several roles."""

    email = models.EmailField("adresse e-mail", unique=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField("accès à l'administration", default=False)
    date_joined = models.DateTimeField("créé le", default=timezone.now)
    source_id = source_id_field()

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = "compte"
        ordering = ["email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_unique_ci")]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self):
        return self.first_name or self.email


SCOPE_FIELDS = ("structure", "departement", "region", "hub")


def scope_matches_kind(*, unscoped) -> Q:
    """The scope each kind of role needs (a préfet has a département or a région), nothing else; the kinds
    `unscoped` have none."""
    return (
        Q(
            kind=RoleKind.STRUCTURE,
            structure__isnull=False,
            departement__isnull=True,
            region__isnull=True,
            hub__isnull=True,
        )
        | Q(kind=RoleKind.PREFET, structure__isnull=True, hub__isnull=True)
        & (
            Q(departement__isnull=False, region__isnull=True)
            | Q(departement__isnull=True, region__isnull=False)
        )
        | Q(
            kind=RoleKind.HUB,
            hub__isnull=False,
            structure__isnull=True,
            departement__isnull=True,
            region__isnull=True,
        )
        | Q(
            kind__in=unscoped,
            structure__isnull=True,
            departement__isnull=True,
            region__isnull=True,
            hub__isnull=True,
        )
    )


class RoleQuerySet(models.QuerySet):
    def with_scope(self):
        return self.select_related("structure", "departement", "region", "hub", "user__conseiller")


class Role(models.Model):
    """A role held by an account, with its scope (SPEC §2).

    The scope of a `conseiller` and a `coordinateur` is the account's conseiller profile (and the
    coordination scope set on it); the other roles carry their scope here.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField("rôle", max_length=20, choices=RoleKind.choices)
    structure = models.ForeignKey(
        "structures.Structure", on_delete=models.CASCADE, null=True, blank=True, related_name="roles"
    )
    departement = models.ForeignKey(
        "structures.Departement", on_delete=models.CASCADE, null=True, blank=True, related_name="roles"
    )
    region = models.ForeignKey(
        "structures.Region", on_delete=models.CASCADE, null=True, blank=True, related_name="roles"
    )
    hub = models.ForeignKey(
        "structures.Hub", on_delete=models.CASCADE, null=True, blank=True, related_name="roles"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoleQuerySet.as_manager()

    class Meta:
        verbose_name = "rôle"
        ordering = ["user", "kind"]
        constraints = [
            models.CheckConstraint(
                name="role_scope_matches_kind",
                condition=scope_matches_kind(
                    unscoped=[RoleKind.CONSEILLER, RoleKind.COORDINATEUR, RoleKind.ADMIN]
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=Q(
                    kind__in=[RoleKind.CONSEILLER, RoleKind.COORDINATEUR, RoleKind.ADMIN, RoleKind.HUB]
                ),
                name="role_unique_per_user",
            ),
            models.UniqueConstraint(fields=["user", "structure"], name="role_structure_unique"),
            models.UniqueConstraint(fields=["user", "departement"], name="role_prefet_departement_unique"),
            models.UniqueConstraint(fields=["user", "region"], name="role_prefet_region_unique"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.scope_label}"

    @property
    def scope_label(self) -> str:
        if self.kind == RoleKind.STRUCTURE:
            return self.structure.nom
        if self.kind == RoleKind.PREFET:
            return str(self.departement or self.region)
        if self.kind == RoleKind.HUB:
            return self.hub.nom
        if self.kind == RoleKind.ADMIN:
            return "national"
        return self.user.get_full_name()


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())

    def for_token(self, token: str):
        return self.filter(token_hash=_hash_token(token))


class Invitation(models.Model):
    """An invitation e-mailed to an account: its link lets the person choose a password (7 days) and gives
    the role the invitation carries — only then, to whoever received the e-mail (SPEC §18)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations_sent"
    )
    # The role given on acceptance, with its scope; for a conseiller or a coordinateur, his fiche (linked to
    # the account on acceptance). No role: a password-only invitation (the admin's action on an account
    # whose roles the national team gave), or one sent before roles waited for the acceptance: its role was
    # given when it was sent.
    kind = models.CharField("rôle", max_length=20, choices=RoleKind.choices, blank=True)
    structure = models.ForeignKey(
        "structures.Structure", on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    departement = models.ForeignKey(
        "structures.Departement", on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    region = models.ForeignKey(
        "structures.Region", on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    hub = models.ForeignKey(
        "structures.Hub", on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    conseiller = models.ForeignKey(
        "conseillers.Conseiller", on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("envoyée le", auto_now_add=True)
    expires_at = models.DateTimeField("expire le")
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "invitation"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="invitation_role_matches_kind",
                condition=Q(conseiller__isnull=True) & scope_matches_kind(unscoped=[RoleKind.ADMIN, ""])
                | Q(
                    kind__in=[RoleKind.CONSEILLER, RoleKind.COORDINATEUR],
                    conseiller__isnull=False,
                    structure__isnull=True,
                    departement__isnull=True,
                    region__isnull=True,
                    hub__isnull=True,
                ),
            ),
        ]

    def __str__(self):
        return f"Invitation de {self.user}"

    @staticmethod
    def new_token() -> tuple[str, str]:
        """A random token for the e-mailed link, and its hash: only the hash is stored."""
        token = secrets.token_urlsafe(32)
        return token, _hash_token(token)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_valid(self) -> bool:
        """Unused, unexpired, for an active account: only the national team reactivates an account."""
        return self.accepted_at is None and not self.is_expired and self.user.is_active

    @property
    def scope(self) -> dict:
        return {name: getattr(self, name) for name in SCOPE_FIELDS if getattr(self, f"{name}_id")}

    @property
    def role(self) -> Role | None:
        """The role given on acceptance (not saved), None for a password-only invitation."""
        return Role(user=self.user, kind=self.kind, **self.scope) if self.kind else None
