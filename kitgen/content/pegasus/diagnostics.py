"""What reading a legacy page repaired, dropped or warned about, each with file:line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

#: ``repair``: damage fixed and printed as meant; ``dropped``: a fragment left out of the print;
#: ``warning``: printed, but somebody should look (an unknown partial, a missing string …).
SEVERITIES = ("repair", "dropped", "warning")


@dataclass(frozen=True)
class Diagnostic:
    severity: str
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

    def add(self, severity: str, line: int, message: str) -> None:
        item = Diagnostic(severity, str(self.path), line, message)
        if item not in self.items:
            self.items.append(item)

    def repair(self, line: int, message: str) -> None:
        self.add("repair", line, message)

    def dropped(self, line: int, message: str) -> None:
        self.add("dropped", line, message)

    def warning(self, line: int, message: str) -> None:
        self.add("warning", line, message)

    def count(self, severity: str) -> int:
        return sum(1 for d in self.items if d.severity == severity)
