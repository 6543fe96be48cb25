"""Settings, read from the environment.

The embedded mode (no ``DATABASE_URL``, no ``REDIS_URL``) keeps everything under
``CONNECT_SUPPORT_DATA_DIR``: the SQLite database, the job queue, the secret key and the
dev outbox. Setting ``DATABASE_URL`` and ``REDIS_URL`` switches to the scale-out mode.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("CONNECT_SUPPORT_DATA_DIR", "./var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """The key from the environment, else one generated once and kept in the data dir.

    Keeping it on disk means sessions and signed links survive restarts of the embedded
    mode without the user having to invent a key.
    """
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DEBUG")
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")
    if host.strip()
]
OPERATOR_NAME = os.environ.get("OPERATOR_NAME", "Connect Support")
# The public origin of this deployment, used in links inside emails and in the demo.
PUBLIC_URL = os.environ.get("PUBLIC_URL", "").rstrip("/")

REDIS_URL = os.environ.get("REDIS_URL", "")
DATABASE_URL = os.environ.get("DATABASE_URL", "")
SCALE_OUT = bool(REDIS_URL)

INSTALLED_APPS = [
    # Django's admin, behind the console's two-factor sign-in (see console/admin_site.py).
    "connect_support.console.admin_config.ConsoleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "huey.contrib.djhuey",
    "connect_support.accounts",
    "connect_support.identity",
    "connect_support.api",
    "connect_support.embedded",
    "connect_support.platform_demo",
    "connect_support.console",
    "connect_support.helpcenter",
    "anymail",
    "connect_support.cases",
    "connect_support.chat",
    "connect_support.risk",
    "connect_support.webhooks",
    "connect_support.privacy",
    "connect_support.csat",
    "connect_support.analytics",
    "connect_support.sla",
]

MIDDLEWARE = [
    "connect_support.metrics.RequestMetricsMiddleware",
    "connect_support.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "connect_support.identity.middleware.SignInSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "connect_support.urls"
ASGI_APPLICATION = "connect_support.asgi.application"

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
                "connect_support.context_processors.operator",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    if DATABASE_URL:
        config: dict[str, Any] = dict(dj_database_url.parse(DATABASE_URL))
        if config["ENGINE"] == "django.db.backends.postgresql" and _env_bool("DATABASE_POOL", default=True):
            # Under ASGI each request's sync code runs in a thread of its own, so per-thread
            # persistent connections would mean a new connection per request; a pool shared
            # by the threads keeps them open (Django requires CONN_MAX_AGE=0 with it).
            config["CONN_MAX_AGE"] = 0
            config.setdefault("OPTIONS", {})["pool"] = {
                "min_size": 2,
                "max_size": int(os.environ.get("DATABASE_POOL_SIZE", "20")),
                # How long a request waits for a connection; when the database is down this
                # is how soon it answers 503 with Retry-After.
                "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "3")),
            }
            # Pooled connections broken by a database restart are noticed and replaced when
            # taken from the pool (Django passes psycopg's check), so service resumes by itself.
            config["CONN_HEALTH_CHECKS"] = True
        return config
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "db.sqlite3"),
        "OPTIONS": {
            # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at
            # BEGIN so concurrent writers queue on busy_timeout instead of failing.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;"
            ),
            "transaction_mode": "IMMEDIATE",
        },
        "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")} if _env_bool("TEST_SQLITE_FILE") else {},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _channel_layer_host(url: str) -> dict[str, Any]:
    """The channel layer's Redis connections: idle pooled connections are pinged before
    use, and a command that meets a connection left dead by a Redis restart reconnects
    and is tried again."""
    from redis.asyncio.retry import Retry
    from redis.backoff import ExponentialBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError

    return {
        "address": url,
        # redis-py refuses a command (MaxConnectionsError) rather than wait once 100
        # connections are in use; a busy process sends to many groups at once.
        "max_connections": int(os.environ.get("REDIS_MAX_CONNECTIONS", "1000")),
        "health_check_interval": 2,
        "retry": Retry(ExponentialBackoff(cap=1.0, base=0.05), 4),
        "retry_on_error": [RedisConnectionError],
    }


if REDIS_URL:
    CACHES: dict[str, dict[str, Any]] = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cs",
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # Live chat: an agent's connection may take a burst of events from many chats.
            "CONFIG": {
                "hosts": [_channel_layer_host(REDIS_URL)],
                "prefix": "cs:chan",
                "capacity": 1000,
            },
        }
    }
else:
    # Rate limits, chat presence and double-submit guards live here: LocMemCache's default
    # of 300 entries would evict them as soon as a few hundred chats are open.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 500_000}}
    }
    # Channels' InMemoryChannelLayer scans every channel on each message; ours does not (chat/layers.py).
    CHANNEL_LAYERS = {"default": {"BACKEND": "connect_support.chat.layers.LocalChannelLayer"}}


def _huey() -> dict[str, Any]:
    common: dict[str, Any] = {
        "name": "connect-support",
        "immediate": _env_bool("HUEY_IMMEDIATE"),
        "consumer": {"workers": 4, "worker_type": "thread", "periodic": True},
    }
    if REDIS_URL:
        return {**common, "huey_class": "huey.RedisHuey", "url": REDIS_URL}
    return {**common, "huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "jobs.sqlite3")}


HUEY = _huey()

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]


def _email() -> dict[str, Any]:
    """Outbound mail from ``EMAIL_URL`` (smtp://user:pass@host:port?tls=1) or the dev outbox."""
    email_url = os.environ.get("EMAIL_URL", "")
    if not email_url:
        return {
            "EMAIL_BACKEND": "connect_support.outbox.EmailOutboxBackend",
        }
    parsed = urlparse(email_url)
    query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    if parsed.scheme in {"console"}:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parsed.scheme not in {"smtp", "smtps", "submission"}:
        raise ValueError(f"EMAIL_URL: unsupported scheme {parsed.scheme!r} (use smtp, smtps or console)")
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or {"smtps": 465, "submission": 587}.get(parsed.scheme, 25),
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_SSL": parsed.scheme == "smtps",
        "EMAIL_USE_TLS": query.get("tls", "0") in {"1", "true"} or parsed.scheme == "submission",
        "EMAIL_TIMEOUT": 10,
    }


globals().update(_email())
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"{OPERATOR_NAME} <support@localhost>")
MAIL_DOMAIN = os.environ.get("MAIL_DOMAIN", "localhost")
if os.environ.get("EMAIL_BACKEND"):
    # An ESP through django-anymail, e.g. anymail.backends.mailgun.EmailBackend (docs/email.md).
    EMAIL_BACKEND = os.environ["EMAIL_BACKEND"]

# Email cases (docs/email.md). Replies come to support+<case token>@MAIL_DOMAIN.
SUPPORT_EMAIL_LOCAL_PART = os.environ.get("SUPPORT_EMAIL_LOCAL_PART", "support")
# The SMTP receiver that `serve` runs in the embedded mode and `connect-support smtpd` runs
# in the scale-out mode. SMTPD_PORT=0 keeps `serve` from starting it.
SMTPD_HOST = os.environ.get("SMTPD_HOST", "127.0.0.1")
SMTPD_PORT = int(os.environ.get("SMTPD_PORT", "2525"))
SMTPD_TLS_CERT = os.environ.get("SMTPD_TLS_CERT", "")
SMTPD_TLS_KEY = os.environ.get("SMTPD_TLS_KEY", "")
CASES_INBOUND_MAX_BYTES = 40 * 1024 * 1024
CASES_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
CASES_ATTACHMENT_MAX_FILES = 5
CASES_MAIL_RETRY_BASE_SECONDS = 30
CASES_MAIL_RETRY_CAP_SECONDS = 60 * 60
CASES_MAIL_GIVE_UP_SECONDS = 3 * 24 * 60 * 60
CASES_FIRST_RESPONSE_HOURS = 24
CASES_RESOLUTION_HOURS = 72
CASES_INBOUND_PER_SENDER_PER_HOUR = 60
CASES_ACKNOWLEDGEMENTS_PER_SENDER_PER_HOUR = 5
CASES_RAW_MAIL_RETENTION_DAYS = 90
# Customer satisfaction (csat/): how long the rating link in the solved mail works, and
# how long after a rating it can still be changed.
CSAT_LINK_DAYS = 30
CSAT_EDIT_HOURS = 7 * 24
# ESP inbound webhooks (django-anymail): every ANYMAIL_<NAME> variable becomes a setting,
# e.g. ANYMAIL_WEBHOOK_SECRET=user:pass, ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY=….
ANYMAIL = {key.removeprefix("ANYMAIL_"): value for key, value in os.environ.items() if key.startswith("ANYMAIL_")}
OUTBOX_DIR = DATA_DIR / "outbox"
SMS_BACKEND = os.environ.get("SMS_BACKEND", "outbox")
# SMS_BACKEND=twilio reads these; TWILIO_API_BASE overrides https://api.twilio.com.
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = os.environ.get("TWILIO_FROM_NUMBER", "")
TWILIO_MESSAGING_SERVICE_SID = os.environ.get("TWILIO_MESSAGING_SERVICE_SID", "")
TWILIO_API_BASE = os.environ.get("TWILIO_API_BASE", "")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_bool("HTTPS")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
if SESSION_COOKIE_SECURE:
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Identity and access (docs/security.md). Sessions end after 12 hours whatever happens;
# the 30-minute idle limit and revocation are enforced by identity's middleware.
SESSION_COOKIE_AGE = 12 * 60 * 60
AUTHENTICATION_BACKENDS = ["connect_support.identity.backends.RoleAwareBackend"]
LOGIN_URL = "/console/login/"
CSRF_FAILURE_VIEW = "connect_support.identity.views.csrf_failure"
# Rate-limit counters live in the default cache (Redis in scale-out) under this prefix.
RATE_LIMIT_CACHE_PREFIX = "rl"


def _content_security_policy() -> dict[str, Any]:
    from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

    directives: dict[str, Any] = {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # Style attributes only (no <style> blocks without the nonce): they cannot run code.
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:", "https:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
    if SESSION_COOKIE_SECURE:
        directives["upgrade-insecure-requests"] = True
    return {"DIRECTIVES": directives}


CONTENT_SECURITY_POLICY = _content_security_policy()

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# The site-wide stylesheet lives outside any app (connect_support/static/).
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
if os.environ.get("S3_BUCKET"):
    # Case attachments in S3-compatible storage: pip install 'connect-support[s3]' (docs/email.md).
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": os.environ["S3_BUCKET"],
                "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
                "region_name": os.environ.get("S3_REGION") or None,
                "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
                "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
                "file_overwrite": False,
                "querystring_auth": True,
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

# The API accepts bodies up to 1 MiB; the check lives in the API layer so that it can
# answer in the API's own error shape.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# Account sessions live this long before a page must fetch a fresh client secret.
ACCOUNT_SESSION_TTL_SECONDS = 30 * 60
# An active account that owes something new keeps working this long (docs/requirements.md).
REQUIREMENTS_GRACE_DAYS = int(os.environ.get("REQUIREMENTS_GRACE_DAYS", "14"))
IDEMPOTENCY_KEY_TTL_SECONDS = 24 * 60 * 60

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "connect_support.observability.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        # Client libraries log every request at INFO; keep their warnings only.
        "stripe": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        # aiosmtpd (the SMTP receiver) logs every SMTP command at INFO.
        "mail.log": {"level": "WARNING"},
    },
}

# Notification-banner sources (embedded/notifications.py): requirements, then risk interventions.
EMBEDDED_NOTIFICATION_SOURCES = [
    "connect_support.embedded.notifications.RequirementNotifications",
    "connect_support.risk.banner.InterventionNotifications",
]

# Called after commit with an account id when risk changes the account (risk/services.py):
# the platform's ``account.updated`` webhook event (api/webhook_events.py).
RISK_ACCOUNT_CHANGED_HOOKS = ["connect_support.api.webhook_events.account_updated"]
# accounts/services.py: restrictions laid over freshly computed flags (risk pauses stay
# paused through any update), and what to call after commit when an account changes.
ACCOUNT_RESTRICTION_OVERLAYS = ["connect_support.risk.effects.account_risk_overlay"]
ACCOUNT_CHANGED_HOOKS = RISK_ACCOUNT_CHANGED_HOOKS

# Operations (docs/deploy.md): /metrics for Prometheus, errors to Sentry.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        release=os.environ.get("SENTRY_RELEASE") or None,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        # Account owners' and requesters' personal data stays out of error reports.
        send_default_pii=False,
    )
