"""The legacy page dialect: the safe subset is resolved, damage is repaired, nothing executes."""

from __future__ import annotations

from pathlib import Path

import pytest

from kitgen.content.pegasus.diagnostics import Diagnostics
from kitgen.content.pegasus.dialect import evaluate_condition, resolve_dialect
from kitgen.content.pegasus.frontmatter import split_front_matter
from kitgen.content.pegasus.page import render_legacy_page
from kitgen.content.pegasus.repairs import RepairContext, repair_body

PAGE = Path("page.md")


class Locale:
    """A fixed locale for the dialect: strings, links and dates are recognisable markers."""

    def __init__(self, country: str = "fr", language: str = "fr"):
        self.country, self.language = country, language
        self.strings = {"greeting": "Bonjour %{name}", "title_events": "Organiser"}

    def string(self, key: str, params: dict[str, str]) -> str | None:
        text = self.strings.get(key)
        return None if text is None else text.replace("%{name}", params.get("name", "%{name}"))

    def url(self, target: str, helper: str) -> str:
        return f"https://site.test/{self.country}/{target.lstrip('/')}"

    def date(self, fmt: str) -> str:
        return f"DATE({fmt})"

    def partial(self, name: str) -> str | None:
        return {"signup_button": "", "urls/events": "https://site.test/events"}.get(name)


def resolve(text: str, locale: Locale | None = None) -> tuple[str, Diagnostics]:
    diag = Diagnostics(PAGE)
    return resolve_dialect(text, 1, locale or Locale(), diag), diag


def messages(diag: Diagnostics, severity: str | None = None) -> list[str]:
    return [
        f"{d.line}:{d.message}" for d in diag.items if severity is None or d.severity == severity
    ]


@pytest.mark.parametrize(
    "condition, expected",
    [
        ("@country == 'fr'", True),
        ("@country != 'us'", True),
        ('@language == "de"', False),
        ("@country == 'fr' && @language == 'fr'", True),
        ("@country == 'us' || @language == 'fr'", True),
        ("!(@country == 'us')", True),
        ("not @country == 'fr'", False),
        ("['ca', 'fr'].include?(@country)", True),
        ("['ca', 'us'].include?(@country)", False),
    ],
)
def test_conditions(condition, expected):
    assert evaluate_condition(condition, Locale()) is expected


def test_expressions_strings_urls_dates_and_partials():
    text, diag = resolve(
        "<%= hoc_s(:greeting, name: 'Ada') %> · <%= hoc_s(:title_events)"
        ".inspect %> · <%= resolve_url('/promote/stats') %> · "
        "<%= campaign_date('short') %> · <%= @country %>/<%= @language %> · "
        "{{ signup_button }}<%= view :signup_button %>"
        " · {{ urls/events }}"
    )
    assert text == (
        "Bonjour Ada · Organiser · https://site.test/fr/promote/stats · DATE(short) · "
        "fr/fr ·  · https://site.test/events"
    )
    assert diag.items == []


def test_if_else_end_picks_the_branch_of_the_locale():
    page = "<% if @country != 'us' %>abroad<% elsif @language == 'en' %>us-en<% else %>us<% end %>"
    assert resolve(page)[0] == "abroad"
    assert resolve(page, Locale("us", "en"))[0] == "us-en"
    assert resolve(page, Locale("us", "la"))[0] == "us"


@pytest.mark.parametrize(
    "page",
    [
        "< % si @country == 'fr' %>oui< % sinon %>non< % fin %>",  # French, spaced tags
        "<% si @country == 'fr' %>oui<% sino %>non<% fin %>",  # Spanish
        "<% se @country == 'fr' %>oui<% senão %>non<% fim %>",  # Portuguese
        "<% si @country == 'fr' %>oui<% d'autre %>non<% end %>",  # seen in real pages
    ],
)
def test_translated_keywords_and_spaced_tags_are_repaired_and_reported(page):
    text, diag = resolve(page)
    assert text == "oui"
    repairs = messages(diag, "repair")
    assert any("translated keyword" in m for m in repairs), repairs


@pytest.mark.parametrize(
    "code",
    [
        "<%= File.read('/etc/passwd') %>",
        "<%= `id` %>",
        "<%= system('touch /tmp/kitgen-pwned') %>",
        "<%= eval(params[:x]) %>",
        "<% require 'net/http' %>",
        "<%= hoc_s(:greeting).gsub('a', 'b') %>",
    ],
)
def test_code_outside_the_subset_is_dropped_never_run_or_printed(code):
    text, diag = resolve(f"before {code} after")
    assert text == "before  after"
    assert messages(diag, "dropped"), diag.items
    assert not Path("/tmp/kitgen-pwned").exists()


def test_unknown_partial_and_missing_string_print_nothing_with_a_warning():
    text, diag = resolve("a{{ mystery/box }}b\nc<%= hoc_s(:nope) %>d")
    assert text == "ab\ncd"
    assert messages(diag, "warning") == [
        "1:unknown partial 'mystery/box'; printed as nothing",
        "2:string 'nope' is in no strings file, not even English; left out",
    ]


def test_unbalanced_blocks_and_broken_fragments_are_reported_with_their_line():
    text, diag = resolve("one\n<% end %>\ntwo <% if @country == 'fr' %>three\n<% oops\nfour")
    assert "<%" not in text and "oops" not in text
    assert "three" in text and "four" in text
    got = messages(diag)
    assert "2:'end' without a matching 'if'; left out" in got
    assert any(m.startswith("3:'if' is never closed") for m in got)
    assert any(m.startswith("4:unparsed fragment left out") for m in got)


def test_unparseable_condition_drops_its_branch():
    text, diag = resolve("<% if @country.start_with?('f') %>x<% else %>y<% end %>")
    assert text == "y"
    assert messages(diag, "dropped")


def repaired(text: str, **kwargs) -> tuple[str, Diagnostics, RepairContext]:
    diag = Diagnostics(PAGE)
    context = RepairContext(
        kwargs.get("find_image", lambda src: None), kwargs.get("placeholders", {})
    )
    return repair_body(text, 1, context, diag), diag, context


def test_crowdin_link_targets_are_restored():
    text, diag, _ = repaired("[a](%=resolve_url('/x')%) and [b](%= resolve_url('/y') %)")
    assert text == "[a](<%= resolve_url('/x') %>) and [b](<%= resolve_url('/y') %>)"
    assert len(messages(diag, "repair")) == 2


def test_media_iframes_become_links_missing_images_are_left_out():
    text, diag, context = repaired(
        '![](/images/fit-275/a.png)\n<img src="/images/b.png"/>\n'
        '<iframe src="//www.youtube.com/embed/xyz" width="5"></iframe>\n'
        '<p style="clear:both" mark="crwd-mark">x</p>',
        find_image=lambda src: "file:///site/b.png" if src.endswith("b.png") else None,
    )
    lines = text.split("\n")
    assert lines[0] == ""
    assert lines[1] == "![](file:///site/b.png)"
    assert lines[2] == "<https://www.youtube.com/embed/xyz>"
    assert lines[3] == '<p style="clear:both">x</p>'
    assert context.images == {"file:///site/b.png"}
    assert "1:image '/images/fit-275/a.png' is not in the site tree; left out" in messages(diag)


def test_placeholders_become_fields_or_labelled_blanks():
    text, _, context = repaired(
        "[**INSERT NAME**] of (HOUSE OR SENATE, STATE) on [DATE], [a link](x) and [col-33]",
        placeholders={"INSERT NAME": "official_name"},
    )
    assert text == (
        "\u2045field:official_name\u2046 of \u2045blank:1\u2046 on "
        "\u2045blank:0\u2046, [a link](x) and [col-33]"
    )
    assert context.blanks == ["DATE", "HOUSE OR SENATE, STATE"]


def test_damaged_front_matter_is_read():
    diag = Diagnostics(PAGE)
    front = split_front_matter(
        "\n* * *\ntitle: Bonjour layout: wide nav: x\ntitre: y\n* * *\n# Body\n", diag
    )
    assert front.meta == {"title": "Bonjour", "layout": "wide", "nav": "x"}
    assert front.body == "# Body\n" and front.body_line == 6
    got = messages(diag, "repair")
    assert any("'* * *'" in m for m in got)
    assert any("collapsed" in m for m in got)
    assert any("'titre'" in m for m in got)


def page_html(text: str, locale: Locale | None = None):
    return render_legacy_page(
        text,
        PAGE,
        locale or Locale(),
        RepairContext(lambda s: None, {}),
        absolute_url=lambda href: (
            href if href.startswith("http") else "https://site.test/fr/" + href.lstrip("/")
        ),
    )


def test_page_title_columns_sanitizing_and_absolute_links():
    page = page_html(
        "---\ntitle: <%= hoc_s(:missing_title) %>\n---\n# Heading *one*\n### Sub\n\n"
        "[col-33]\n\ninside\n\n[/col-33]\n\n<script>alert(1)</script>"
        "[rel](promote/x) [abs](https://a.test/) [js](javascript:alert(1))\n\n"
        '<p onclick="x()" style="color:red">styled</p>\n'
    )
    assert page.title == "Heading <em>one</em>" and page.subtitle == "Sub"
    assert page.meta_title == "Heading one"
    body = str(page.body)
    assert '<div class="col col-33">\n<p>inside</p>\n</div>' in body
    assert "script" not in body and "alert(1)</script" not in body
    assert 'href="https://site.test/fr/promote/x"' in body
    assert 'href="https://a.test/"' in body
    assert "javascript" not in body
    assert "onclick" not in body and "style=" not in body and "<p>styled</p>" in body


def test_indented_block_from_a_translation_tool_is_dedented():
    text = (
        "- one </li>\n    \n    - two </ul>\n    \n    ## Heading\n    \n    | a | b |\n"
        "    |---|---|\n    | 1 | 2 |\n"
    )
    page = page_html(text)
    body = str(page.body)
    assert "<h2>Heading</h2>" in body and "<table>" in body and "<pre>" not in body
    assert "</ul>" in body and "<p>two</p>" in body and "</li>" in body
    assert page.tables and page.tables[0].rows[1].cells == ("1", "2")


def test_padded_bold_is_tightened_and_trailing_spaces_dropped():
    text, diag, _ = repaired("- ** Autres idées** : and **ok** then ** x **\n**a** b **c**")
    assert text == "- **Autres idées** : and **ok** then **x**\n**a** b **c**"
    assert messages(diag, "repair") == ["1:spaces inside ** bold ** markers removed"]
    assert "coder.</li>" in str(page_html("- un\n- coder. \n").body)


def test_hostile_pages_are_bounded_and_foreign_syntax_never_prints(tmp_path):
    import time

    from tests.pdfcheck import read_pdf
    from tests.test_build_cli import kitgen

    deep = tmp_path / "deep.md"
    deep.write_text(
        "---\ntitle: Deep\n---\n\n" + "\n".join("  " * n + "- item" for n in range(200)) + "\n"
    )
    started = time.monotonic()
    run = kitgen(
        "render-page",
        str(deep),
        "--country",
        "fr",
        "--language",
        "fr",
        "-o",
        str(tmp_path / "deep.pdf"),
        store=tmp_path / "s",
    )
    assert run.returncode == 3 and "Traceback" not in run.stderr
    assert f"{deep}:" in run.stderr and "levels deep" in run.stderr
    assert time.monotonic() - started < 20
    odd = tmp_path / "odd.md"
    odd.write_text(
        "---\ntitle: Odd\n---\n\n# Odd page\n\nHello {% if x %}world{% endif %} "
        "and %{name} there [col-33] inline [/col-33] end.\n"
    )
    run = kitgen(
        "render-page",
        str(odd),
        "--country",
        "fr",
        "--language",
        "fr",
        "-o",
        str(tmp_path / "odd.pdf"),
        store=tmp_path / "s",
    )
    assert run.returncode == 0, run.stderr
    assert "dropped: template syntax '{% if x %}'" in run.stderr
    assert "dropped: interpolation '%{name}' outside hoc_s" in run.stderr
    assert "inline [col-N] marker removed" in run.stderr
    text = read_pdf(tmp_path / "odd.pdf").text
    assert "Hello world" in text
    for leak in ("{%", "%}", "%{", "[col-", "[/col-"):
        assert leak not in text
