"""kitgen command line: parses arguments, calls the pipeline, maps errors to exit codes.

Exit codes: 0 ok, 2 invalid request or usage, 3 content or asset error, 4 render error,
5 storage error, 70 internal error (a bug: the message says where to look).
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import socket
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kitgen import __version__, objects
from kitgen.errors import ConfigError, KitgenError, StorageError
from kitgen.logs import configure_logging
from kitgen.models import KINDS, VARIANTS, KitRequest, parse_kinds
from kitgen.settings import Settings
from kitgen.storage import Storage, open_storage
from kitgen.translations.notes import language_notes


class Reporter:
    """Progress on stderr, silenced by --quiet; results on stdout."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.started = time.perf_counter()

    def say(self, message: str) -> None:
        if not self.quiet:
            print(message, file=sys.stderr, flush=True)

    def progress(self, event: str, info: dict[str, Any]) -> None:
        elapsed = time.perf_counter() - self.started
        if event == "document":
            self.say(f"[{info['index']}/{info['total']}] {info['kind']} …")
        elif event == "document-done":
            state = "cached" if info["cached"] else "rendered"
            self.say(f"      {info['kind']}: {state}, {info['pages']} page(s) ({elapsed:.1f}s)")
        elif event == "cached":
            self.say(f"cached: kit {info['key'][:12]} is already built, nothing rendered")


def _personalization(args: argparse.Namespace) -> dict[str, str]:
    names = (
        "organization",
        "event_name",
        "event_date",
        "start_time",
        "place",
        "official_name",
        "official_title",
        "jurisdiction",
    )
    return {n: getattr(args, n) for n in names if getattr(args, n)}


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    from kitgen.pipeline import build_kit
    from kitgen.publish import ensure_combined

    reporter = Reporter(args.quiet)
    request = KitRequest.from_dict(
        {
            "country": args.country,
            "language": args.language,
            "campaign": args.campaign,
            "kinds": args.kinds,
            "personalization": _personalization(args),
            "print_ready": args.print_ready,
            "variant": args.variant,
        }
    )
    storage = open_storage(settings)
    reporter.say(
        f"kitgen {__version__}: {request.country}/{request.language} ({', '.join(request.kinds)})"
    )
    result = build_kit(
        request, settings=settings, storage=storage, force=args.force, progress=reporter.progress
    )
    year = result.request["campaign"]
    out = Path(args.out or f"kits/{request.country}-{request.language}-{year}")
    out.mkdir(parents=True, exist_ok=True)
    stem = f"hour-of-code-{request.country}-{request.language}-{year}"
    written = []
    for doc in result.documents:
        target = out / f"{stem}-{doc.kind}.pdf"
        copy_object(storage, objects.document_object(doc.key), target)
        written.append(target)
    combined = out / f"{stem}-kit.pdf"
    copy_object(storage, ensure_combined(storage, result.manifest), combined)
    manifest = out / "manifest.json"
    manifest.write_bytes(result.manifest.to_json() + b"\n")
    rendered = result.rendered_count
    state = (
        "cached"
        if result.cached
        else f"rendered {rendered}, cached {len(result.documents) - rendered}"
    )
    reporter.say(f"{state}; kit {result.key[:12]} in {time.perf_counter() - reporter.started:.1f}s")
    for note in language_notes(result.manifest.documents, {k: k for k in KINDS}):
        reporter.say(note)
    for fallback in result.manifest.fallbacks:
        reporter.say(f"fallback: {fallback}")
    diagnostics = sorted({d for doc in result.documents for d in doc.diagnostics})
    if diagnostics:
        reporter.say(
            f"{len(diagnostics)} content note(s) (invalid translations, legacy-page "
            f"repairs, drops, warnings); all in {manifest}"
        )
        for line in diagnostics[: args.show_notes]:
            reporter.say(f"  {line}")
    for path in [*written, combined, manifest]:
        print(path)
    return 0


def copy_object(storage: Storage, key: str, target: Path) -> None:
    """A stored object to a file, written whole or not at all."""
    data = storage.get(key)
    if data is None:
        raise StorageError(f"{key} vanished from {storage.describe()}; build again with --force")
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(data)
    partial.replace(target)


def cmd_locales(args: argparse.Namespace, settings: Settings) -> int:
    from kitgen.locales import load_catalog

    catalog = load_catalog(settings.content_dir)
    english = catalog.language("en")
    if args.json:
        data = {
            "countries": {
                c.code: {
                    "name": catalog.country_name(c, english),
                    "languages": list(c.languages),
                    "paper": c.paper,
                    "region": c.region,
                }
                for c in catalog.countries.values()
            },
            "languages": {
                lang.code: {
                    "locale": str(lang.locale),
                    "direction": lang.direction,
                    "name": catalog.language_name(lang, english),
                    "native": catalog.language_name(lang, lang),
                }
                for lang in catalog.languages.values()
            },
        }
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    print("Countries (code, name, languages: default first, paper)")
    for c in sorted(catalog.countries.values(), key=lambda c: c.code):
        print(
            f"  {c.code:4} {catalog.country_name(c, english):28} "
            f"{','.join(c.languages):16} {c.paper}"
        )
    print("Languages (code, CLDR locale, direction, name)")
    for lang in sorted(catalog.languages.values(), key=lambda x: x.code):
        print(
            f"  {lang.code:4} {lang.locale!s:12} {lang.direction}  "
            f"{catalog.language_name(lang, english)} / {catalog.language_name(lang, lang)}"
        )
    return 0


def cmd_render_page(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import replace

    from kitgen.content.pegasus.site import PegasusSite
    from kitgen.pipeline import renderer_for

    page = Path(args.file)
    if not page.is_file():
        print(f"kitgen: error: {page}: no such file", file=sys.stderr)
        return 2
    root = Path(args.site) if args.site else PegasusSite.find_root(page)
    if root is not None:
        settings = replace(settings, content_source=f"pegasus:{root}")
    request = KitRequest.from_dict(
        {
            "country": args.country,
            "language": args.language,
            "campaign": args.campaign,
            "kinds": "guide",
            "variant": args.variant,
        }
    )
    data, pages, sourced = renderer_for(settings).render_page(page, request)
    out = Path(args.output or page.with_suffix(".pdf").name)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(out)
    for line in sourced.diagnostics:
        print(line, file=sys.stderr)
    for fallback in sorted(sourced.fallbacks):
        print(f"fallback: {fallback}", file=sys.stderr)
    where = f"strings from {root}" if root else "no site tree: page strings are missing"
    print(f"{out}: {pages} page(s); {len(sourced.diagnostics)} note(s); {where}", file=sys.stderr)
    print(out)
    return 0


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from kitgen.site_health import format_html, format_table, translation_report

    languages = [x.strip() for x in args.languages.split(",")] if args.languages else None
    report = translation_report(settings, languages)
    if args.json:
        print(
            json.dumps({"languages": [h.to_dict() for h in report]}, indent=2, ensure_ascii=False)
        )
    else:
        print(format_table(report))
    if args.html:
        Path(args.html).write_text(format_html(report), encoding="utf-8")
        print(f"wrote {args.html}", file=sys.stderr)
    return 1 if any(h.errors for h in report) else 0


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from kitgen.check import check_content

    report = check_content(settings)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for error in report.errors:
        print(f"error: {error}", file=sys.stderr)
    print(
        f"checked {report.documents} document(s) in {len(report.languages)} language(s): "
        f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)"
    )
    return 1 if report.errors else 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from kitgen.metricsdir import ensure_multiprocess_dir

    ensure_multiprocess_dir()  # before prometheus-client loads and the local pool starts

    from kitgen.web import create_app
    from kitgen.web.limits import MAX_HEADER_BYTES

    if args.workers:
        from dataclasses import replace

        settings = replace(settings, local_workers=args.workers)
    configure_logging(logging.WARNING if args.quiet else logging.INFO, settings.log_format)
    listener = _listen(args.host, args.port)  # a busy port is a clear error, before any set-up
    # where it listens; the app's own start-up line says where it stores and how it renders
    logging.getLogger("kitgen.web").info(
        "kitgen %s: http://%s:%d/", __version__, args.host, args.port
    )
    # h11 with an explicit bound: request line + headers past MAX_HEADER_BYTES are refused
    # (400) before anything is parsed into the app; httptools has no such limit. The app
    # refuses what h11 parsed in one piece past the same bound (431, kitgen.web.limits).
    with listener:
        uvicorn.run(
            create_app(settings),
            fd=listener.fileno(),
            access_log=False,
            log_level="warning",
            timeout_graceful_shutdown=10,
            http="h11",
            h11_max_incomplete_event_size=MAX_HEADER_BYTES,
            limit_concurrency=512,
        )
    return 0


def _listen(host: str, port: int) -> socket.socket:
    """The server's socket, bound here so that a port in use is named plainly."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(2048)
    except OSError as exc:
        reason = (
            "is already in use; stop what uses it or choose another with --port"
            if exc.errno == errno.EADDRINUSE
            else f"cannot be used: {exc.strerror}"
        )
        raise ConfigError(f"{host}:{port} {reason}") from None
    listener.set_inheritable(True)
    return listener


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from kitgen.metricsdir import ensure_multiprocess_dir

    ensure_multiprocess_dir()  # before prometheus-client loads and the pool forks

    from kitgen.jobs import make_celery
    from kitgen.queues import QUEUES

    queues = [q.strip() for q in args.queues.split(",") if q.strip()]
    unknown = [q for q in queues if q not in QUEUES]
    if unknown or not queues:
        print(
            f"kitgen: error: unknown queue(s) {unknown}; valid: {', '.join(QUEUES)}",
            file=sys.stderr,
        )
        return 2
    app = make_celery(settings)
    # every line of the worker and its render processes (Celery's too) in one format; JSON
    # lines without Celery's banner, which is not a log line
    configure_logging(getattr(logging, args.loglevel.upper()), settings.log_format, "")
    argv = [
        *(["--quiet"] if settings.log_format == "json" else []),
        "worker",
        "--queues",
        ",".join(queues),
        "--concurrency",
        str(args.concurrency),
        "--loglevel",
        args.loglevel,
        "--without-gossip",
        "--without-mingle",
    ]
    if args.hostname:
        argv += ["--hostname", args.hostname]
    if settings.worker_metrics_port:
        from prometheus_client import CollectorRegistry, multiprocess, start_http_server

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        start_http_server(settings.worker_metrics_port, registry=registry)
    app.worker_main(argv)
    return 0


def cmd_ping(args: argparse.Namespace, settings: Settings) -> int:
    """Liveness of the render workers: a Celery ping answered within a second."""
    if not settings.redis_url:
        print(
            "kitgen: error: no KITGEN_REDIS_URL: the local pool has no workers to ping",
            file=sys.stderr,
        )
        return 2
    from kitgen.dispatch.queued import CeleryDispatcher

    dispatcher = CeleryDispatcher(settings)
    try:
        names = dispatcher.workers()
    finally:
        dispatcher.close()
    if args.this_host:
        names = [n for n in names if n.endswith("@" + socket.gethostname())]
    for name in names:
        print(name)
    if not names:
        print("kitgen: no render worker answered", file=sys.stderr)
    return 0 if names else 1


def _codes(value: str | None) -> list[str] | None:
    return [c.strip().lower() for c in value.split(",") if c.strip()] if value else None


def _run_batch(
    args: argparse.Namespace,
    settings: Settings,
    locales: list[tuple[str, str]],
    campaign: str,
    queue: str,
    title: str,
) -> int:
    from kitgen.batch.campaign import run_locales
    from kitgen.batch.progress import RunProgress
    from kitgen.batch.report import format_table
    from kitgen.dispatch import open_dispatcher

    kinds = parse_kinds(args.kinds)
    storage = open_storage(settings)
    dispatcher = open_dispatcher(settings, queue=queue)
    try:
        with RunProgress(len(locales), title, quiet=args.quiet) as progress:
            report = run_locales(
                settings,
                storage,
                dispatcher,
                locales,
                kinds,
                campaign,
                force=args.force,
                retries=args.retries,
                on_change=progress.update,
            )
    except KeyboardInterrupt:
        where = "keep rendering on the workers" if settings.redis_url else "were stopped"
        print(
            f"kitgen: interrupted; finished kits are in the index, queued ones {where}; "
            "run the same command again to finish (nothing is rendered twice)",
            file=sys.stderr,
        )
        return 130
    finally:
        dispatcher.close()
    print(format_table(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        print(f"report: {args.json}", file=sys.stderr)
    index = objects.index_object(campaign, "index.html")
    print(f"index: {index} in {storage.describe()}", file=sys.stderr)
    return 1 if report["totals"]["failed"] else 0


def cmd_campaign_regenerate(args: argparse.Namespace, settings: Settings) -> int:
    from kitgen.batch.campaign import campaign_locales

    locales = campaign_locales(settings, args.year, _codes(args.countries), _codes(args.languages))
    if not locales:
        print("kitgen: error: no (country, language) pair matches those filters", file=sys.stderr)
        return 2
    return _run_batch(args, settings, locales, args.year, "batch", f"campaign {args.year}")


def cmd_request(args: argparse.Namespace, settings: Settings) -> int:
    from kitgen.batch.campaign import requested_locales

    pairs = [(c, lang) for c in _codes(args.country) or [] for lang in _codes(args.language) or []]
    locales, campaign = requested_locales(settings, pairs, args.campaign)
    return _run_batch(
        args,
        settings,
        locales,
        campaign,
        "interactive",
        f"request {', '.join(f'{c}/{lang}' for c, lang in locales)}",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kitgen", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version=f"kitgen {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="build a kit (4 PDFs, a combined PDF, a manifest)")
    build.add_argument("--country", required=True, help="country code, e.g. fr, us (see locales)")
    build.add_argument("--language", required=True, help="site language code, e.g. fr, en")
    build.add_argument("--campaign", help="campaign year (default: the current campaign)")
    build.add_argument(
        "--kinds",
        default=",".join(KINDS),
        help=f"comma-separated kinds (default: {','.join(KINDS)})",
    )
    build.add_argument("--out", help="folder for the PDFs (default: kits/<country>-<lang>-<year>)")
    build.add_argument("--print-ready", action="store_true", help="3 mm bleed and crop marks")
    build.add_argument(
        "--variant",
        choices=VARIANTS,
        help="pdf/ua-1: tagged, accessible (the default); pdf/a-3u: archival, also tagged",
    )
    build.add_argument("--force", action="store_true", help="render again even if cached")
    build.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    build.add_argument(
        "--show-notes",
        type=int,
        default=10,
        metavar="N",
        help="print the first N legacy-page notes (default 10)",
    )
    personal = build.add_argument_group("personalisation (printed in proclamation and agenda)")
    for name, help_text in [
        ("organization", "organising school or body"),
        ("event-name", "name of the event"),
        ("event-date", "date as YYYY-MM-DD"),
        ("start-time", "start time as HH:MM (24 h)"),
        ("place", "where the event is held"),
        ("official-name", "name of the official"),
        ("official-title", "title of the official"),
        ("jurisdiction", "city, county, state or school board issuing the proclamation"),
    ]:
        personal.add_argument(f"--{name}", help=help_text)
    build.set_defaults(handler=cmd_build)

    locales = sub.add_parser("locales", help="list countries and languages")
    locales.add_argument("--json", action="store_true")
    locales.set_defaults(handler=cmd_locales)

    check = sub.add_parser("check", help="validate all content; non-zero exit on errors")
    check.set_defaults(handler=cmd_check)

    page = sub.add_parser(
        "render-page",
        help="render one legacy page file as a guide-styled PDF (to check a translation)",
    )
    page.add_argument("file", help="a page: .md, .md.erb, .md.partial (or a saved copy)")
    page.add_argument("--country", required=True)
    page.add_argument("--language", required=True)
    page.add_argument("--campaign")
    page.add_argument(
        "--site", help="the site tree for strings (default: the tree the file is in, if any)"
    )
    page.add_argument("--variant", choices=VARIANTS)
    page.add_argument("-o", "--output", help="PDF to write (default: <file>.pdf here)")
    page.set_defaults(handler=cmd_render_page)

    report = sub.add_parser("report", help="translation health of a legacy site, per language")
    report.add_argument("--languages", help="comma-separated codes (default: all in the site)")
    report.add_argument("--json", action="store_true", help="JSON instead of a table")
    report.add_argument("--html", metavar="FILE", help="also write an HTML report")
    report.set_defaults(handler=cmd_report)

    serve = sub.add_parser(
        "serve",
        help="the web form and JSON API (renders in local processes "
        "unless KITGEN_REDIS_URL names a broker)",
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=int,
        help="local render processes (no broker only; default KITGEN_LOCAL_WORKERS or 2)",
    )
    serve.add_argument("--quiet", "-q", action="store_true", help="log warnings only")
    serve.set_defaults(handler=cmd_serve)

    worker = sub.add_parser(
        "worker",
        help="a Celery worker rendering queued kits "
        "(KITGEN_REDIS_URL, default redis://127.0.0.1:6379/0)",
    )
    worker.add_argument(
        "--queues",
        "-Q",
        default="interactive,batch",
        help="queues in priority order (default: interactive,batch)",
    )
    worker.add_argument("--concurrency", "-c", type=int, default=2, help="render processes")
    worker.add_argument(
        "--loglevel", default="info", choices=["debug", "info", "warning", "error", "critical"]
    )
    worker.add_argument("--hostname", "-n", help="worker node name (Celery's -n)")
    worker.set_defaults(handler=cmd_worker)

    ping = sub.add_parser("ping", help="exit 0 when a render worker answers (health checks)")
    ping.add_argument(
        "--this-host",
        action="store_true",
        help="only a worker of this machine counts (a container's own check)",
    )
    ping.set_defaults(handler=cmd_ping)

    campaign = sub.add_parser("campaign", help="campaign-wide jobs for staff")
    campaign_sub = campaign.add_subparsers(dest="campaign_command", required=True)
    regen = campaign_sub.add_parser(
        "regenerate",
        help="render every valid (country, language) of a campaign year: "
        "incremental, resumable, reported",
    )
    regen.add_argument("year", help="campaign year, e.g. 2026 (see content/campaigns.yaml)")
    regen.add_argument("--countries", help="comma-separated country codes (default: all)")
    regen.add_argument(
        "--languages", help="comma-separated language codes (default: each country's languages)"
    )
    regen.set_defaults(handler=cmd_campaign_regenerate)

    staff = sub.add_parser(
        "request",
        help="(re)render specific locales now (after a translation lands) and report what changed",
    )
    staff.add_argument("--country", required=True, help="country code(s), comma-separated")
    staff.add_argument("--language", required=True, help="language code(s), comma-separated")
    staff.add_argument("--campaign", help="campaign year (default: the current campaign)")
    staff.set_defaults(handler=cmd_request)

    for command in (regen, staff):
        command.add_argument(
            "--kinds",
            default=",".join(KINDS),
            help=f"comma-separated kinds (default: {','.join(KINDS)})",
        )
        command.add_argument(
            "--force", action="store_true", help="render again even where nothing changed"
        )
        command.add_argument(
            "--retries",
            type=int,
            default=2,
            help="tries again after a store or process failure (default 2)",
        )
        command.add_argument("--json", metavar="FILE", help="also write the report as JSON")
        command.add_argument("--quiet", "-q", action="store_true", help="no progress")

    from kitgen.translations.commands import add_parser as add_translations_parser

    add_translations_parser(sub)

    for command in (build, check, page, report, serve, worker, regen, staff):
        command.add_argument(
            "--content",
            metavar="SOURCE",
            help="content source: native (default) or pegasus:<site root> "
            "(overrides KITGEN_CONTENT)",
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    debug = False
    try:
        settings = Settings.from_env()
        debug = settings.debug
        if getattr(args, "content", None):
            from dataclasses import replace

            settings = replace(settings, content_source=args.content)
        status: int = args.handler(args, settings)
        return status
    except KitgenError as exc:
        print(f"kitgen: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("kitgen: interrupted; nothing partial was stored", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): not kitgen's error; keep Python from complaining
        # again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        if debug:
            raise
        print(
            f"kitgen: internal error: {type(exc).__name__}: {exc} "
            "(set KITGEN_DEBUG=1 for a traceback)",
            file=sys.stderr,
        )
        return 70


if __name__ == "__main__":
    sys.exit(main())
