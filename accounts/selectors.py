from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db.models import Q

from accounts.models import Invitation

User = get_user_model()


def account_for_identity(email: str) -> User | None:
    """The active account of this e-mail that an identity (ProConnect) may be linked to: one that was
    invited (an invitation accepted, or one still valid) or whose address was proven; None otherwise."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        return None
    invited = Invitation.objects.filter(
        Q(accepted_at__isnull=False) | Q(pk__in=Invitation.objects.pending()), user=user
    ).exists()
    proven = EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()
    return user if invited or proven else None
