"""The end-of-run report: per locale rendered / cached / failed with the reason and time, the
totals, and the translation-health summary the content source can give."""

from __future__ import annotations

from collections import Counter
from typing import Any

from kitgen.batch.runner import CACHED, FAILED, RENDERED, LocaleJob
from kitgen.settings import Settings
from kitgen.translations.notes import printed_as


def summarize(
    jobs: list[LocaleJob], seconds: float, campaign: str, health: dict[str, Any] | None = None
) -> dict[str, Any]:
    states = Counter(job.state for job in jobs)
    return {
        "campaign": campaign,
        "seconds": round(seconds, 2),
        "locales": len(jobs),
        "totals": {
            "rendered": states[RENDERED],
            "cached": states[CACHED],
            "failed": states[FAILED],
            "documents_rendered": sum(job.rendered for job in jobs),
        },
        "kits": [job.to_dict() for job in jobs],
        "translation_health": health or {},
    }


def native_health(jobs: list[LocaleJob]) -> dict[str, Any]:
    """Per language: which documents printed in English and how many kit strings fell back,
    read from the kits' manifests (the native source has no other record)."""
    health: dict[str, dict[str, Any]] = {}
    for job in jobs:
        if job.manifest is None:
            continue
        entry = health.setdefault(
            job.language,
            {"documents_in_english": set(), "strings_in_english": set(), "printed": {}},
        )
        for document in job.manifest.documents:
            entry["printed"][document.kind] = printed_as(document)
        for fallback in job.manifest.fallbacks:
            kind, _, rest = fallback.partition(":")
            if kind == "document":
                entry["documents_in_english"].add(rest.split(":")[0])
            else:
                entry["strings_in_english"].add(fallback)
    return {
        lang: {
            "documents_in_english": sorted(v["documents_in_english"]),
            "strings_in_english": len(v["strings_in_english"]),
            "printed": dict(sorted(v["printed"].items())),
        }
        for lang, v in sorted(health.items())
    }


def translation_health(settings: Settings, jobs: list[LocaleJob]) -> dict[str, Any]:
    """The legacy site's own report when that is the source, else what the manifests say."""
    if settings.content_source.startswith("pegasus:"):
        from kitgen.site_health import translation_report

        languages = sorted({job.language for job in jobs})
        return {h.language: h.to_dict() for h in translation_report(settings, languages)}
    return native_health(jobs)


def format_table(report: dict[str, Any]) -> str:
    rows = [("locale", "result", "rendered", "cached", "seconds", "reason")]
    for kit in report["kits"]:
        seconds = "" if kit["seconds"] is None else f"{kit['seconds']:.2f}"
        rows.append(
            (
                f"{kit['country']}/{kit['language']}",
                kit["state"],
                str(kit["documents_rendered"]),
                str(kit["documents_cached"]),
                seconds,
                (kit["error"] or "")[:90],
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = [
        "  ".join(cell.ljust(widths[i]) if i < 5 else cell for i, cell in enumerate(row)).rstrip()
        for row in rows
    ]
    totals = report["totals"]
    lines.append(
        f"{report['locales']} locales in {report['seconds']:.1f}s: "
        f"{totals['rendered']} rendered ({totals['documents_rendered']} documents), "
        f"{totals['cached']} cached, {totals['failed']} failed"
    )
    english = {
        lang: h["documents_in_english"]
        for lang, h in report["translation_health"].items()
        if isinstance(h, dict) and h.get("documents_in_english")
    }
    if english:
        lines.append(
            "documents printed in English for lack of a translation: "
            + "; ".join(f"{lang}: {', '.join(kinds)}" for lang, kinds in english.items())
        )
    return "\n".join(lines)
