"""The two render queues: people at the form first, campaign regeneration behind them.
Apart from kitgen.jobs so that the embedded pool names them without importing Celery."""

INTERACTIVE, BATCH = "interactive", "batch"
QUEUES = (INTERACTIVE, BATCH)
