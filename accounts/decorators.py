from functools import wraps

from django.core.exceptions import PermissionDenied


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
