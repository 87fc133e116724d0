"""What reading a legacy page repaired, dropped or warned about, each with file:line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    """``repair``: damage fixed and printed as meant; ``dropped``: a fragment left out of the
    print; ``warning``: printed, but somebody should look (an unknown partial, a missing
    string …)."""

    REPAIR = "repair"
    DROPPED = "dropped"
    WARNING = "warning"


SEVERITIES = tuple(Severity)
#: A diagnostic as manifests and reports carry it: ``file:line: severity: message``.
_PRINTED = re.compile(r"^.*?:\d+: (" + "|".join(Severity) + r"): ", re.DOTALL)


def severity_of(printed: str) -> Severity | None:
    """The severity of a diagnostic line (None for a line that is not one)."""
    found = _PRINTED.match(printed)
    return Severity(found[1]) if found else None


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "file": self.path,
            "line": self.line,
            "message": self.message,
        }


@dataclass
class Diagnostics:
    """Collects diagnostics for one page; ``offset`` maps body lines to file lines."""

    path: Path
    items: list[Diagnostic] = field(default_factory=list)

    def add(self, severity: Severity, line: int, message: str) -> None:
        item = Diagnostic(severity, str(self.path), line, message)
        if item not in self.items:
            self.items.append(item)

    def repair(self, line: int, message: str) -> None:
        self.add(Severity.REPAIR, line, message)

    def dropped(self, line: int, message: str) -> None:
        self.add(Severity.DROPPED, line, message)

    def warning(self, line: int, message: str) -> None:
        self.add(Severity.WARNING, line, message)

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.items if d.severity == severity)
