"""Campaign regeneration and staff requests against real parts: Redis, `kitgen worker`
subprocesses, moto's S3 over HTTP, and `kitgen campaign regenerate` / `kitgen request` run as
commands, as staff run them."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from kitgen.settings import PROJECT_ROOT, Settings
from tests.services import KITGEN, Stack, http, wait_for

pytestmark = pytest.mark.slow
#: 16 locales: us/en us/la ca/en ca/fr fr/fr fr/gb be/fr be/nl be/de be/gb ch/de ch/fr ch/it
#: ch/gb de/de de/gb (CLDR's languages of each country; English is always offered)
COUNTRIES = "us,ca,fr,be,ch,de"
LOCALES = 16


@pytest.fixture
def campaign_stack(stack: Stack, content_copy: Settings) -> Stack:
    """The stack reading a private copy of the content, so a test can edit or break it."""
    stack.env.update(
        {
            "KITGEN_CONTENT_DIR": str(content_copy.content_dir),
            "KITGEN_TEMPLATES_DIR": str(content_copy.templates_dir),
            "KITGEN_STYLES_DIR": str(content_copy.styles_dir),
        }
    )
    stack.settings = Settings.from_env(stack.env)
    return stack


def regenerate(stack: Stack, tmp_path: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    report = tmp_path / f"report-{time.monotonic_ns()}.json"
    done = subprocess.run(
        [
            *KITGEN,
            "campaign",
            "regenerate",
            "2026",
            "--countries",
            COUNTRIES,
            "--kinds",
            "agenda",
            "--json",
            str(report),
            *extra,
        ],
        env=stack.env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    data = json.loads(report.read_text()) if report.exists() else {}
    return done.returncode, data, done.stdout + done.stderr


def index_of(stack: Stack) -> dict[str, Any]:
    return json.loads(index_file(stack, "index.json"))


def index_file(stack: Stack, name: str) -> bytes:
    s3 = boto3.session.Session().client("s3", endpoint_url=stack.settings.s3_endpoint_url)
    body = s3.get_object(Bucket=stack.settings.s3_bucket, Key=f"campaigns/2026/{name}")
    return body["Body"].read()


def by_locale(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{k['country']}/{k['language']}": k for k in report["kits"]}


def test_regeneration_completes_then_renders_nothing_then_only_the_changed_language(
    campaign_stack: Stack, tmp_path: Path
) -> None:
    stack = campaign_stack
    stack.start_worker(concurrency=2)
    code, report, output = regenerate(stack, tmp_path)
    assert code == 0, output
    assert report["locales"] == LOCALES and report["totals"]["failed"] == 0
    assert report["totals"]["documents_rendered"] == LOCALES
    assert f"[{LOCALES}/{LOCALES}]" in output  # progress, one line per locale off a terminal
    index = index_of(stack)
    assert len(index["kits"]) == LOCALES and index["failures"] == {}
    entry = index["kits"]["ch-de"]
    assert entry["documents"][0]["sha256"] and entry["documents"][0]["pages"] == 1
    assert entry["rendered_at"] and entry["fallbacks"] == []
    assert entry["documents"][0]["printed"] == "draft"  # German from its draft catalog
    assert index["kits"]["us-en"]["documents"][0]["printed"] == "reviewed"
    assert report["translation_health"]["de"]["documents_in_english"] == []
    assert report["translation_health"]["de"]["printed"] == {"agenda": "draft"}
    assert "draft translation" in index_file(stack, "index.html").decode()

    code, again, output = regenerate(stack, tmp_path)
    assert code == 0, output
    assert again["totals"] == {
        "rendered": 0,
        "cached": LOCALES,
        "failed": 0,
        "documents_rendered": 0,
    }
    assert stack.counters()["tasks_started"] == LOCALES  # the re-run queued nothing

    # A German string changes: exactly the German kits render again.
    strings = stack.settings.content_dir / "strings" / "de.yaml"
    data = yaml.safe_load(strings.read_text())
    key = next(k for k in data if k.startswith("agenda."))
    data[key] = data[key] + " (neu)"
    strings.write_text(yaml.safe_dump(data, allow_unicode=True))
    code, changed, output = regenerate(stack, tmp_path)
    assert code == 0, output
    rendered = {name for name, kit in by_locale(changed).items() if kit["state"] == "rendered"}
    assert rendered == {"be/de", "ch/de", "de/de"}, output
    assert changed["totals"]["documents_rendered"] == 3
    assert by_locale(changed)["de/de"]["changes"] == {"agenda": "changed"}
    assert by_locale(changed)["fr/fr"]["changes"] == {"agenda": "unchanged"}


def test_a_run_killed_midway_completes_on_the_next_run_without_duplicates(
    campaign_stack: Stack, tmp_path: Path
) -> None:
    stack = campaign_stack
    stack.start_worker(concurrency=1)
    log = (tmp_path / "first-run.log").open("w")
    first = subprocess.Popen(
        [*KITGEN, "campaign", "regenerate", "2026", "--countries", COUNTRIES, "--kinds", "agenda"],
        env=stack.env,
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_for(
        lambda: f"[3/{LOCALES}]" in (tmp_path / "first-run.log").read_text(),
        120,
        "three locales to finish",
        lambda: (tmp_path / "first-run.log").read_text(),
    )
    first.send_signal(signal.SIGKILL)  # the client is lost; its queued kits stay queued
    first.wait(timeout=30)
    assert f"[{LOCALES}/{LOCALES}]" not in (tmp_path / "first-run.log").read_text()

    code, report, output = regenerate(stack, tmp_path)
    assert code == 0, output
    assert report["totals"]["failed"] == 0
    assert len(index_of(stack)["kits"]) == LOCALES  # no gaps
    counters = stack.counted(kits=LOCALES)
    assert counters["tasks_started"] == LOCALES, counters  # no duplicate renders
    assert counters["documents_rendered"] == LOCALES, counters


def test_broken_content_fails_its_locales_and_no_other(
    campaign_stack: Stack, tmp_path: Path
) -> None:
    stack = campaign_stack
    catalog = stack.settings.content_dir / "translations" / "fr" / "agenda.po"
    catalog.write_text(catalog.read_text() + "\nnot a PO line\n")
    stack.start_worker(concurrency=2)
    code, report, output = regenerate(stack, tmp_path)
    assert code == 1, output
    failed = {name for name, kit in by_locale(report).items() if kit["state"] == "failed"}
    assert failed == {"ca/fr", "fr/fr", "be/fr", "ch/fr"}
    reason = by_locale(report)["fr/fr"]["error"]
    assert "fr/agenda.po" in reason and by_locale(report)["fr/fr"]["attempts"] == 1
    assert report["totals"]["rendered"] == LOCALES - 4
    index = index_of(stack)
    assert set(index["failures"]) == {"ca-fr", "fr-fr", "be-fr", "ch-fr"}
    assert len(index["kits"]) == LOCALES - 4
    assert "failed" in output and "fr/agenda.po" in output


def test_staff_endpoint_needs_the_token_and_reports_what_changed(campaign_stack: Stack) -> None:
    stack = campaign_stack
    stack.start_worker(concurrency=2)
    url = stack.start_web(KITGEN_STAFF_TOKEN="s3cret-staff-token") + "/api/staff/kits"
    body = {
        "locales": [{"country": "fr", "language": "fr"}, {"country": "ch", "language": "de"}],
        "kinds": ["agenda"],
    }
    status, headers, _ = http("POST", url, body)
    assert status == 401 and headers["www-authenticate"] == "Bearer"
    status, _, answer = http("POST", url, body, {"Authorization": "Bearer wrong"})
    assert status == 403 and "not valid" in json.loads(answer)["error"]
    assert stack.counters() == {}  # refused before anything was queued

    auth = {"Authorization": "Bearer s3cret-staff-token"}

    def batch_report(answer: bytes) -> dict:
        accepted = json.loads(answer)
        done = wait_for(
            lambda: (lambda b: b if b["state"] != "running" else None)(
                json.loads(http("GET", stack.web_url + accepted["status_url"], headers=auth)[2])
            ),
            120,
            "the staff batch",
            stack.logs,
        )
        assert (
            done["state"] == "done" and done["progress"]["finished"] == done["progress"]["total"]
        ), done
        return done

    # Asynchronous: 202 at once, a status URL; a locale named twice renders once.
    status, headers, answer = http(
        "POST",
        url,
        {**body, "locales": [*body["locales"], {"country": "fr", "language": "fr"}]},
        auth,
    )
    assert status == 202 and headers["location"].startswith("/api/staff/batches/")
    report = batch_report(answer)["report"]
    assert report["totals"]["rendered"] == 2 and report["locales"] == 2
    assert by_locale(report)["fr/fr"]["changes"] == {"agenda": "new"}
    status, _, answer = http("POST", url, {**body, "force": True}, auth)
    forced = by_locale(batch_report(answer)["report"])
    assert forced["ch/de"]["state"] == "rendered"
    assert forced["ch/de"]["changes"] == {"agenda": "unchanged"}
    # One bad locale does not reject the others; none valid is a 422 listing why.
    status, _, answer = http(
        "POST",
        url,
        {
            "locales": [{"country": "xx", "language": "fr"}, {"country": "ch", "language": "de"}],
            "kinds": ["agenda"],
        },
        auth,
    )
    assert status == 202
    done = batch_report(answer)
    assert [r["country"] for r in done["rejected"]] == ["xx"]
    assert "valid choices" in done["rejected"][0]["error"]
    assert by_locale(done["report"])["ch/de"]["state"] == "cached"
    status, _, answer = http("POST", url, {"locales": [{"country": "xx", "language": "fr"}]}, auth)
    assert status == 422 and json.loads(answer)["rejected"][0]["field"] == "country"
    status, _, _ = http("GET", stack.web_url + "/api/staff/batches/nope")
    assert status == 401  # even its status needs the token
    # The index the staff request updated is served by the web app for partners.
    status, _, page = http("GET", stack.web_url + "/store/campaigns/2026/index.html")
    assert status == 200 and b"ch-de" in page


def test_embedded_regeneration_in_a_local_pool(embedded: Stack, tmp_path: Path) -> None:
    args = [
        *KITGEN,
        "campaign",
        "regenerate",
        "2026",
        "--countries",
        "ch",
        "--kinds",
        "agenda",
        "--json",
        str(tmp_path / "r.json"),
    ]
    done = subprocess.run(
        args, env=embedded.env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["totals"]["rendered"] == 4  # ch: de, fr, it and English
    assert (embedded.settings.store_dir / "campaigns/2026/index.html").is_file()
    done = subprocess.run(
        [
            *KITGEN,
            "request",
            "--country",
            "ch",
            "--language",
            "de,fr",
            "--kinds",
            "agenda",
            "--json",
            str(tmp_path / "s.json"),
        ],
        env=embedded.env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    staff = json.loads((tmp_path / "s.json").read_text())
    assert staff["totals"] == {"rendered": 0, "cached": 2, "failed": 0, "documents_rendered": 0}
    assert by_locale(staff)["ch/fr"]["changes"] == {"agenda": "unchanged"}


def test_store_failures_are_retried_with_backoff_then_reported(
    campaign_stack: Stack, tmp_path: Path
) -> None:
    from tests.s3server import unreachable_endpoint

    stack = campaign_stack
    stack.start_worker(KITGEN_S3_ENDPOINT_URL=unreachable_endpoint())  # S3 gone for workers
    report_file = tmp_path / "report.json"
    done = subprocess.run(
        [
            *KITGEN,
            "campaign",
            "regenerate",
            "2026",
            "--countries",
            "fr",
            "--languages",
            "fr",
            "--kinds",
            "agenda",
            "--retries",
            "1",
            "--json",
            str(report_file),
        ],
        env=stack.env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    kit = by_locale(json.loads(report_file.read_text()))["fr/fr"]
    assert kit["state"] == "failed" and kit["attempts"] == 2
    assert "storage failed" in kit["error"] and "unreachable" in kit["error"]
    assert "retrying" in done.stderr  # the first failure was announced, then tried again
    assert stack.counters()["tasks_started"] == 8  # 2 runs × (1 try + 3 task retries)
