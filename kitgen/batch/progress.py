"""Live progress of a batch run: a rich bar with rendered / cached / failed counts and an ETA on
a terminal, one plain line per finished locale otherwise (logs, CI, tests)."""

from __future__ import annotations

import sys
import time
from collections import Counter
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from kitgen.batch.runner import CACHED, FAILED, RENDERED, LocaleJob


class RunProgress:
    def __init__(self, total: int, title: str, stream: TextIO = sys.stderr, quiet: bool = False):
        self.total, self.title, self.stream, self.quiet = total, title, stream, quiet
        self.counts: Counter[str] = Counter()
        self.live = stream.isatty() and not quiet
        self.started = time.perf_counter()
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> RunProgress:
        if self.live:
            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[counts]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
                transient=False,
            )
            self._progress.__enter__()
            self._task = self._progress.add_task(
                self.title, total=self.total, counts=self._counts()
            )
        elif not self.quiet:
            print(f"{self.title}: {self.total} locale(s)", file=self.stream, flush=True)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.__exit__(kind, value, trace)

    def _counts(self) -> str:
        return (
            f"[green]{self.counts[RENDERED]} rendered[/] · {self.counts[CACHED]} cached · "
            f"[red]{self.counts[FAILED]} failed[/]"
        )

    def update(self, job: LocaleJob) -> None:
        """Called on every state change; counts only finished locales."""
        if not job.finished:
            if job.state == "retry-wait" and not self.live and not self.quiet:
                print(
                    f"  {job.label}: failed ({job.error}); retrying", file=self.stream, flush=True
                )
            return
        self.counts[job.state] += 1
        done = sum(self.counts.values())
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=done, counts=self._counts())
        elif not self.quiet:
            detail = (
                f"{job.rendered} document(s) rendered"
                if job.state == RENDERED
                else (job.error or "")
                if job.state == FAILED
                else "nothing to render"
            )
            elapsed = time.perf_counter() - self.started
            print(
                f"[{done}/{self.total}] {job.label} {job.state}: {detail} ({elapsed:.1f}s)",
                file=self.stream,
                flush=True,
            )
