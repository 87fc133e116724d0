"""Documents resolved for a locale: expressions, escaping, and errors that name file:line."""

from pathlib import Path

import pytest

from kitgen.campaign_dates import load_campaigns
from kitgen.content.documents import load_document
from kitgen.content.render import ContentRenderer, LocaleView
from kitgen.content.strings import load_strings
from kitgen.errors import ContentError
from kitgen.locales import load_catalog
from kitgen.models import Personalization
from kitgen.settings import Settings


def view_for(
    country: str,
    language: str,
    personalization: Personalization | None = None,
    settings: Settings | None = None,
) -> LocaleView:
    settings = settings or Settings()
    catalog = load_catalog(settings.content_dir)
    c = catalog.country(country)
    return LocaleView(
        catalog,
        c,
        catalog.language(language),
        load_campaigns(settings.content_dir).get("2026", c.region),
        load_strings(settings.content_dir, language),
        personalization or Personalization(),
        settings.site_url,
    )


def write_doc(tmp_path: Path, body: str, title: str = "A title") -> Path:
    path = tmp_path / "doc.md"
    path.write_text(f"---\ntitle: {title}\n---\n{body}", encoding="utf-8")
    return path


def render(tmp_path: Path, body: str, view: LocaleView | None = None, title: str = "A title"):
    path = write_doc(tmp_path, body, title)
    source = load_document(path, "guide", "en")
    return ContentRenderer().render(source, view or view_for("fr", "fr"))


def test_expressions_resolve_for_the_locale(tmp_path):
    out = render(
        tmp_path,
        "{{ date('full') }} · [stats]({{ url('/promote/stats') }}) · "
        "{{ country }} · {{ t('kind.agenda') }} · {{ year }}\n",
    )
    assert "7–13 décembre" in out.body
    assert 'href="https://hourofcode.com/fr/promote/stats"' in out.body
    assert "France" in out.body and "Programme" in out.body and "2026" in out.body


def test_conditionals_on_country(tmp_path):
    body = "{% if country_code == 'us' %}US only{% else %}elsewhere{% endif %}\n"
    assert "elsewhere" in render(tmp_path, body).body
    assert "US only" in render(tmp_path, body, view_for("us", "en")).body


def test_missing_string_falls_back_to_english_and_is_recorded(tmp_path, content_copy):
    # A German table that lacks the key: the English text is printed and the fallback noted.
    strings = content_copy.content_dir / "strings" / "de.yaml"
    strings.write_text(
        "\n".join(
            line for line in strings.read_text().splitlines() if not line.startswith("kind.guide:")
        )
        + "\n"
    )
    view = view_for("de", "de", settings=content_copy)
    out = render(tmp_path, "{{ t('kind.guide') }}\n", view)
    assert "How to host" in out.body
    assert "string:kind.guide" in view.fallbacks


def test_personalised_values_are_escaped_and_not_markdown(tmp_path):
    evil = "<script>alert(1)</script> **bold** [x](javascript:alert(1))"
    view = view_for("us", "en", Personalization(jurisdiction=evil))
    out = render(tmp_path, "Resolved, that {{ field('jurisdiction') }} supports it.\n", view)
    assert "<script>" not in out.body and "&lt;script&gt;" in out.body
    assert "<strong>" not in out.body and 'href="javascript' not in out.body


def test_blank_fields_print_a_labelled_line(tmp_path):
    out = render(tmp_path, "By {{ field('official_name') }}.\n", view_for("us", "en"))
    assert 'class="blank"' in out.body and "Name of the official" in out.body


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("ok\n\n{{ t('no.such.key') }}\n", 6, "unknown string key 'no.such.key'"),
        ("ok\n{{ nonsense }}\n", 5, "'nonsense' is undefined"),
        ("ok\nok\n{% if %}\n", 6, "template syntax error"),
        ("{{ date('full').__class__.__mro__ }}\n", 4, "SecurityError"),
        ("{{ field('shoe_size') }}\n", 4, "unknown field 'shoe_size'"),
    ],
)
def test_errors_name_file_and_line(tmp_path, body, line, message):
    with pytest.raises(ContentError) as info:
        render(tmp_path, body)
    assert f"doc.md:{line}:" in str(info.value)
    assert message in str(info.value)


def test_title_errors_point_at_the_front_matter(tmp_path):
    with pytest.raises(ContentError, match=r"doc.md:2: .*unknown string key 'nope'"):
        render(tmp_path, "body\n", title="\"{{ t('nope') }}\"")


def test_shipped_documents_render_in_english_and_through_a_catalog():
    from kitgen.translations.apply import TranslationPolicy, translate_document
    from kitgen.translations.catalogs import catalog_path, load_catalog

    settings = Settings()
    renderer = ContentRenderer()
    for language, country in (("en", "us"), ("fr", "fr")):
        for kind in ("guide", "brochure", "proclamation", "agenda"):
            path = settings.content_dir / "documents" / kind / "en.md"
            view = view_for(country, language)
            source = load_document(path, kind, "en")
            if language != "en":
                catalog = load_catalog(catalog_path(settings.content_dir, language, kind))[0]
                source, summary, problems = translate_document(
                    source, catalog, TranslationPolicy.DRAFT, settings.content_dir
                )
                assert summary.english == 0 and not problems, (kind, summary, problems)
            out = renderer.render(source, view)
            assert out.title and out.body
            assert "{{" not in out.body and "{%" not in out.body
            assert view.fallbacks == set(), (language, kind, view.fallbacks)
