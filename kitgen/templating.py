"""Page templates: one Jinja2 template per kind, extending a base; trusted, autoescaped."""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
)
from markupsafe import Markup

from kitgen.errors import ContentError

_PLACEHOLDER = re.compile(r"\{(page|pages)\}")


def css_string(text: str) -> str:
    """A CSS string literal, safe for any text."""
    # A hex escape swallows one following space, so each one is closed by a space of its own.
    escaped = "".join(c if c.isalnum() or c in " .,:;!?-'()" else f"\\{ord(c):x} " for c in text)
    return f'"{escaped}"'


def css_page_counter(text: str, style: str = "decimal") -> Markup:
    """``Page {page} of {pages}`` → ``"Page " counter(page) " of " counter(pages)``, in the
    counter style of the locale's digits (``arabic-indic``, ``persian``, ``devanagari`` …)."""
    suffix = "" if style == "decimal" else f", {style}"
    parts: list[str] = []
    for index, piece in enumerate(_PLACEHOLDER.split(text)):
        if index % 2:
            parts.append(f"counter({piece}{suffix})")
        elif piece:
            parts.append(css_string(piece))
    return Markup(" ".join(parts) or '""')


class PageTemplates:
    """Renders ``<kind>.html.j2`` with a context; errors name the template file and line."""

    def __init__(self, templates_dir: Path):
        self.dir = templates_dir
        self.env = Environment(
            loader=FileSystemLoader(str(templates_dir)),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=True,
        )
        self.env.filters["css_string"] = lambda s: Markup(css_string(str(s)))
        self.env.filters["css_page_counter"] = css_page_counter

    def render(self, kind: str, context: dict[str, Any]) -> str:
        name = f"{kind}.html.j2"
        try:
            return self.env.get_template(name).render(**context)
        except TemplateSyntaxError as exc:
            path = exc.filename or self.dir / name
            raise ContentError(
                f"page template syntax error: {exc.message}", path, exc.lineno
            ) from None
        except (ContentError, TemplateError) as exc:
            path, line = _template_frame(exc, self.dir / name)
            detail = exc.detail if isinstance(exc, ContentError) else f"{exc}"
            raise ContentError(
                f"page template error: {detail}", path, line, getattr(exc, "key", None)
            ) from None


def template_frame(
    exc: BaseException, is_template: Callable[[str], bool]
) -> tuple[str, int] | None:
    """The innermost template file and line in an error's traceback.

    Jinja rewrites tracebacks so that template frames carry the template's name and line.
    """
    found = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if is_template(frame.f_code.co_filename):
            found = (frame.f_code.co_filename, lineno)
    return found


def _template_frame(exc: BaseException, default: Path) -> tuple[Path, int | None]:
    found = template_frame(exc, lambda name: name.endswith(".j2"))
    return (Path(found[0]), found[1]) if found else (default, None)
