from .base import *  # noqa: F403
from .base import MIDDLEWARE, NO_BROKER, TEMPLATES

SECRET_KEY = "test-only-key"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# Fast hashing in tests; bcrypt for the accounts imported from the first system.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.BCryptPasswordHasher",
]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The tests decide themselves whether Celery talks to a broker.
CELERY_BROKER_URL = NO_BROKER
CELERY_TASK_ALWAYS_EAGER = True


class InvalidTemplateVariable(str):
    """A missing variable in a template fails the test instead of rendering an empty string."""

    def __mod__(self, missing):
        raise NameError(f"Variable de gabarit inconnue : {missing!r}")


TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = InvalidTemplateVariable("%s")

# Static files come from the apps' folders (runserver, live_server); WhiteNoise serves them in production.
MIDDLEWARE = [name for name in MIDDLEWARE if name != "whitenoise.middleware.WhiteNoiseMiddleware"]
