"""Settings shared by every environment; everything secret or machine-specific comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "dsfr",
    "widget_tweaks",
    "django_filters",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "csp",
    "cnfs",
    "accounts",
    "structures",
    "conseillers",
    "cra",
    "stats",
    "cnfs.exports",
    "ressourcerie",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the others, like CSP's below: Permissions-Policy on every response, static files and error
    # pages included; no cache for downloads (SPEC §18).
    "cnfs.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the others: a response made of an exception raised in them (the 503 page when the session
    # cannot be read) still gets its CSP and frame headers.
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "cnfs.pages.middleware.ActiveRoleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "cnfs.urls"
WSGI_APPLICATION = "cnfs.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "cnfs.context_processors.site",
                "cnfs.pages.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
POSTGRESQL = "postgresql" in DATABASES["default"]["ENGINE"]
if POSTGRESQL:
    # A database host that stops answering (rather than refusing) must not hold a web worker past its
    # gunicorn timeout: the request fails with the 503 page instead (docs/exploitation.md).
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(
        os.environ.get("DB_CONNECT_TIMEOUT", "5")
    )
# Web processes (cnfs/wsgi.py: gunicorn) on PostgreSQL: a statement running longer than this is cancelled,
# so that one slow query cannot hold a web worker; the request then fails cleanly (500 page). Celery
# workers and management commands (rebuilds, exports, imports) have no such limit.
WEB_STATEMENT_TIMEOUT_MS = int(os.environ.get("WEB_STATEMENT_TIMEOUT_MS", "30000"))
if POSTGRESQL and os.environ.get("CNFS_WEB") == "1":
    if WEB_STATEMENT_TIMEOUT_MS:
        DATABASES["default"]["OPTIONS"]["options"] = f"-c statement_timeout={WEB_STATEMENT_TIMEOUT_MS}"
    if env_bool("DB_PREPARED_STATEMENTS", True):
        # Parameters bound by the server and statements prepared from their second run: PostgreSQL plans
        # the same small queries of every request once per connection (CRA creation 185/s instead of
        # 133/s, docs/performance.md). Not for workers and commands: on the raw-CRA aggregations of exports,
        # rebuilds and check_stats, the generic plan PostgreSQL switches to after five runs is 3× slower.
        # Off (0) behind a pooler in transaction mode, which cannot keep prepared statements.
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=1)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Django's defaults, then bcrypt: the accounts imported from the first system keep their bcrypt hash
# (SPEC §15) and log in with their old password, upgraded to the first hasher at that login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.BCryptPasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "home"

# django-allauth: e-mail + password only; accounts are created by invitation, never by sign-up.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# No "no account for this address" e-mail: the reset form would send mail to any address on demand. The
# page answers the same whether the address has an account or not.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_RATE_LIMITS = {
    # Brute force: 5 failed logins per e-mail every 5 minutes, 30 per IP per minute.
    "login_failed": "30/m/ip,5/5m/key",
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    # Expensive requests, per account (SPEC §18): invitations sent, background exports asked or relaunched.
    "invitation": "30/h/user",
    "export": "10/10m/user",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Conseiller numérique] "

INVITATION_VALIDITY = timedelta(days=7)

# ProConnect (SPEC §14, docs/authentification.md): off, and no button, until the three are set.
# PROCONNECT_DOMAIN: ProConnect's host (API under https://<host>/api/v2), or a full URL for a local provider.
PROCONNECT_DOMAIN = os.environ.get("PROCONNECT_DOMAIN", "")
PROCONNECT_CLIENT_ID = os.environ.get("PROCONNECT_CLIENT_ID", "")
PROCONNECT_CLIENT_SECRET = os.environ.get("PROCONNECT_CLIENT_SECRET", "")
# allauth keeps the state of a ProConnect login and the link of an identity to an account; its app is built
# from the three settings above (accounts.adapters.SocialAccountAdapter), never from the database.
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False

SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
# Off: ids printed in forms and links must stay raw ("2638", not "2 638"); figures are grouped explicitly
# with humanize's intcomma, which follows the French format.
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # WhiteNoise's, with the manifest of the hashed names out of the served folder.
    "staticfiles": {"BACKEND": "cnfs.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Conseiller numérique <ne-pas-repondre@conseiller-numerique.gouv.fr>"
)

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that stops answering fails the request quickly instead of holding its worker (the
            # login limits and the home page's figures read the cache).
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: without a broker, tasks run eagerly in the process that sends them (demo on a bare machine). Celery
# still takes a producer for them: the in-memory transport, with a host name, or kombu warns « No hostname
# was supplied » (its default is AMQP on an unnamed host).
NO_BROKER = "memory://localhost/"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL or NO_BROKER
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL == NO_BROKER
CELERY_TASK_EAGER_PROPAGATES = True
# Eager exports would hold the page for the seconds a PDF takes: without a broker they are made beside it.
EXPORTS_WITHOUT_BROKER_IN_A_THREAD = CELERY_TASK_ALWAYS_EAGER
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis hands an unacknowledged task (its worker was killed) to another worker after this delay: longer than
# the longest task (an export: 3 h at most), so that a slow task never runs twice at once.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "14400"))
}
# Exports (minutes of CPU for a national file) have their own queue: the statistics' recomputes, on the
# default queue "celery", never wait behind them. Every worker consumes both (`-Q celery,exports`) or one
# worker runs per queue (docker-compose.yml).
CELERY_TASK_ROUTES = {
    f"cnfs.exports.tasks.{task}": {"queue": "exports"}
    for task in ("export_make", "exports_expire", "exports_fail_interrupted")
}
CELERY_BEAT_SCHEDULE = {
    "purge-expired-invitations": {
        "task": "accounts.tasks.invitations_purge_expired",
        "schedule": crontab(hour=3, minute=15),
    },
    # Recomputes the keys left pending by a worker stopped mid-task (no-op otherwise).
    "pending-aggregates": {"task": "stats.tasks.aggregates_recompute_pending", "schedule": 60.0},
    # Catches up whatever the recomputes on commit missed (broker down, bulk imports, generate_cras).
    "rebuild-aggregates": {
        "task": "stats.tasks.aggregates_rebuild",
        "schedule": crontab(hour=2, minute=30),
    },
    # Exports are kept 7 days; those whose worker died without the task coming back are marked failed.
    "expire-exports": {"task": "cnfs.exports.tasks.exports_expire", "schedule": crontab(hour=4, minute=0)},
    "interrupted-exports": {
        "task": "cnfs.exports.tasks.exports_fail_interrupted",
        "schedule": crontab(minute=20),
    },
    # The ressourcerie's ZIP is rebuilt after each change; this catches up a missed one (no-op otherwise).
    "ressourcerie-archive": {
        "task": "ressourcerie.tasks.archive_build",
        "schedule": crontab(minute="*/10"),
    },
}

DSFR_USE_INTEGRITY_CHECKSUMS = True

# Content-Security-Policy (django-csp 4): no inline script or style; DSFR's scripts get the nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# The ProConnect button and the logout after a ProConnect login are forms whose answer redirects to
# ProConnect: form-action names its origin, or the browser stops there.
if PROCONNECT_DOMAIN:
    _proconnect = urlsplit(
        PROCONNECT_DOMAIN if "://" in PROCONNECT_DOMAIN else f"https://{PROCONNECT_DOMAIN}"
    )
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(
        f"{_proconnect.scheme}://{_proconnect.netloc}"
    )

X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint and the font subsetter it calls log every step at INFO.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
}

SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(dsn=SENTRY_DSN, send_default_pii=False, traces_sample_rate=0.0)

# The service's public name, shown in the header and in e-mails.
SITE_NAME = "Conseiller numérique"
SITE_TAGLINE = "Suivi d'activité et pilotage des Conseillers numériques France Services"

# Absolute address of the service, for the links sent by e-mail from workers (no request there).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
