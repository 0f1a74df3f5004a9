"""Django settings for Compliance Hub, read from the environment.

Every knob an operator may turn is an environment variable (see docs/configuration.md).
Defaults make a local demo work; production (DEBUG off) refuses to start without SECRET_KEY.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from compliance_hub.env import (
    cache_settings,
    email_settings,
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_str,
)

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("DATA_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random value "
            '(python -c "import secrets; print(secrets.token_urlsafe(50))"), '
            "or set DEBUG=1 for a local demo."
        )
    SECRET_KEY = "insecure-demo-key-only-for-DEBUG-never-for-production-0123456789"  # noqa: S105

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [SITE_URL])

INSTALLED_APPS = [
    "compliance_hub.accounts",
    "compliance_hub.facilities",
    "compliance_hub.certificates",
    "compliance_hub.audits",
    "compliance_hub.auditors",
    "compliance_hub.passkeys",
    "compliance_hub.sso",
    "compliance_hub.partner_api",
    "compliance_hub.activity",
    "compliance_hub.mailer",
    "compliance_hub.notifications",
    "compliance_hub.webhooks",
    "compliance_hub.demo",
    "compliance_hub.core",
    "ninja",  # serves the /api/v1/docs assets locally (no CDN)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "compliance_hub.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "compliance_hub.core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "compliance_hub.accounts.middleware.SessionTimeoutMiddleware",
    "compliance_hub.passkeys.middleware.StrongSignInMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "compliance_hub.urls"
WSGI_APPLICATION = "compliance_hub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "compliance_hub.core.context_processors.hub",
            ],
        },
    },
    {
        # Only where Django's engine is the cost (the certificate table's rows): apps'
        # jinja2/ folders, autoescaped.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "APP_DIRS": True,
        "OPTIONS": {"environment": "compliance_hub.core.jinja2.environment"},
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'compliance_hub.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Connection pooling (docs/deploy.md): Django's own pool in each process (needs the
    # "pool" extra, psycopg-pool), or PgBouncer in transaction mode in front of PostgreSQL.
    DATABASE_POOL_MAX = env_int("DATABASE_POOL_MAX", 0)
    if DATABASE_POOL_MAX > 0:
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": DATABASE_POOL_MAX,
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
        }
    # Server-side cursors (QuerySet.iterator) do not survive transaction pooling.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DATABASE_PGBOUNCER", False)
# Optional streaming replica for heavy reads only (exports, bulk ZIP index, reconciliation
# matching, digests): core/replica.py says when a read may go there. Tests mirror it.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DATABASE_PGBOUNCER", False)
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 3
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["compliance_hub.core.replica.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(1, "compliance_hub.core.replica.ReplicaMiddleware")
# A client that wrote reads from the primary for this long; kept above the largest replay lag
# tolerated, so that the replica has the write when the pin ends.
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 5)
REPLICA_PIN_SECONDS = max(env_int("REPLICA_PIN_SECONDS", 10), REPLICA_MAX_LAG_SECONDS + 1)
REPLICA_CHECK_SECONDS = env_int("REPLICA_CHECK_SECONDS", 1)
REPLICA_COOLDOWN_SECONDS = env_int("REPLICA_COOLDOWN_SECONDS", 30)
REPLICA_PIN_COOKIE = "hub-pin" if DEBUG else "__Host-hub-pin"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits) ---------------------------------------------------------------
CACHES = {"default": cache_settings(env_str("CACHE_URL", ""))}

# --- People and sessions ---------------------------------------------------------------
AUTH_USER_MODEL = "accounts.Person"
# Django's own: nobody has a usable password, so only an e-mailed link or code signs in.
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS: list[dict[str, str]] = []
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "/"
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 12 * 3600)
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", 14 * 24 * 3600)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SIGN_IN_LINK_TTL = env_int("SIGN_IN_LINK_TTL", 10 * 60)
INVITATION_TTL = env_int("INVITATION_TTL", 7 * 24 * 3600)
# Forwarded headers (X-Forwarded-For, -Proto) count only through TRUSTED_PROXY_COUNT proxies
# and only from a peer in FORWARDED_ALLOW_IPS, which gunicorn reads too (docs/deploy.md).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
FORWARDED_ALLOW_IPS = env_networks("FORWARDED_ALLOW_IPS", ["127.0.0.1", "::1"])
SIGN_IN_CODE_ATTEMPTS = env_int("SIGN_IN_CODE_ATTEMPTS", 3)
# Sign-in limits (docs/sign-in.md): per client; per address from browsers that never signed
# in as it, below the cap on e-mails to an address, so its owner's browser is always served.
SIGN_IN_RATE_PER_IP = env_int("SIGN_IN_RATE_PER_IP", 20)  # per hour
SIGN_IN_RATE_PER_ADDRESS_AND_IP = env_int("SIGN_IN_RATE_PER_ADDRESS_AND_IP", 5)  # per hour
SIGN_IN_RATE_PER_ADDRESS = env_int("SIGN_IN_RATE_PER_ADDRESS", 10)  # per hour
SIGN_IN_RATE_PER_ADDRESS_DAY = env_int("SIGN_IN_RATE_PER_ADDRESS_DAY", 20)
SIGN_IN_MAIL_PER_HOUR = env_int("SIGN_IN_MAIL_PER_HOUR", 15)
SIGN_IN_MAIL_PER_DAY = env_int("SIGN_IN_MAIL_PER_DAY", 30)
SIGN_IN_FAILURES_PER_IP = env_int("SIGN_IN_FAILURES_PER_IP", 20)  # failed links per hour
PASSKEY_CEREMONIES_PER_IP = env_int("PASSKEY_CEREMONIES_PER_IP", 60)  # passkey tries an hour
PASSKEY_CHALLENGE_TTL = env_int("PASSKEY_CHALLENGE_TTL", 300)  # seconds a challenge works
STRONG_SIGN_IN_RECHECK = env_int("STRONG_SIGN_IN_RECHECK", 300)  # policy re-read per session
# Public certificate verification pages, per client IP.
VERIFY_RATE_PER_MINUTE = env_int("VERIFY_RATE_PER_MINUTE", 30)
VERIFY_RATE_PER_HOUR = env_int("VERIFY_RATE_PER_HOUR", 300)
INVITATION_RATE_PER_INVITER = env_int("INVITATION_RATE_PER_INVITER", 20)  # per day
PARTNER_API_RATE_PER_MINUTE = env_int("PARTNER_API_RATE_PER_MINUTE", 600)  # per API key
PARTNER_API_MAX_BODY = env_int("PARTNER_API_MAX_BODY", 2 * 1024 * 1024)  # bytes, else 413

# --- E-mail ----------------------------------------------------------------------------
EMAIL_URL = env_str("EMAIL_URL")
globals().update(email_settings(EMAIL_URL))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Compliance Hub <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Send the outbox right after commit in-process (demo); production leaves it to the worker.
MAIL_SEND_ON_COMMIT = env_bool("MAIL_SEND_ON_COMMIT", not EMAIL_URL)
MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 48)  # about two days, then marked failed
MAIL_RETRY_BASE_SECONDS = env_int("MAIL_RETRY_BASE_SECONDS", 30)  # doubles after each failure
MAIL_RETRY_MAX_SECONDS = env_int("MAIL_RETRY_MAX_SECONDS", 3600)
# A worker's claim on a message it sends; a killed worker's claim expires after this.
MAIL_CLAIM_SECONDS = env_int("MAIL_CLAIM_SECONDS", 300)
# Facility notifications (docs/notifications.md): the weekly digest goes out on this weekday
# (0 = Monday) at this hour, UTC; a certificate change is announced once it is this many
# seconds old (longer than any write transaction, so none commits behind the job's position).
NOTIFICATIONS_DIGEST_WEEKDAY = env_int("NOTIFICATIONS_DIGEST_WEEKDAY", 0)
NOTIFICATIONS_DIGEST_HOUR = env_int("NOTIFICATIONS_DIGEST_HOUR", 7)
NOTIFICATIONS_SETTLE_SECONDS = env_int("NOTIFICATIONS_SETTLE_SECONDS", 120)

# What `compliance-hub worker` runs each round: name -> function(batch) -> items done.
WORKER_JOBS = {
    "sign-in": "compliance_hub.accounts.services.process_sign_in_requests",  # before "mail"
    "mail": "compliance_hub.mailer.services.send_due",
    "certificates": "compliance_hub.certificates.documents.render_pending",
    "names": "compliance_hub.certificates.names_backfill.backfill_search_names",
    "certificate-notices": "compliance_hub.notifications.services.notify_certificate_changes",
    "weekly-digest": "compliance_hub.notifications.services.send_weekly_digest",
    "webhooks": "compliance_hub.webhooks.delivery.deliver_due",
}

# --- Partner webhooks (docs/webhooks.md) ------------------------------------------------
# Plain http:// endpoints and private, loopback or link-local targets only for local work.
WEBHOOKS_ALLOW_HTTP = env_bool("WEBHOOKS_ALLOW_HTTP", DEBUG)
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", DEBUG)
WEBHOOKS_TIMEOUT_SECONDS = env_int("WEBHOOKS_TIMEOUT_SECONDS", 5)  # connect, and read
WEBHOOKS_RETRY_HOURS = env_int("WEBHOOKS_RETRY_HOURS", 72)  # then a delivery fails
WEBHOOKS_DISABLE_AFTER_HOURS = env_int("WEBHOOKS_DISABLE_AFTER_HOURS", 72)  # failing throughout
WEBHOOKS_RETRY_BASE_SECONDS = env_int("WEBHOOKS_RETRY_BASE_SECONDS", 30)  # doubles, full jitter
WEBHOOKS_RETRY_MAX_SECONDS = env_int("WEBHOOKS_RETRY_MAX_SECONDS", 6 * 3600)

# --- Single sign-on (docs/sign-in.md, "Single sign-on") ---------------------------------
# Plain http:// issuers and private, loopback or link-local issuer hosts only for local work.
SSO_ALLOW_HTTP = env_bool("SSO_ALLOW_HTTP", DEBUG)
SSO_ALLOW_PRIVATE_ISSUERS = env_bool("SSO_ALLOW_PRIVATE_ISSUERS", DEBUG)
SSO_TIMEOUT_SECONDS = env_int("SSO_TIMEOUT_SECONDS", 5)  # each request to a provider
SSO_ATTEMPT_TTL = env_int("SSO_ATTEMPT_TTL", 600)  # seconds to come back from the provider
SSO_CLOCK_SKEW_SECONDS = env_int("SSO_CLOCK_SKEW_SECONDS", 60)  # leeway on exp/iat

# --- Files -----------------------------------------------------------------------------
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Serve app static files straight from the packages unless collectstatic built a manifest.
WHITENOISE_USE_FINDERS = not env_bool("STATIC_MANIFEST", False)
S3_BUCKET = env_str("S3_BUCKET")
S3_ENDPOINT_URL = env_str("S3_ENDPOINT_URL")
if S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT_URL or None,
            "region_name": env_str("AWS_DEFAULT_REGION", env_str("AWS_S3_REGION_NAME")) or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "private, max-age=0"},
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": None},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Security --------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Load balancer probes may speak plain HTTP to the app: answer them, don't redirect.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    # No SECURE_PROXY_SSL_HEADER: Django would believe X-Forwarded-Proto from any client.
    # gunicorn sets the scheme from it only for peers in FORWARDED_ALLOW_IPS (gunicorn.conf.py).

# --- Everything else -------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True
HUB_NAME = env_str("HUB_NAME", "Compliance Hub")

LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "compliance_hub.core.logging.RedactingFilter"},
        "request_id": {"()": "compliance_hub.core.logging.RequestIdFilter"},
    },
    "formatters": {
        "json": {"()": "compliance_hub.core.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT if LOG_FORMAT in ("json", "plain") else "json",
            "filters": ["request_id", "redact"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # runserver's own request lines: ours (compliance_hub.access) replace them.
        "django.server": {"handlers": [], "level": "ERROR", "propagate": False},
        "compliance_hub.access": {"level": "INFO" if env_bool("ACCESS_LOG", True) else "WARNING"},
    },
}
