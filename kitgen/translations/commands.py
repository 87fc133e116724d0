"""The ``kitgen translations`` commands: ``update`` and ``status`` (table or JSON)."""

from __future__ import annotations

import argparse
import json
import sys

from kitgen.settings import Settings
from kitgen.translations.workflow import DocumentStatus, translation_status, update_catalogs


def cmd_update(args: argparse.Namespace, settings: Settings) -> int:
    languages = _codes(args.language)
    report = update_catalogs(settings, languages)
    for name in report.templates:
        print(f"template: {name}", file=sys.stderr)
    for name in report.created:
        print(f"created: {name}", file=sys.stderr)
    for name, change in report.changes.items():
        print(
            f"{name}: {change.added} new, {change.outdated} need review (English changed), "
            f"{change.obsoleted} obsolete",
            file=sys.stderr,
        )
    print(
        f"{len(report.templates)} template(s) changed, {len(report.created)} catalog(s) "
        f"created, {len(report.changes)} catalog(s) with new, outdated or obsolete segments"
    )
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    rows = translation_status(settings, _codes(args.language))
    if args.json:
        print(
            json.dumps(
                {"policy": settings.translations, "documents": [r.to_dict() for r in rows]},
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        print(format_status(rows))
        for row in rows:
            for problem in row.problems:
                print(problem, file=sys.stderr)
    return 1 if any(r.invalid for r in rows) else 0


def format_status(rows: list[DocumentStatus]) -> str:
    header = (
        f"{'lang':<5} {'document':<13} {'words':>6} {'reviewed':>9} {'draft':>6} "
        f"{'outdated':>9} {'untransl.':>10} {'invalid':>8}  prints fully"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        fully = "yes (own file)" if r.whole_file else ("yes" if r.prints_fully else "no")
        lines.append(
            f"{r.language:<5} {r.kind:<13} {r.total:>6} {r.reviewed:>9} {r.draft:>6} "
            f"{r.outdated:>9} {r.untranslated:>10} {r.invalid:>8}  {fully}"
        )
    languages = {r.language for r in rows}
    full = {lang for lang in languages if all(r.prints_fully for r in rows if r.language == lang)}
    lines.append(
        f"{len(full)} of {len(languages)} language(s) print every document fully in their language"
    )
    return "\n".join(lines)


def _codes(value: str | None) -> list[str] | None:
    return [x.strip() for x in value.split(",") if x.strip()] if value else None


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    translations = sub.add_parser(
        "translations", help="segment catalogs (gettext PO) of the documents: update, status"
    )
    commands = translations.add_subparsers(dest="translations_command", required=True)
    update = commands.add_parser(
        "update",
        help="extract a POT per kind from the English "
        "documents and merge it into every language's PO",
    )
    update.add_argument("--language", help="comma-separated codes (default: every language)")
    update.set_defaults(handler=cmd_update)
    status = commands.add_parser(
        "status",
        help="words reviewed / draft / outdated / untranslated / invalid per language and document",
    )
    status.add_argument("--language", help="comma-separated codes (default: every language)")
    status.add_argument("--json", action="store_true", help="JSON instead of a table")
    status.set_defaults(handler=cmd_status)
