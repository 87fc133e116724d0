"""Frozen settings: the only place that reads KITGEN_* environment variables."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from kitgen.errors import ConfigError
from kitgen.translations.policy import TranslationPolicy

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_store() -> Path:
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_home) / "kitgen" / "store"


@dataclass(frozen=True)
class Settings:
    """Where content, templates, styles and the result store live, and which site links target."""

    content_dir: Path = PROJECT_ROOT / "content"
    templates_dir: Path = PROJECT_ROOT / "templates"
    styles_dir: Path = PROJECT_ROOT / "styles"
    store_dir: Path = field(default_factory=_default_store)
    site_url: str = "https://hourofcode.com"
    #: where documents come from: ``native`` (content_dir) or ``pegasus:<legacy site root>``
    content_source: str = "native"
    #: which translated segments print: ``draft`` (drafts too: a draft in the reader's
    #: language serves them better than English) or ``reviewed`` (only reviewed ones)
    translations: str = "draft"

    # -- the service (issue 4): unset means the embedded default, no Redis and no S3 ----------
    #: Celery broker and result backend; None: ``kitgen serve`` renders in a local process pool
    redis_url: str | None = None
    #: S3 bucket for the store; None: the local folder ``store_dir``
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None  # MinIO, moto, …; None: AWS
    s3_public_endpoint_url: str | None = None  # host in presigned links, if browsers need another
    s3_region: str = "us-east-1"
    s3_prefix: str = ""  # keys live under this prefix in the bucket
    s3_path_style: bool = True  # MinIO and most self-hosted S3 need path-style addressing
    download_expiry: int = 3600  # seconds a presigned download URL stays valid
    #: a render past the soft limit fails with a clear error; the hard limit kills the process
    task_soft_limit: int = 120
    task_hard_limit: int = 150
    #: a worker process is replaced after this many tasks (bounds memory growth)
    worker_max_tasks: int = 200
    #: …or once its resident memory passes this many MiB: a safety net, twice what a process
    #: holds after kits in every language (~380 MiB, benchmarks/memory.py)
    worker_max_memory_mib: int = 768
    #: seconds before Redis hands an unacknowledged task (its worker died) to another worker
    visibility_timeout: int = 300
    #: processes rendering for ``kitgen serve`` without a broker
    local_workers: int = 2
    #: largest request body the web tier reads (413 past it, before parsing)
    max_body_bytes: int = 65536
    #: admission control (kitgen/web/admission.py): renders one client may ask for per
    #: period, kits it may have in flight, kits the interactive queue may hold
    rate_limit: str = "10/minute"
    max_in_flight: int = 3
    max_queued: int = 100
    #: proxies whose X-Forwarded-For names the client (addresses or networks)
    trusted_proxies: tuple[str, ...] = ()
    #: bearer token for the staff API (``POST /api/staff/kits``); None: the staff API is off
    staff_token: str | None = field(default=None, repr=False)
    #: callbacks (kitgen/webhooks.py): the HMAC secret (None: callbacks are refused), hosts or
    #: networks that may be called although not public, attempts per event
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_allow: tuple[str, ...] = ()
    webhook_attempts: int = 6
    #: a worker whose store write failed tries again after this many seconds, then twice,
    #: four times as long (three retries) before it reports the kit failed
    storage_retry_seconds: float = 1.0
    #: log lines for people ("text") or JSON lines for collectors ("json"), web and workers
    log_format: str = "text"
    #: internal errors print their traceback (``KITGEN_DEBUG=1``), for developers
    debug: bool = False
    #: this service's own address as callers see it, for links in callbacks (None: taken
    #: from the request that gave the callback)
    public_url: str | None = None
    #: a worker serves its pool's Prometheus metrics on this port (None: not served)
    worker_metrics_port: int | None = None

    @property
    def translation_policy(self) -> TranslationPolicy:
        return TranslationPolicy(self.translations)

    @classmethod
    def from_env(cls, env: os._Environ[str] | dict[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        defaults = cls()

        def path(name: str, default: Path) -> Path:
            value = env.get(name)
            return Path(value).expanduser().resolve() if value else default

        def number(name: str, default: int) -> int:
            return _positive(env.get(name), name, default, int, "a positive whole number")

        def seconds(name: str, default: float) -> float:
            return _positive(env.get(name), name, default, float, "seconds above 0", most=3600)

        return cls(
            content_dir=path("KITGEN_CONTENT_DIR", defaults.content_dir),
            templates_dir=path("KITGEN_TEMPLATES_DIR", defaults.templates_dir),
            styles_dir=path("KITGEN_STYLES_DIR", defaults.styles_dir),
            store_dir=path("KITGEN_STORE_DIR", defaults.store_dir),
            site_url=env.get("KITGEN_SITE_URL", defaults.site_url).rstrip("/"),
            content_source=env.get("KITGEN_CONTENT", defaults.content_source),
            translations=_translations(env.get("KITGEN_TRANSLATIONS") or defaults.translations),
            redis_url=env.get("KITGEN_REDIS_URL") or None,
            s3_bucket=env.get("KITGEN_S3_BUCKET") or None,
            s3_endpoint_url=env.get("KITGEN_S3_ENDPOINT_URL") or None,
            s3_public_endpoint_url=env.get("KITGEN_PUBLIC_S3_ENDPOINT_URL") or None,
            s3_region=env.get("KITGEN_S3_REGION") or defaults.s3_region,
            s3_prefix=(env.get("KITGEN_S3_PREFIX") or "").strip("/"),
            s3_path_style=env.get("KITGEN_S3_ADDRESSING", "path") != "virtual",
            download_expiry=number("KITGEN_DOWNLOAD_EXPIRY", defaults.download_expiry),
            task_soft_limit=number("KITGEN_TASK_SOFT_LIMIT", defaults.task_soft_limit),
            task_hard_limit=number("KITGEN_TASK_HARD_LIMIT", defaults.task_hard_limit),
            worker_max_tasks=number("KITGEN_WORKER_MAX_TASKS", defaults.worker_max_tasks),
            worker_max_memory_mib=number(
                "KITGEN_WORKER_MAX_MEMORY_MIB", defaults.worker_max_memory_mib
            ),
            visibility_timeout=number("KITGEN_VISIBILITY_TIMEOUT", defaults.visibility_timeout),
            local_workers=number("KITGEN_LOCAL_WORKERS", defaults.local_workers),
            staff_token=env.get("KITGEN_STAFF_TOKEN") or None,
            max_body_bytes=number("KITGEN_MAX_BODY_BYTES", defaults.max_body_bytes),
            rate_limit=_rate(env.get("KITGEN_RATE_LIMIT") or defaults.rate_limit),
            max_in_flight=number("KITGEN_MAX_IN_FLIGHT", defaults.max_in_flight),
            max_queued=number("KITGEN_MAX_QUEUED", defaults.max_queued),
            trusted_proxies=_list(env.get("KITGEN_TRUSTED_PROXIES")),
            webhook_secret=env.get("KITGEN_WEBHOOK_SECRET") or None,
            webhook_allow=tuple(x.lower() for x in _list(env.get("KITGEN_WEBHOOK_ALLOW"))),
            webhook_attempts=number("KITGEN_WEBHOOK_ATTEMPTS", defaults.webhook_attempts),
            storage_retry_seconds=seconds(
                "KITGEN_STORAGE_RETRY_SECONDS", defaults.storage_retry_seconds
            ),
            public_url=(env.get("KITGEN_PUBLIC_URL") or "").rstrip("/") or None,
            log_format=_log_format(env.get("KITGEN_LOG_FORMAT") or defaults.log_format),
            debug=(env.get("KITGEN_DEBUG") or "") not in ("", "0", "false", "no"),
            worker_metrics_port=(
                number("KITGEN_WORKER_METRICS_PORT", 1)
                if env.get("KITGEN_WORKER_METRICS_PORT")
                else None
            ),
        )


Number = TypeVar("Number", int, float)


def _positive(
    value: str | None,
    name: str,
    default: Number,
    parse: Callable[[str], Number],
    what: str,
    most: float = math.inf,
) -> Number:
    """The variable's number, the default when unset, a ConfigError naming it when not a
    number above 0 (and at most ``most``)."""
    if not value:
        return default
    try:
        parsed = parse(value)
    except ValueError:
        raise ConfigError(f"{name} must be {what}, not {value!r}") from None
    if not 0 < parsed <= most:  # NaN fails this too
        raise ConfigError(f"{name} must be {what}, not {value!r}")
    return parsed


def _list(value: str | None) -> tuple[str, ...]:
    return tuple(x.strip() for x in (value or "").split(",") if x.strip())


def _translations(value: str) -> str:
    if value not in {p.value for p in TranslationPolicy}:
        choices = ", ".join(p.value for p in TranslationPolicy)
        raise ConfigError(f"KITGEN_TRANSLATIONS must be one of {choices}, not {value!r}")
    return value


def _log_format(value: str) -> str:
    from kitgen.logs import LOG_FORMATS

    if value not in LOG_FORMATS:
        raise ConfigError(f"KITGEN_LOG_FORMAT must be text or json, not {value!r}")
    return value


def _rate(value: str) -> str:
    from limits import parse

    try:
        parse(value)
    except ValueError:
        raise ConfigError(f"KITGEN_RATE_LIMIT must read like '10/minute', not {value!r}") from None
    return value
