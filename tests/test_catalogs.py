"""One catalog loader: pages, forced languages (e-mails, exports) and code outside requests
(charts, digest, PDF) all read the same parsed catalogs from core.catalogs."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, get_translations
from flask_babel import gettext as _

from survey_app.core.catalogs import translator


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_a_page_reads_the_shared_catalog_of_its_language(app, language):
    with app.test_request_context(f"/?lang={language}"):
        assert get_translations() is translator(language)


def test_a_forced_language_reads_the_shared_catalog(app):
    with app.test_request_context("/?lang=fr"), force_locale("nl"):
        assert get_translations() is translator("nl")
        assert _("Workers") == translator("nl").gettext("Workers") != "Workers"
