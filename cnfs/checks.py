"""Deployment checks (`manage.py check --deploy`, run by `make quality` on the production settings)."""

from django.conf import settings
from django.core import checks

PROCESS_LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@checks.register(checks.Tags.security, deploy=True)
def shared_rate_limit_store(app_configs, **kwargs):
    """Login and export limits are counted in the cache: one per process would multiply them by the number
    of gunicorn workers (SPEC §18)."""
    if settings.CACHES["default"]["BACKEND"] in PROCESS_LOCAL_CACHES:
        return [
            checks.Error(
                "Le cache est propre à chaque processus : les limites de connexion et d'exports ne seraient "
                "pas partagées entre les workers.",
                hint="Définissez REDIS_URL (cache partagé dans Redis).",
                id="cnfs.E001",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def client_address_behind_proxy(app_configs, **kwargs):
    """Behind the TLS proxy every request comes from its address: the per-address limits must read the
    client's from the proxy's header, or one attacker throttles everybody."""
    if not (
        getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
        or getattr(settings, "ALLAUTH_TRUSTED_CLIENT_IP_HEADER", None)
    ):
        return [
            checks.Warning(
                "L'adresse des clients n'est pas lue dans l'en-tête du proxy : tous les utilisateurs "
                "partageraient la limite par adresse.",
                hint="TRUSTED_PROXY_COUNT (nombre de proxys devant gunicorn) ou TRUSTED_CLIENT_IP_HEADER.",
                id="cnfs.W002",
            )
        ]
    return []
