"""Many kits at once: a campaign's every locale, or the few staff ask for after a translation
lands. Fans out over the same dispatchers as the web (Celery ``batch`` queue, or the local
pool), keyed by content so unchanged kits are not rendered again and an interrupted run picks
up where it stopped."""
