"""Configuration from the environment. Nothing is required for the embedded default."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

from saas.domain.passwords import DEFAULT_MIN_LENGTH

ROOT = Path(__file__).resolve().parent.parent


def _instance_dir() -> Path:
    return Path(os.environ.get("PACT_INSTANCE", ROOT / "instance")).resolve()


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    instance.mkdir(parents=True, exist_ok=True)
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _int_env(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _secure_cookies() -> bool:
    """SESSION_COOKIE_SECURE=1/0 decides; by default cookies are Secure as soon as the
    app runs on a server database, and not on the embedded default (pact demo, plain
    HTTP on this machine)."""
    explicit = os.environ.get("SESSION_COOKIE_SECURE")
    if explicit is not None:
        return explicit == "1"
    return bool(os.environ.get("DATABASE_URL"))


def from_environment(overrides: dict | None = None) -> dict:
    instance = _instance_dir()
    instance.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'pact.db'}"
    secure = _secure_cookies()
    config = {
        "INSTANCE_DIR": str(instance),
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # Migrations run as the owner; the app connects as a role that cannot bypass RLS.
        "DATABASE_OWNER_URL": os.environ.get("DATABASE_OWNER_URL") or database_url,
        "DATABASE_APP_ROLE": os.environ.get("DATABASE_APP_ROLE", "pact_app"),
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "STORAGE_URL": os.environ.get("STORAGE_URL") or f"file://{instance / 'files'}",
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL", ""),
        # e-mail: smtp://host:port (smtps:// for TLS); without it, .eml files in the outbox
        "SMTP_URL": os.environ.get("SMTP_URL", ""),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "pact@localhost"),
        # the address people open Pact at, for the links in e-mails
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        # proxies in front that set X-Forwarded-For / -Proto (0: none; sign-in throttling
        # and HSTS then see the client's own address and scheme)
        "PROXY_HOPS": _int_env("PROXY_HOPS", 0),
        "HSTS_SECONDS": _int_env("HSTS_SECONDS", 365 * 24 * 3600),  # browsers keep to TLS
        # /readyz tells its components' details only to a probe that shows this token
        "READYZ_TOKEN": os.environ.get("READYZ_TOKEN", ""),
        # Sessions: secure cookie flags, idle timeout (等保 2.0 三级).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Secure (HTTPS only) unless on the embedded default, which serves plain HTTP
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=_int_env("IDLE_TIMEOUT_MINUTES", 30)),
        "SESSION_REFRESH_EACH_REQUEST": True,
        "SESSION_MAX_HOURS": _int_env("SESSION_MAX_HOURS", 12),  # absolute, beside idle
        "MAX_CONTENT_LENGTH": _int_env("MAX_UPLOAD_MB", 20) * 1024 * 1024,
        "MAX_JSON_BYTES": _int_env("MAX_JSON_KB", 1024) * 1024,
        # Sign-in policy.
        "LOGIN_MAX_FAILURES": _int_env("LOGIN_MAX_FAILURES", 5),
        "LOGIN_LOCK_MINUTES": _int_env("LOGIN_LOCK_MINUTES", 15),
        # refused sign-ins from one address within LOGIN_LOCK_MINUTES, whatever the account
        "LOGIN_MAX_FAILURES_PER_ADDRESS": _int_env("LOGIN_MAX_FAILURES_PER_ADDRESS", 20),
        "PASSWORD_MIN_LENGTH": _int_env("PASSWORD_MIN_LENGTH", DEFAULT_MIN_LENGTH),
        "PASSWORD_HISTORY": _int_env("PASSWORD_HISTORY", 5),  # the last N are refused
        "PASSWORD_MAX_AGE_DAYS": _int_env("PASSWORD_MAX_AGE_DAYS", 90),
        "API_TOKEN_DAYS": _int_env("API_TOKEN_DAYS", 30),
        # scrypt (memory-hard KDF); tests use cheaper parameters of the same algorithm.
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD", "scrypt"),
        # Evidence files.
        "EVIDENCE_MAX_MB": _int_env("EVIDENCE_MAX_MB", 20),
        # a ledger export of more rows than this runs as a job, with its progress shown
        "EXPORT_INLINE_ROWS": _int_env("EXPORT_INLINE_ROWS", 2000),
        "EVIDENCE_TYPES": ["image/jpeg", "image/png", "application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/csv"],
        # i18n
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": ["zh_CN", "en"],
        # API docs (flask-smorest)
        "API_TITLE": "Pact API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "v1/openapi.json",
        "OPENAPI_REDOC_PATH": "docs",
        "OPENAPI_REDOC_URL": "/static/vendor/redoc/redoc.standalone.js",
        "WTF_CSRF_TIME_LIMIT": None,
        # A provisioning run that creates this many rows is a bulk load: ANALYZE after it.
        "ANALYZE_AFTER_ROWS": _int_env("ANALYZE_AFTER_ROWS", 500),
        # A pooled connection idle this long is pinged before use (extensions.ping_when_idle)
        "DB_PING_IDLE_SECONDS": _int_env("DB_PING_IDLE_SECONDS", 10),
    }
    config.update(overrides or {})
    # The API's kept reads need a cache that every worker shares (saas.api.kept_reads).
    config.setdefault("API_KEPT_READS", bool(config["REDIS_URL"])
                      and os.environ.get("API_KEPT_READS", "1") != "0")
    return config
