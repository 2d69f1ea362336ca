"""Languages: the home and error pages in FR, NL and EN; the choice sticks; catalogs are complete."""

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from flask import abort

from survey_app.core.catalogs import TRANSLATIONS

HOME_TITLES = {"fr": "Donnez votre avis", "nl": "Deel je ervaring", "en": "Share your experience"}
NOT_FOUND = {"fr": "Page introuvable", "nl": "Pagina niet gevonden", "en": "Page not found"}


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_home_page_in_each_language(client, lang):
    response = client.get(f"/?lang={lang}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in html
    assert HOME_TITLES[lang] in html


def test_language_choice_sticks_in_a_cookie(client):
    client.get("/?lang=nl")
    html = client.get("/").get_data(as_text=True)
    assert HOME_TITLES["nl"] in html
    assert 'aria-current="true">Nederlands' in html


def test_accept_language_then_default(client):
    assert HOME_TITLES["en"] in client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert HOME_TITLES["fr"] in client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)


def test_query_beats_cookie_and_unknown_language_is_ignored(client):
    client.get("/?lang=nl")
    assert HOME_TITLES["en"] in client.get("/?lang=en").get_data(as_text=True)
    assert HOME_TITLES["en"] in client.get("/?lang=xx").get_data(as_text=True)


@pytest.fixture
def erroring_app(make_app):
    app = make_app()

    @app.route("/test-error/<int:code>")
    def fail(code):
        if code == 500:
            raise RuntimeError("internal detail that must not leak")
        abort(code)

    return app


@pytest.mark.parametrize("code", [400, 403, 404, 410, 500])
@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_error_pages_in_each_language(erroring_app, code, lang):
    response = erroring_app.test_client().get(f"/test-error/{code}?lang={lang}")
    html = response.get_data(as_text=True)
    assert response.status_code == code
    assert f'<html lang="{lang}">' in html
    assert "Traceback" not in html and "internal detail" not in html
    if code == 404:
        assert NOT_FOUND[lang] in html


def test_unknown_page_is_a_translated_404(client):
    response = client.get("/no-such-page?lang=nl")
    assert response.status_code == 404 and NOT_FOUND["nl"] in response.get_data(as_text=True)


ROOT = TRANSLATIONS.parent.parent
METHOD_MAP = [
    ("survey_app/**.py", "python"),
    ("pipeline/**.py", "python"),
    ("survey_app/templates/**.html", "jinja2"),
    ("survey_app/templates/**.txt", "jinja2"),
]


@pytest.fixture(scope="module")
def source_strings():
    """Every msgid the code uses, extracted as `make extract-messages` does (babel.cfg)."""
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHOD_MAP, keywords=keywords, options_map={"**.html": {}}
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    assert len(found) > 40
    return found


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_every_interface_string_is_translated(source_strings, lang):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalog = {m.id if isinstance(m.id, str) else m.id[0]: m for m in read_po(fh) if m.id}
    missing = sorted(
        s
        for s in source_strings
        if s not in catalog
        or not catalog[s].string
        or (isinstance(catalog[s].string, tuple) and not all(catalog[s].string))
    )
    fuzzy = sorted(s for s in source_strings if s in catalog and catalog[s].fuzzy)
    assert not missing, f"untranslated in {lang} (run make extract-messages, then translate): {missing}"
    assert not fuzzy, f"fuzzy (unchecked) in {lang}: {fuzzy}"


def test_babel_cfg_matches_the_extraction_used_here():
    cfg = (ROOT / "babel.cfg").read_text()
    for pattern, method in METHOD_MAP:
        assert f"[{method}: {pattern}]" in cfg
