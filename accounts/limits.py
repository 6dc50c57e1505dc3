"""Per-account limits of the requests that send e-mails (SPEC §18), counted by allauth's rate limiter (the
rates are in ACCOUNT_RATE_LIMITS, the counts in the shared cache)."""

from allauth.core import ratelimit

INVITATIONS_LIMITED = (
    "Vous avez envoyé beaucoup d'invitations en peu de temps : rien n'a été envoyé. Réessayez dans une heure."
)


def invitation_allowed(request) -> bool:
    """Counts one invitation (or one batch of the admin's action) against the account's limit."""
    return ratelimit.consume(request, action="invitation", user=request.user)
