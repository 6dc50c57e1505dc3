from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.enums import RoleKind
from accounts.groupes import EQUIPE_NATIONALE
from accounts.models import Invitation, Role

User = get_user_model()


def user_get_or_create(*, email: str, first_name: str = "", last_name: str = "") -> User:
    """The account of this e-mail (case-insensitive), created without a usable password if new."""
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email, first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        user.save()
    return user


def role_grant(*, user: User, kind: str, structure=None, departement=None, region=None, hub=None) -> Role:
    """Gives a role with its scope to an account; granting it twice changes nothing."""
    if kind in (RoleKind.CONSEILLER, RoleKind.COORDINATEUR) and not hasattr(user, "conseiller"):
        raise ValidationError("Ce compte n'est rattaché à aucune fiche de conseiller.")
    role, _ = Role.objects.get_or_create(
        user=user, kind=kind, structure=structure, departement=departement, region=region, hub=hub
    )
    if kind == RoleKind.ADMIN:
        # The national team works in the Django admin: staff, with the permissions of its group.
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.groups.add(*Group.objects.filter(name=EQUIPE_NATIONALE))
    return role


def conseiller_account(conseiller) -> User:
    """The account of a conseiller: his own, or that of his professional e-mail (created if new)."""
    return conseiller.user or user_get_or_create(
        email=conseiller.email_pro, first_name=conseiller.prenom, last_name=conseiller.nom
    )


def conseiller_account_link(*, conseiller, user: User | None = None) -> User:
    """Links a conseiller's fiche to an account (by default his own, or his professional e-mail's) with the
    conseiller / coordinateur roles."""
    user = user or conseiller_account(conseiller)
    if conseiller.user_id != user.pk:
        if conseiller.user_id is not None or getattr(user, "conseiller", conseiller) != conseiller:
            raise ValidationError("Cette fiche de conseiller ou ce compte est déjà rattaché à un autre.")
        conseiller.user = user
        conseiller.save(update_fields=["user"])
    role_grant(user=user, kind=RoleKind.CONSEILLER)
    if conseiller.est_coordinateur:
        role_grant(user=user, kind=RoleKind.COORDINATEUR)
    else:
        user.roles.filter(kind=RoleKind.COORDINATEUR).delete()
    return user


def invitation_send(*, user: User, invited_by: User | None, kind: str = "", **role_scope) -> Invitation:
    """Creates an invitation valid 7 days, carrying the role (`kind` and its scope, or the `conseiller`) it
    gives on acceptance, and e-mails its link; earlier pending links to the same role stop working."""
    role = {"kind": kind, **{name: value for name, value in role_scope.items() if value is not None}}
    token, token_hash = Invitation.new_token()
    with transaction.atomic():
        Invitation.objects.filter(user=user, accepted_at__isnull=True, **role).update(
            expires_at=timezone.now()
        )
        invitation = Invitation.objects.create(
            user=user,
            invited_by=invited_by,
            token_hash=token_hash,
            expires_at=timezone.now() + settings.INVITATION_VALIDITY,
            **role,
        )
    context = {
        "user": user,
        "invited_by": invited_by,
        "role": invitation.role,
        "url": settings.SITE_URL + reverse("accounts:invitation_accept", args=[token]),
        "expires_at": invitation.expires_at,
        "site_name": settings.SITE_NAME,
    }
    send_mail(
        subject=render_to_string("accounts/email/invitation_subject.txt", context).strip(),
        message=render_to_string("accounts/email/invitation_message.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
    return invitation


def invitation_create(
    *, invited_by_role: Role, email: str, first_name: str, last_name: str, kind: str, **scope
) -> Invitation:
    """Invites a person to one role, given when the invitation is accepted. An admin invites to any role; a
    structure user, a colleague to his structure. Only the national team invites a deactivated account."""
    if invited_by_role.kind == RoleKind.STRUCTURE:
        if kind != RoleKind.STRUCTURE or scope.get("structure") != invited_by_role.structure:
            raise PermissionDenied("Une structure ne peut inviter que des collaborateurs de sa structure.")
    elif invited_by_role.kind != RoleKind.ADMIN:
        raise PermissionDenied("Votre rôle ne permet pas d'inviter.")
    with transaction.atomic():
        if kind in (RoleKind.CONSEILLER, RoleKind.COORDINATEUR):
            user = conseiller_account(scope["conseiller"])
        else:
            user = user_get_or_create(email=email, first_name=first_name, last_name=last_name)
        if not user.is_active and invited_by_role.kind != RoleKind.ADMIN:
            raise ValidationError(
                "Cette adresse est celle d'un compte désactivé : seule l'équipe nationale peut le réactiver "
                "(conseiller-numerique@anct.gouv.fr).",
                code="compte_desactive",
            )
        return invitation_send(user=user, invited_by=invited_by_role.user, kind=kind, **scope)


def invitation_accept(*, invitation: Invitation, password: str | None) -> User:
    """Sets the chosen password (None: a ProConnect login, no password) and gives the invitation's role; for
    a conseiller, links his fiche: the activation of his Espace Coop. A deactivated account stays so (its
    link is no longer valid)."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("user", "conseiller", "structure", "departement", "region", "hub")
            .get(pk=invitation.pk)
        )
        if not invitation.is_valid:
            raise ValidationError("Ce lien d'invitation n'est plus valide.")
        now = timezone.now()
        user = invitation.user
        if password is not None:
            user.set_password(password)
            user.save(update_fields=["password"])
        invitation.accepted_at = now
        invitation.save(update_fields=["accepted_at"])
        if invitation.conseiller is not None:
            conseiller_account_link(conseiller=invitation.conseiller, user=user)
        elif invitation.kind:
            role_grant(user=user, kind=invitation.kind, **invitation.scope)
        conseiller_activate(user=user, when=now)
    return user


def conseiller_activate(*, user: User, when=None) -> None:
    """Records the activation of a conseiller's Espace Coop: the first password set or first login."""
    conseiller = getattr(user, "conseiller", None)
    if conseiller is not None and conseiller.date_activation is None:
        conseiller.date_activation = when or timezone.now()
        conseiller.save(update_fields=["date_activation"])


def proconnect_link_record(*, user: User) -> None:
    """The first ProConnect login of `user`, linked by his e-mail. For an account that never chose a password,
    the invitation is its way in: its valid invitations are accepted (the identity proves the address they
    were sent to, SPEC §18). A conseiller's Espace Coop is activated (SPEC §2)."""
    with transaction.atomic():
        if not user.has_usable_password():
            for invitation in user.invitations.pending():
                invitation_accept(invitation=invitation, password=None)
        conseiller_activate(user=user)


def emails_verify(*, users) -> None:
    """Records the e-mail of each account as proven (allauth's EmailAddress), which lets a ProConnect identity
    of that address be linked to it: an action of the national team, or of the demo's loading."""
    known = set(EmailAddress.objects.filter(user__in=users).values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True)
        for user in users
        if user.pk not in known
    )


def invitations_purge_expired() -> int:
    """Deletes the unused invitations that expired more than 30 days ago (accepted ones are kept)."""
    limit = timezone.now() - timezone.timedelta(days=30)
    deleted, _ = Invitation.objects.filter(accepted_at__isnull=True, expires_at__lt=limit).delete()
    return deleted
