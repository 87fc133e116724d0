"""The POT of the web pages' own text, extracted with Babel from the templates and the code.

Templates use Jinja2's i18n extension (``{{ _("…") }}``, placeholders as ``%(name)s``); Python
marks messages with ``_()`` / ``N_()`` (kitgen.web.i18n). Extraction is Babel's own (Jinja2's
``babel_extract`` for templates, Babel's Python extractor), the conventional toolchain.
"""

from __future__ import annotations

from pathlib import Path

import polib
from babel.messages.extract import extract_from_file

from kitgen.settings import PROJECT_ROOT

KEYWORDS = {"_": None, "gettext": None, "N_": None}
#: (files, Babel extraction method) of everything the pages show.
SOURCES = (
    ("kitgen/web/templates/*.html", "jinja2.ext:babel_extract"),
    ("kitgen/web/*.py", "python"),
    ("kitgen/translations/notes.py", "python"),
    ("kitgen/kinds.py", "python"),
)
_OPTIONS = {
    "jinja2.ext:babel_extract": {"extensions": "jinja2.ext.i18n", "trimmed": "true"},
    "python": {},
}


def web_sources(root: Path = PROJECT_ROOT) -> list[tuple[Path, str]]:
    return [(path, method) for pattern, method in SOURCES for path in sorted(root.glob(pattern))]


def make_web_template(root: Path = PROJECT_ROOT) -> polib.POFile:
    """Every page message once, with where it is used and the translator's comments."""
    pot = polib.POFile(wrapwidth=79)
    pot.metadata = {
        "Project-Id-Version": "kitgen web",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    entries: dict[str, polib.POEntry] = {}
    for path, method in web_sources(root):
        found = extract_from_file(
            method,
            str(path),
            keywords=KEYWORDS,
            comment_tags=("Translators:",),
            options=_OPTIONS[method.split(":")[0] if ":" not in method else method],
            strip_comment_tags=True,
        )
        for _line, message, comments, _context in found:
            if not isinstance(message, str) or not message:
                continue
            # the file only: line numbers would rewrite every language's catalog at each
            # edit of the pages' code
            where = (path.relative_to(root).as_posix(), "")
            entry = entries.get(message)
            if entry is None:
                comment = "\n".join(comments)
                if "%(" in message:
                    comment = (
                        comment + "\n" if comment else ""
                    ) + "Keep every %(name)s placeholder; it is replaced by a value."
                entry = polib.POEntry(
                    msgid=message, msgstr="", comment=comment, occurrences=[where]
                )
                if "%(" in message:
                    entry.flags.append("python-format")
                entries[message] = entry
                pot.append(entry)
            elif where not in entry.occurrences:
                entry.occurrences.append(where)
    return pot
