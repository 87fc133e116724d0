"""Service benchmark: the web tier's cache hits, the queue's overhead, a worker's memory, and
an organizer's wait while another client floods.

    .venv/bin/python benchmarks/service.py [--quick] [--json FILE] [--client auto|wrk|httpx]
                                           [--no-flood]

1. Cache-hit downloads over loopback: ``kitgen serve`` (embedded default: folder store, no
   Redis, no S3) builds one kit, then a load generator in another process (wrk if installed,
   else an asyncio httpx client; the table names it) hammers ``GET /kits/{key}/files/agenda.pdf``
   and ``GET /api/kits/{key}``: p50/p99 ms and req/s (goal p50 ≤ 10 ms, ≥ 500 req/s on 2
   cores). A bare Starlette FileResponse under uvicorn serving the same file is the floor.
2. Queue overhead: the same uncached kit (proclamation + agenda, a new event name each run, so
   nothing is cached) built in-process by a warm builder vs submitted to one warm ``kitgen
   worker --concurrency 1`` over Redis db 13 (keyed here first, as the web does, ~3 ms) and
   polled every 5 ms until done; 3 kits warm each side; runs interleaved; same folder store.
   Median of each and their difference (goal < 50 ms; ≤ 5 ms of it is polling); the median of
   the paired differences is steadier with few runs.
3. Worker RSS: VmRSS of a fresh worker's one pool process after 10 and after 500 distinct
   agenda kits (--quick: 100), with points between; growth from 10 to the last (goal ≤ 10 %).
4. Flood (benchmarks/flood.py): an organizer's p50/p95 time to kit while one client floods,
   with admission control off and on, against the organizer alone (--no-flood skips it).
Wall clock on a shared machine: run it twice and read medians and ratios, not single numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
from flood import bench_flood  # benchmarks/flood.py
from flood import rows as flood_rows
from processes import REDIS_URL, Processes, interrupted, redis_client, wait_until

from kitgen.dispatch.queued import CeleryDispatcher
from kitgen.models import KitRequest
from kitgen.pipeline import build_kit
from kitgen.planner import planner_for
from kitgen.settings import Settings
from kitgen.storage import FilesystemStorage

WARM_KITS = 3  # per side of the queue comparison, not timed
KITGEN = [sys.executable, "-m", "kitgen.cli"]
FLOOR_APP = """import sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import FileResponse
from starlette.routing import Route
f = sys.argv[1]
app = Starlette(routes=[Route("/f", lambda r: FileResponse(f, media_type="application/pdf"))])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), access_log=False, log_level="warning")
"""
Row = tuple[str, str, str, str]  # what, measured, goal, verdict


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_up(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def request_for(label: str, kinds: list[str]) -> KitRequest:
    return KitRequest.from_dict(
        {
            "country": "us",
            "language": "en",
            "kinds": kinds,
            "personalization": {"event_name": label},
        }
    )


# -- load generation -------------------------------------------------------------------------
def load(client: str, url: str, seconds: int, connections: int) -> dict[str, Any]:
    """p50/p99 ms, req/s and errors of ``seconds`` of GETs from another process."""
    if client == "wrk":
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        scale = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}
        pct = {
            p: float(v) * scale[u]
            for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        }
        errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
        errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        return {"p50_ms": pct["50"], "p99_ms": pct["99"], "rps": rps, "errors": errors}
    out = subprocess.run(
        [sys.executable, __file__, "--httpx-load", url, str(seconds), str(connections)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


async def httpx_load(url: str, seconds: float, connections: int) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        end = time.perf_counter() + seconds

        async def one_connection() -> None:
            nonlocal errors
            while (start := time.perf_counter()) < end:
                response = await client.get(url)
                latencies.append((time.perf_counter() - start) * 1000)
                errors += response.status_code >= 400

        began = time.perf_counter()
        await asyncio.gather(*(one_connection() for _ in range(connections)))
        elapsed = time.perf_counter() - began
    q = statistics.quantiles(latencies, n=100)
    return {"p50_ms": q[49], "p99_ms": q[98], "rps": len(latencies) / elapsed, "errors": errors}


# -- the three measurements ------------------------------------------------------------------
def bench_web(
    procs: Processes, tmp: Path, env: dict[str, str], client: str, seconds: int, floor: bool
) -> dict[str, dict[str, Any]]:
    port = free_port()
    web = procs.start("web", [*KITGEN, "serve", "--port", str(port), "--quiet"], env)
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: web.poll() is not None or http_up(base + "/healthz"), 60, "kitgen serve")
    if web.poll() is not None:
        raise RuntimeError("kitgen serve exited; see its log")
    body = {"country": "us", "language": "en"}  # the whole kit, as the form asks by default
    key = httpx.post(base + "/api/kits", json=body, timeout=30).json()["key"]
    status = f"{base}/api/kits/{key}"
    wait_until(lambda: httpx.get(status).json()["state"] in ("done", "failed"), 180, "the kit")
    assert httpx.get(status).json()["state"] == "done", "the first kit failed"
    pdf = httpx.get(f"{base}/kits/{key}/files/agenda.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), "no agenda.pdf"
    results = {
        "download": {
            **load(client, f"{base}/kits/{key}/files/agenda.pdf", seconds, 8),
            "bytes": len(pdf.content),
        },
        "status": load(client, status, seconds, 8),
    }
    procs.stop(web)
    if floor:  # the same file from the same server stack without kitgen: what is possible
        path = tmp / "floor.pdf"
        path.write_bytes(pdf.content)
        port = free_port()
        bare = procs.start("floor", [sys.executable, "-c", FLOOR_APP, str(path), str(port)], env)
        wait_until(lambda: http_up(f"http://127.0.0.1:{port}/f"), 30, "the floor server")
        results["floor"] = load(client, f"http://127.0.0.1:{port}/f", seconds, 8)
        procs.stop(bare)
    return results


def start_worker(
    procs: Processes, name: str, env: dict[str, str], logs: Path
) -> tuple[subprocess.Popen, int]:
    """A ``kitgen worker --concurrency 1`` and the pid of its one pool process."""
    worker = procs.start(
        name, [*KITGEN, "worker", "--concurrency", "1", "--hostname", f"{name}@%h"], env
    )
    log = logs / f"{name}.log"
    wait_until(lambda: worker.poll() is not None or "ready." in log.read_text(), 90, name)
    if worker.poll() is not None:
        raise RuntimeError(f"{name} exited:\n{log.read_text()[-3000:]}")
    return worker, wait_until(lambda: pool_child(worker.pid), 30, f"{name}'s pool process")


def pool_child(parent: int) -> int | None:
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            return int(stat.parent.name)
    return None


def vm_kib(pid: int, field: str) -> int:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", text, re.M).group(1))


def run_queued(
    dispatcher: CeleryDispatcher,
    settings: Settings,
    storage: FilesystemStorage,
    requests: list[KitRequest],
    window: int = 1,
) -> None:
    """Submit kits (at most ``window`` in flight) and wait until each is done."""
    planner = planner_for(settings)
    pending = list(requests)
    inflight: list[str] = []
    while pending or inflight:
        while pending and len(inflight) < window:
            prepared = planner.prepare(pending.pop(0))
            assert dispatcher.submit(prepared.key, prepared.request.to_dict())
            inflight.append(prepared.key)
        for key in inflight[:]:
            status = dispatcher.status(key)
            if status is not None and status.state in ("done", "failed"):
                assert status.state == "done", f"kit {key[:12]} failed: {status.error}"
                inflight.remove(key)
        time.sleep(0.005)


def bench_queue(
    procs: Processes,
    env: dict[str, str],
    settings: Settings,
    storage: FilesystemStorage,
    logs: Path,
    runs: int,
) -> dict[str, Any]:
    start_worker(procs, "worker-queue", env, logs)
    dispatcher = CeleryDispatcher(settings)
    kinds = ["proclamation", "agenda"]
    for i in range(WARM_KITS):  # seen: a worker's 2nd and 3rd kits still 20-40 % slower
        build_kit(request_for(f"warm in-process {i}", kinds), settings=settings, storage=storage)
        run_queued(dispatcher, settings, storage, [request_for(f"warm queued {i}", kinds)])
    inline, queued = [], []
    for i in range(runs):  # interleaved, so drift hits both sides alike
        start = time.perf_counter()
        build_kit(request_for(f"inline {i}", kinds), settings=settings, storage=storage)
        inline.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        run_queued(dispatcher, settings, storage, [request_for(f"queued {i}", kinds)])
        queued.append((time.perf_counter() - start) * 1000)
    dispatcher.close()
    return {
        "inline_ms": inline,
        "queued_ms": queued,
        "inline_median_ms": statistics.median(inline),
        "queued_median_ms": statistics.median(queued),
        "overhead_ms": statistics.median(queued) - statistics.median(inline),
        "paired_ms": statistics.median(q - i for q, i in zip(queued, inline, strict=True)),
    }


def bench_rss(
    procs: Processes,
    env: dict[str, str],
    settings: Settings,
    storage: FilesystemStorage,
    logs: Path,
    checkpoints: tuple[int, ...],
) -> dict[str, Any]:
    worker, child = start_worker(procs, "worker-rss", env, logs)
    dispatcher = CeleryDispatcher(settings, queue="batch")
    done, out = 0, {}
    for mark in checkpoints:
        run_queued(
            dispatcher,
            settings,
            storage,
            [request_for(f"rss {i}", ["agenda"]) for i in range(done, mark)],
            window=3,
        )
        done = mark
        time.sleep(0.3)
        if pool_child(worker.pid) != child:
            raise RuntimeError("the worker replaced its pool process; RSS is not comparable")
        out[mark] = {
            "rss_mib": vm_kib(child, "VmRSS") / 1024,
            "hwm_mib": vm_kib(child, "VmHWM") / 1024,
        }
    stats = {
        k.decode(): int(v) for k, v in dispatcher.flights.client.hgetall("kitgen:stats").items()
    }
    dispatcher.close()
    first, last = out[checkpoints[0]]["rss_mib"], out[checkpoints[-1]]["rss_mib"]
    return {"checkpoints": out, "growth": last / first - 1, "stats": stats}


# -- report ----------------------------------------------------------------------------------
def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def web_row(what: str, r: dict[str, Any], goal: bool) -> Row:
    measured = f"p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms, {r['rps']:.0f} req/s" + (
        f", {r['errors']} errors" if r["errors"] else ""
    )
    if not goal:
        return what, measured, "(reference)", ""
    ok = r["p50_ms"] <= 10 and r["rps"] >= 500 and not r["errors"]
    return what, measured, "p50 ≤ 10 ms, ≥ 500 req/s", verdict(ok)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, shorter loads")
    parser.add_argument("--json", metavar="FILE", help="also write the numbers as JSON")
    parser.add_argument("--client", choices=("auto", "wrk", "httpx"), default="auto")
    parser.add_argument("--runs", type=int, help="queue comparison runs (default 5, quick 3)")
    parser.add_argument("--no-floor", action="store_true", help="skip the bare-uvicorn floor")
    parser.add_argument("--no-flood", action="store_true", help="skip the flood run")
    parser.add_argument("--httpx-load", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.httpx_load:  # the fallback load generator, in its own process
        url, seconds, connections = args.httpx_load
        print(json.dumps(asyncio.run(httpx_load(url, float(seconds), int(connections)))))
        return
    client = args.client if args.client != "auto" else ("wrk" if shutil.which("wrk") else "httpx")
    seconds, runs = (5, 3) if args.quick else (10, 5)
    runs = args.runs or runs
    checkpoints = (10, 50, 100) if args.quick else (10, 100, 250, 500)  # growth: first → last
    signal.signal(signal.SIGTERM, interrupted)  # clean up as on Ctrl-C
    r = redis_client()
    r.flushdb()
    tmp = Path(tempfile.mkdtemp(prefix="kitgen-bench-"))
    (tmp / "logs").mkdir()
    procs = Processes(tmp / "logs")
    base_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KITGEN_REDIS", "KITGEN_S3", "KITGEN_PUBLIC_S3"))
    }
    base_env |= {"PYTHONUNBUFFERED": "1", "KITGEN_WORKER_MAX_TASKS": "100000"}
    try:
        web_env = {**base_env, "KITGEN_STORE_DIR": str(tmp / "store-web")}
        web = bench_web(procs, tmp, web_env, client, seconds, not args.no_floor)
        settings = replace(
            Settings.from_env(base_env), store_dir=tmp / "store-queue", redis_url=REDIS_URL
        )
        storage = FilesystemStorage(settings.store_dir)
        q_env = {
            **base_env,
            "KITGEN_STORE_DIR": str(settings.store_dir),
            "KITGEN_REDIS_URL": REDIS_URL,
        }
        queue = bench_queue(procs, q_env, settings, storage, tmp / "logs", runs)
        procs.stop_all()
        rss = bench_rss(procs, q_env, settings, storage, tmp / "logs", checkpoints)
        procs.stop_all()
        burst = 30 if args.quick else 50
        flood = (
            None
            if args.no_flood
            else bench_flood(
                procs,
                {k: v for k, v in base_env.items() if not k.startswith("KITGEN_")},
                tmp,
                3 if args.quick else 5,
                burst,
            )
        )
    except Exception:
        logs = sorted((tmp / "logs").glob("*.log"))
        print(
            "\n".join(f"--- {p.name} ---\n{p.read_text()[-2000:]}" for p in logs), file=sys.stderr
        )
        raise
    finally:
        procs.stop_all()
        r.flushdb()
        r.close()
        shutil.rmtree(tmp, ignore_errors=True)

    a, b = checkpoints[0], checkpoints[-1]
    trend = " → ".join(f"{rss['checkpoints'][m]['rss_mib']:.1f}" for m in checkpoints)
    rows: list[Row] = [
        web_row(
            f"web: GET /kits/{{key}}/files/agenda.pdf ({web['download']['bytes'] // 1024} KiB)",
            web["download"],
            True,
        ),
        web_row("web: GET /api/kits/{key} (done kit)", web["status"], True),
    ]
    if "floor" in web:
        rows.append(web_row("floor: bare Starlette FileResponse, same file", web["floor"], False))
    rows += [
        (
            "queue: in-process build_kit (2 docs)",
            f"median {queue['inline_median_ms']:.1f} ms",
            "",
            "",
        ),
        ("queue: submit → done via 1 worker", f"median {queue['queued_median_ms']:.1f} ms", "", ""),
        (
            "queue: overhead (difference of medians)",
            f"{queue['overhead_ms']:+.1f} ms "
            f"(median of paired differences {queue['paired_ms']:+.1f} ms)",
            "< 50 ms",
            verdict(queue["overhead_ms"] < 50),
        ),
        (
            f"worker pool RSS after {' / '.join(map(str, checkpoints))} kits",
            f"{trend} MiB (peak {rss['checkpoints'][b]['hwm_mib']:.1f})",
            "",
            "",
        ),
        (
            f"worker pool RSS growth {a} → {b}",
            f"{rss['growth']:+.1%}",
            "≤ 10 %",
            verdict(rss["growth"] <= 0.10),
        ),
    ]
    if flood is not None:
        rows += flood_rows(flood, burst)
    print(
        f"kitgen service benchmark: {os.cpu_count()} cores; load: {client}, 8 connections, "
        f"{seconds}s per line; queue: median of {runs}; RSS: {a} and {b} agenda kits"
    )
    print(
        "machines are noisy (and here the load generator shares the cores with the server):"
        " run it twice and read the medians"
    )
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print(
            "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + f"  {row[3]}"
        )
    print(
        f"  queue runs, ms: in-process {[round(x) for x in queue['inline_ms']]}, "
        f"queued {[round(x) for x in queue['queued_ms']]}"
    )
    print(f"  worker counters (kitgen:stats, both workers): {rss['stats']}")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "cores": os.cpu_count(),
                    "client": client,
                    "web": web,
                    "queue": queue,
                    "rss": rss,
                    "flood": flood,
                },
                indent=2,
            )
            + "\n"
        )


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted: subprocesses stopped, temp files removed, Redis db 13 emptied")
