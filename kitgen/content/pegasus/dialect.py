"""The legacy page dialect's dynamic parts, resolved without executing anything.

Three generations share a page body: ERB tags (``<%= hoc_s(:key) %>``, ``<% if @country == 'us'
%>`` …) and ``{{ view/path }}`` partials. This module reads the known safe subset with regular
expressions and a tiny condition grammar, and evaluates it against a :class:`DialectContext`.
Nothing is ever handed to Ruby, Python or Jinja: whatever is not in the subset is reported with
file:line and dropped from the print.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from kitgen.content.pegasus.diagnostics import Diagnostics

# A tag, damaged or not: ``<%= x %>``, ``< % = x %>``, ``<% if … -%>``; or a partial ``{{ x }}``.
_TOKEN = re.compile(
    r"<\s*%(?P<mode>\s*=|#|-)?(?P<code>(?:(?!<\s*%).)*?)-?%\s*>"
    r"|\{\{(?P<partial>[^{}\n]*)\}\}",
    re.S,
)
_CANONICAL_OPEN = ("<%=", "<%#", "<%-", "<% ", "<%\t", "<%\n")

#: Leftovers that must never reach print: a fragment holding one of these is dropped.
_LEFTOVER = re.compile(
    r"<\s*%.*?(?:%\s*>|$)|%\s*>|\{\{.*?(?:\}\}|$)|\}\}"
    r"|\b(?:hoc_s|resolve_url|hoc_uri|codeorg_url|campaign_date|localized_file)\s*\([^)\n]*\)?"
    r"|%=[^\s)]*(?:\s*%(?!\w))?",
    re.M,
)

#: Control keywords as translation tools leave them, longest first. The key is the ERB keyword.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "elsif": (
        "elsif",
        "sinon si",
        "sino si",
        "si no si",
        "senão se",
        "senao se",
        "else if",
        "altrimenti se",
        "sonst wenn",
    ),
    "unless": ("unless", "sauf si", "a menos que", "a não ser que", "salvo que"),
    "if": ("if", "si", "se", "wenn", "als", "jeśli", "eğer", "если"),
    "else": (
        "else",
        "sinon",
        "sino",
        "si no",
        "senão",
        "senao",
        "d'autre",
        "d’autre",
        "autre",
        "autrement",
        "altrimenti",
        "sonst",
        "anders",
        "inaczej",
        "иначе",
    ),
    "end": ("end", "fin", "fim", "fine", "ende", "einde", "koniec", "конец"),
}
_KEYWORD_FORMS = sorted(
    ((form, keyword) for keyword, forms in KEYWORDS.items() for form in forms),
    key=lambda item: -len(item[0]),
)
_IDENTITY_SUFFIXES = {"inspect", "html_safe", "strip", "to_s"}
_URL_HELPERS = {"resolve_url", "hoc_uri", "codeorg_url", "localized_file"}


class DialectContext(Protocol):
    """What a page may ask for; implemented by the site source for one locale."""

    @property
    def country(self) -> str: ...
    @property
    def language(self) -> str: ...

    def string(self, key: str, params: dict[str, str]) -> str | None: ...
    def url(self, target: str, helper: str) -> str: ...
    def date(self, fmt: str) -> str: ...
    def partial(self, name: str) -> str | None: ...


class DialectError(ValueError):
    """A construct outside the safe subset; the caller reports it and drops the fragment."""


# -- conditions ---------------------------------------------------------------------------
_COND_TOKEN = re.compile(
    r"\s*(?:(?P<var>@(?:country|language))|(?P<str>'[^']*'|\"[^\"]*\")"
    r"|(?P<op>==|!=|&&|\|\||!|\(|\)|\[|\]|,|\.include\?)|(?P<word>\band\b|\bor\b|\bnot\b))"
)


def _cond_tokens(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _COND_TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise DialectError(f"condition not understood at {text[pos : pos + 20]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match[kind]))
        pos = match.end()
    return tokens


def evaluate_condition(text: str, context: DialectContext) -> bool:
    """``@country != 'us' && @language == 'fr'`` and friends, or :class:`DialectError`."""
    tokens = _cond_tokens(text.removesuffix(" then").strip())
    position = 0

    def peek() -> str | None:
        return tokens[position][1] if position < len(tokens) else None

    def take(expected: str | None = None) -> tuple[str, str]:
        nonlocal position
        if position >= len(tokens) or (expected and tokens[position][1] != expected):
            raise DialectError(f"condition {text.strip()!r} is not understood")
        position += 1
        return tokens[position - 1]

    def value() -> str:
        kind, token = take()
        if kind == "var":
            return context.country if token == "@country" else context.language
        if kind == "str":
            return token[1:-1]
        raise DialectError(f"condition {text.strip()!r}: unexpected {token!r}")

    def atom() -> bool:
        if peek() == "(":
            take("(")
            result = either()
            take(")")
            return result
        if peek() == "[":
            take("[")
            items = [value()]
            while peek() == ",":
                take(",")
                items.append(value())
            take("]")
            take(".include?")
            take("(")
            subject = value()
            take(")")
            return subject in items
        left = value()
        operator = take()[1]
        if operator not in ("==", "!="):
            raise DialectError(f"condition {text.strip()!r}: unexpected {operator!r}")
        right = value()
        return (left == right) if operator == "==" else (left != right)

    def negation() -> bool:
        if peek() in ("!", "not"):
            take()
            return not negation()
        return atom()

    def both() -> bool:
        result = negation()
        while peek() in ("&&", "and"):
            take()
            result = negation() and result
        return result

    def either() -> bool:
        result = both()
        while peek() in ("||", "or"):
            take()
            result = both() or result
        return result

    result = either()
    if position != len(tokens):
        raise DialectError(f"condition {text.strip()!r} has trailing {peek()!r}")
    return result


# -- expressions --------------------------------------------------------------------------
def _literal(text: str) -> str:
    text = text.strip()
    if re.fullmatch(r":[A-Za-z_][\w]*[?!]?", text):
        return text[1:]
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    raise DialectError(f"{text!r} is not a literal")


def _split_args(text: str) -> list[str]:
    parts, depth, quote, current = [], 0, "", ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += char
    if current.strip():
        parts.append(current)
    return [p.strip() for p in parts]


def _call(code: str) -> tuple[str, list[str], dict[str, str]]:
    """``name(args)`` or ``name args`` → name, positional literals, keyword literals."""
    match = re.fullmatch(r"([a-z_]\w*)\s*(?:\((.*)\)|\s(.*))?", code, re.S)
    if not match:
        raise DialectError(f"{code!r} is not a helper call kitgen knows")
    name, args_text = match[1], match[2] if match[2] is not None else (match[3] or "")
    positional: list[str] = []
    keywords: dict[str, str] = {}
    for arg in _split_args(args_text):
        pair = re.fullmatch(r"(?::?(\w+)\s*=>|(\w+):)\s*(.+)", arg, re.S)
        if pair:
            raw = pair[3].strip()
            keywords[pair[1] or pair[2]] = raw if raw.startswith("@") else _literal(raw)
        else:
            positional.append(_literal(arg))
    return name, positional, keywords


def evaluate_expression(code: str, context: DialectContext) -> str:
    """The printed value of ``<%= code %>``, or :class:`DialectError`."""
    code = code.strip()
    while (match := re.fullmatch(r"(.+\)|@\w+)\s*\.(\w+)", code, re.S)) and match[
        2
    ] in _IDENTITY_SUFFIXES:
        code = match[1].strip()
    if code in ("@country", "@language"):
        return context.country if code == "@country" else context.language
    name, positional, keywords = _call(code)
    if name == "view":
        if len(positional) != 1:
            raise DialectError(f"view needs one partial name: {code!r}")
        value = context.partial(positional[0])
        if value is None:
            raise UnknownPartial(positional[0])
        return value
    if len(positional) != 1:
        raise DialectError(f"{name} takes one argument: {code!r}")
    if name == "hoc_s":
        variables = {"@country": context.country, "@language": context.language}
        params = {k: variables.get(v, v) for k, v in keywords.items()}
        text = context.string(positional[0], params)
        if text is None:
            raise MissingPageString(positional[0])
        return text
    if name in _URL_HELPERS:
        return context.url(positional[0], name)
    if name == "campaign_date":
        return context.date(positional[0])
    raise DialectError(f"{name}() is not a helper kitgen knows")


class UnknownPartial(DialectError):
    def __init__(self, name: str):
        super().__init__(f"unknown partial {name!r}; printed as nothing")
        self.name = name


class MissingPageString(DialectError):
    def __init__(self, key: str):
        super().__init__(f"string {key!r} is in no strings file, not even English; left out")
        self.key = key


def normalise_statement(code: str) -> tuple[str, str, str | None]:
    """``(keyword, rest, translated form or None)`` of a ``<% … %>`` statement."""
    text = code.strip().rstrip(";").strip()
    lowered = text.lower()
    for form, keyword in _KEYWORD_FORMS:
        if lowered == form or lowered.startswith((form + " ", form + "(")):
            rest = text[len(form) :].strip()
            return keyword, rest, None if form == keyword else form
    return "", text, None


# -- the page -----------------------------------------------------------------------------
@dataclass
class _Branch:
    taken: bool
    parts: list[str] = field(default_factory=list)


@dataclass
class _Block:
    line: int
    keyword: str
    branches: list[_Branch] = field(default_factory=list)
    has_else: bool = False

    def output(self) -> str:
        for branch in self.branches:
            if branch.taken:
                return "".join(branch.parts)
        return ""


def resolve_dialect(text: str, first_line: int, context: DialectContext, diag: Diagnostics) -> str:
    """``text`` with every tag and partial resolved; broken fragments dropped and reported."""
    top: list[str] = []
    stack: list[_Block] = []

    def emit(value: str) -> None:
        (stack[-1].branches[-1].parts if stack else top).append(value)

    def line_at(offset: int) -> int:
        return first_line + text.count("\n", 0, offset)

    position = 0
    for match in _TOKEN.finditer(text):
        emit(_scrub(text[position : match.start()], line_at(position), diag))
        position = match.end()
        line = line_at(match.start())
        if match["partial"] is not None:
            emit(_partial(match["partial"].strip(), context, diag, line))
            continue
        raw, code, mode = match[0], match["code"], (match["mode"] or "").strip()
        if code.count("\n") > 2:
            diag.dropped(line, "ERB tag spans more than three lines; left out")
            continue
        if not raw.startswith(_CANONICAL_OPEN) or not raw.endswith("%>"):
            diag.repair(line, f"spaces inside an ERB tag repaired: {_short(raw)}")
        if mode == "#":
            continue
        if mode == "=":
            emit(_expression(code, context, diag, line))
            continue
        _statement(code, context, diag, line, stack, emit)
    emit(_scrub(text[position:], line_at(position), diag))
    while stack:
        block = stack.pop()
        diag.warning(
            block.line, f"'{block.keyword}' is never closed by 'end'; closed at the end of the page"
        )
        emit(block.output())
    return "".join(top)


def _statement(
    code: str,
    context: DialectContext,
    diag: Diagnostics,
    line: int,
    stack: list[_Block],
    emit: Callable[[str], None],
) -> None:
    keyword, rest, translated = normalise_statement(code)
    if translated:
        diag.repair(line, f"translated keyword {translated!r} read as {keyword!r}")
    if keyword in ("if", "unless"):
        block = _Block(line, keyword)
        block.branches.append(_Branch(_condition(rest, context, diag, line, keyword)))
        stack.append(block)
    elif keyword in ("elsif", "else"):
        if not stack or stack[-1].has_else:
            diag.dropped(line, f"'{keyword}' without a matching 'if'; left out")
            return
        block = stack[-1]
        earlier = any(b.taken for b in block.branches)
        taken = (not earlier) and (
            True if keyword == "else" else _condition(rest, context, diag, line, keyword)
        )
        block.branches.append(_Branch(taken))
        block.has_else = keyword == "else"
    elif keyword == "end":
        if not stack:
            diag.dropped(line, "'end' without a matching 'if'; left out")
            return
        emit_block = stack.pop()
        emit(emit_block.output())
    else:
        diag.dropped(line, f"ERB code outside the safe subset left out: {_short(code)}")


def _condition(
    rest: str, context: DialectContext, diag: Diagnostics, line: int, keyword: str
) -> bool:
    try:
        value = evaluate_condition(rest, context)
    except DialectError as exc:
        diag.dropped(line, f"{exc}; its branch is left out")
        return False
    return not value if keyword == "unless" else value


def _expression(code: str, context: DialectContext, diag: Diagnostics, line: int) -> str:
    try:
        return evaluate_expression(code, context)
    except UnknownPartial as exc:
        diag.warning(line, str(exc))
    except MissingPageString as exc:
        diag.warning(line, str(exc))
    except DialectError as exc:
        diag.dropped(line, f"{exc}; left out")
    return ""


def _partial(name: str, context: DialectContext, diag: Diagnostics, line: int) -> str:
    if not re.fullmatch(r"[\w\-/.]+", name):
        diag.dropped(line, f"partial {{{{ {name[:40]} }}}} is not a partial name; left out")
        return ""
    value = context.partial(name)
    if value is None:
        diag.warning(line, f"unknown partial {name!r}; printed as nothing")
        return ""
    return value


def _scrub(text: str, first_line: int, diag: Diagnostics) -> str:
    """Drop any dialect fragment that survived parsing; it must never be printed raw."""

    def drop(match: re.Match[str]) -> str:
        line = first_line + text.count("\n", 0, match.start())
        diag.dropped(line, f"unparsed fragment left out: {_short(match[0])}")
        return ""

    return _LEFTOVER.sub(drop, text)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[:limit] + "…")
