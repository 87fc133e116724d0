"""String tables per language, English the reference and the fallback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kitgen.content.files import load_yaml_mapping
from kitgen.errors import ContentError

REFERENCE_LANGUAGE = "en"


class MissingString(ContentError):
    """A key that no table has, not even English; the pipeline adds file:line."""

    def __init__(self, key: str):
        super().__init__(f"unknown string key {key!r} (not in strings/en.yaml)", key=key)


@dataclass(frozen=True)
class Strings:
    """The strings of one language, with English behind them."""

    language: str
    own: dict[str, str]
    english: dict[str, str]
    paths: tuple[Path, ...]

    def lookup(self, key: str) -> tuple[str, bool]:
        """``(text, fell_back_to_english)``; raises :class:`MissingString` if nobody has it."""
        if key in self.own:
            return self.own[key], False
        if key in self.english:
            return self.english[key], self.language != REFERENCE_LANGUAGE
        raise MissingString(key)

    def missing_keys(self) -> list[str]:
        """Keys English has and this language does not."""
        return sorted(set(self.english) - set(self.own))


def _table(path: Path) -> dict[str, str]:
    raw, _ = load_yaml_mapping(path)
    table: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(value, str):
            raise ContentError(
                f"string {key!r} must be text, not {type(value).__name__}", path, key=str(key)
            )
        table[str(key)] = value
    return table


def strings_path(content_dir: Path, language: str) -> Path:
    return content_dir / "strings" / f"{language}.yaml"


def load_strings(content_dir: Path, language: str) -> Strings:
    """Strings of ``language``; a language without a table gets English throughout."""
    english_path = strings_path(content_dir, REFERENCE_LANGUAGE)
    own_path = strings_path(content_dir, language)
    english = _table(english_path)
    if language == REFERENCE_LANGUAGE:
        return Strings(language, english, english, (english_path,))
    if not own_path.exists():
        return Strings(language, {}, english, (english_path,))
    return Strings(language, _table(own_path), english, (english_path, own_path))
