from functools import wraps

from django.core.exceptions import PermissionDenied

from accounts.enums import RoleKind


def role_required(*kinds):
    """Lets the view run only when the account's active role is one of `kinds` (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.role is None or request.role.kind not in kinds:
                raise PermissionDenied("Votre rôle ne donne pas accès à cette page.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def conseiller_required(view):
    """The Espace Coop: a conseiller (or coordinateur) role whose account has a conseiller profile."""

    @role_required(RoleKind.CONSEILLER, RoleKind.COORDINATEUR)
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        conseiller = request.scope.conseiller
        if conseiller is None:
            raise PermissionDenied("Votre compte n'est rattaché à aucune fiche de conseiller.")
        return view(request, conseiller, *args, **kwargs)

    return wrapper
