"""The Celery app, made from settings: ``celery -A kitgen.jobs worker`` or ``kitgen worker``.

Habits (ARCHITECTURE.md): JSON only; explicit task names; ``acks_late`` with
``reject_on_worker_lost`` so a render whose process dies is run again; prefetch 1; soft and
hard time limits; processes recycled after N tasks. Two queues: ``interactive`` for people at
the form and ``batch`` for campaigns. Workers consume them in priority order (kombu's
``queue_order_strategy``), so a waiting person's kit is always taken before the next batch one.
"""

from __future__ import annotations

from celery import Celery
from kombu.entity import Exchange, Queue

from kitgen.errors import ConfigError
from kitgen.queues import INTERACTIVE, QUEUES
from kitgen.settings import Settings

BUILD_TASK = "kitgen.build_kit"
DELIVER_TASK = "kitgen.deliver_callback"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def make_celery(settings: Settings) -> Celery:
    """A Celery app for these settings; the task module is loaded by workers only."""
    if settings.visibility_timeout <= settings.task_hard_limit:
        raise ConfigError(
            f"KITGEN_VISIBILITY_TIMEOUT ({settings.visibility_timeout}s) must exceed "
            f"KITGEN_TASK_HARD_LIMIT ({settings.task_hard_limit}s), or Redis would hand a "
            "render that is still running to a second worker"
        )
    url = settings.redis_url or DEFAULT_REDIS_URL
    app = Celery("kitgen", broker=url, backend=url, include=["kitgen.tasks"])
    restore_every = max(1, min(10, settings.visibility_timeout // 5))
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=settings.task_soft_limit,
        task_time_limit=settings.task_hard_limit,
        worker_max_tasks_per_child=settings.worker_max_tasks,
        worker_max_memory_per_child=settings.worker_max_memory_mib * 1024,  # KiB
        task_track_started=True,
        task_queues=[Queue(name, Exchange(name), routing_key=name) for name in QUEUES],
        task_default_queue=INTERACTIVE,
        task_routes={BUILD_TASK: {"queue": INTERACTIVE}, DELIVER_TASK: {"queue": INTERACTIVE}},
        result_expires=24 * 3600,
        broker_transport_options={
            "visibility_timeout": settings.visibility_timeout,
            "queue_order_strategy": "priority",
            # look for tasks of dead workers often enough to honour the visibility timeout
            "unacked_restore_interval": restore_every,
            "unacked_restore_throttle": 1,
        },
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=2,
        redis_socket_connect_timeout=2,
        redis_socket_timeout=10,
        task_publish_retry_policy={
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.5,
            "interval_max": 1,
        },
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    return app


def __getattr__(name: str) -> Celery:
    """``app``, the Celery app ``celery -A kitgen.jobs worker`` loads, made on first use from
    the KITGEN_* variables (importing this module builds nothing and reads no settings)."""
    if name == "app":
        found = globals()["app"] = make_celery(Settings.from_env())
        return found
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
