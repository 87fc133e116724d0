"""Flood run: an organizer's time to kit while one client floods, without and with admission.

    .venv/bin/python benchmarks/flood.py [--rounds N] [--burst N]

``kitgen serve`` in the embedded default (2 local render processes, folder store), behind a
"proxy" (``KITGEN_TRUSTED_PROXIES=127.0.0.1``) so the flooder and the organizer are two
clients. Each round: the flooder fires ``burst`` unique personalised agenda requests as fast
as one connection allows, then the organizer asks for one agenda of their own and waits for
it (time to kit = POST to done, polled every 50 ms; capped at 120 s). Between rounds the
accepted flood kits are allowed to finish, so each round starts from the same empty queue.

- idle: the organizer alone (the baseline of the same run);
- before: admission control off (limits raised out of reach), the old behaviour;
- after: kitgen's defaults (10/minute per client, 3 in flight, 100 queued).

Printed: p50/p95 of each and their ratio to idle. Used by benchmarks/service.py as one section.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from processes import Processes, interrupted, wait_until  # benchmarks/processes.py

KITGEN = [sys.executable, "-m", "kitgen.cli"]
CAP = 120.0  # seconds an organizer's kit is waited for before it counts as "≥ CAP"
OFF = {
    "KITGEN_RATE_LIMIT": "1000000/minute",
    "KITGEN_MAX_IN_FLIGHT": "1000000",
    "KITGEN_MAX_QUEUED": "1000000",
}
FLOODER = {"X-Forwarded-For": "203.0.113.7"}
ORGANIZER = {"X-Forwarded-For": "198.51.100.9"}


def start_web(procs: Processes, env: dict[str, str], name: str) -> tuple[Any, str]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    web = procs.start(name, [*KITGEN, "serve", "--port", str(port), "--quiet"], env)
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        if web.poll() is not None:
            raise RuntimeError(f"kitgen serve ({name}) exited; see its log")
        try:
            return httpx.get(base + "/openapi.json", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(up, 60, f"kitgen serve ({name})")
    return web, base


def agenda(event: str) -> dict[str, Any]:
    return {
        "country": "fr",
        "language": "fr",
        "kinds": ["agenda"],
        "personalization": {"event_name": event},
    }


def time_to_kit(client: httpx.Client, base: str, event: str) -> float:
    started = time.monotonic()
    answer = client.post(base + "/api/kits", json=agenda(event), headers=ORGANIZER)
    if answer.status_code not in (200, 202):
        raise RuntimeError(f"the organizer was refused: {answer.status_code} {answer.text}")
    url = f"{base}/api/kits/{answer.json()['key']}"
    while time.monotonic() - started < CAP:
        state = client.get(url).json()["state"]
        if state == "done":
            return time.monotonic() - started
        if state == "failed":
            raise RuntimeError(f"the organizer's kit failed: {client.get(url).json()}")
        time.sleep(0.05)
    return CAP


def flood(client: httpx.Client, base: str, tag: str, burst: int) -> tuple[list[str], int]:
    """``burst`` unique requests: (keys accepted, number refused with 429/503)."""
    accepted, refused = [], 0
    for n in range(burst):
        answer = client.post(base + "/api/kits", json=agenda(f"{tag} flood {n}"), headers=FLOODER)
        if answer.status_code in (200, 202):
            accepted.append(answer.json()["key"])
        elif answer.status_code in (429, 503):
            refused += 1
        else:
            raise RuntimeError(f"flood request: {answer.status_code} {answer.text}")
    return accepted, refused


def drain(client: httpx.Client, base: str, keys: list[str]) -> None:
    """Wait for the accepted flood kits, so the next round starts from an empty queue."""
    waiting = list(keys)
    deadline = time.monotonic() + 30 * CAP
    while waiting and time.monotonic() < deadline:
        waiting = [
            k
            for k in waiting
            if client.get(f"{base}/api/kits/{k}").json()["state"] not in ("done", "failed")
        ]
        time.sleep(0.5)


def run_mode(
    procs: Processes, env: dict[str, str], mode: str, rounds: int, burst: int
) -> dict[str, Any]:
    web, base = start_web(procs, env, f"web-{mode}")
    times: list[float] = []
    accepted_total = refused_total = 0
    try:
        with httpx.Client(timeout=60) as client:
            time_to_kit(client, base, f"{mode} warm-up")  # fonts and templates loaded
            for n in range(rounds):
                keys: list[str] = []
                if mode != "idle":
                    keys, refused = flood(client, base, f"{mode} {n}", burst)
                    accepted_total += len(keys)
                    refused_total += refused
                times.append(time_to_kit(client, base, f"{mode} organizer {n}"))
                drain(client, base, keys)
    finally:
        procs.stop(web)
    return {"times": times, "accepted": accepted_total, "refused": refused_total}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_flood(
    procs: Processes, base_env: dict[str, str], tmp: Path, rounds: int, burst: int
) -> dict[str, dict[str, Any]]:
    results = {}
    for mode, extra in (("idle", {}), ("before", OFF), ("after", {})):
        env = {
            **base_env,
            **extra,
            "KITGEN_STORE_DIR": str(tmp / f"store-flood-{mode}"),
            "KITGEN_TRUSTED_PROXIES": "127.0.0.1",
            "KITGEN_LOCAL_WORKERS": "2",
        }
        found = run_mode(procs, env, mode, rounds, burst)
        found["p50"] = statistics.median(found["times"])
        found["p95"] = percentile(found["times"], 0.95)
        results[mode] = found
    return results


def rows(results: dict[str, dict[str, Any]], burst: int) -> list[tuple[str, str, str, str]]:
    idle = results["idle"]["p50"]

    def seconds(value: float) -> str:
        return f"≥ {CAP:.0f} s" if value >= CAP else f"{value:.2f} s"

    out = []
    for mode, label in (
        ("idle", "organizer alone"),
        ("before", f"organizer, {burst}-request flood, admission off"),
        ("after", f"organizer, {burst}-request flood, admission on"),
    ):
        r = results[mode]
        ratio = r["p50"] / idle if idle else float("nan")
        flood_note = (
            "" if mode == "idle" else f"; flood: {r['accepted']} accepted, {r['refused']} refused"
        )
        goal = "" if mode == "idle" else "p50 ≤ idle + 5 s" if mode == "after" else ""
        verdict = "" if not goal else ("ok" if r["p50"] <= idle + 5 else "MISSED")
        out.append(
            (
                f"flood: {label}",
                f"p50 {seconds(r['p50'])}, p95 {seconds(r['p95'])} ({ratio:.1f}× idle){flood_note}",
                goal,
                verdict,
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--burst", type=int, default=50)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, interrupted)
    tmp = Path(tempfile.mkdtemp(prefix="kitgen-flood-"))
    (tmp / "logs").mkdir()
    procs = Processes(tmp / "logs")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("KITGEN_", "AWS_"))}
    base_env["PYTHONUNBUFFERED"] = "1"
    try:
        results = bench_flood(procs, base_env, tmp, args.rounds, args.burst)
    finally:
        procs.stop_all()
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"kitgen flood benchmark: {os.cpu_count()} cores, 2 render processes, "
        f"{args.rounds} rounds of {args.burst} flood requests + 1 organizer kit"
    )
    for row in rows(results, args.burst):
        print("  " + "  ".join(row))
    for mode, r in results.items():
        print(f"  {mode} times, s: {[round(t, 2) for t in r['times']]}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted: subprocesses stopped, temp files removed")
