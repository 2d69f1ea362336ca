"""Hostile bodies on every POST route: oversize, wrong content type, NUL, RTL and odd Unicode in
every field. Always a clean 4xx or a re-rendered page, never a 500."""

import pytest

from tests.backoffice_routes import FORM_DATA, backoffice_rules, url_for_rule

ODD_VALUES = ["\x00", "a\x00b", "\u202eevil\u202c", "🙂" * 50, "ﷺ" * 100, "x" * 20000, "\ud7ff", " ", ""]


def post_routes(app, world):
    for rule in backoffice_rules(app):
        if "POST" in rule.methods:
            yield url_for_rule(app, rule, world, "a")


def test_oversize_bodies_get_413_everywhere(app, world, signed_in):
    admin = signed_in("admin@example.org")
    big = {"title": "x" * (300 * 1024)}
    urls = [*post_routes(app, world), "/login"]
    for url in urls:
        response = admin.client.post(url, data=big)
        assert response.status_code == 413, url
        assert "Traceback" not in response.get_data(as_text=True)
    assert len(urls) > 20


def test_wrong_content_types_are_refused_cleanly(app, world, signed_in):
    admin = signed_in("admin@example.org")
    for url in post_routes(app, world):
        for content_type, body in (
            ("application/json", '{"title": "x"}'),
            ("text/plain", "title=x"),
            ("multipart/form-data; boundary=broken", "--broken\r\nnope"),
        ):
            response = admin.client.post(url, data=body, content_type=content_type)
            assert 400 <= response.status_code < 500, (url, content_type, response.status_code)


@pytest.mark.parametrize("value", ODD_VALUES, ids=lambda v: repr(v[:12]))
def test_odd_unicode_and_nul_in_every_field_never_fail(app, world, signed_in, value):
    admin = signed_in("admin@example.org")
    data = dict.fromkeys(FORM_DATA, value)
    for url in post_routes(app, world):
        response = admin.post(url, data)
        assert response.status_code < 500, (url, response.status_code)
    assert admin.client.get("/admin/").status_code == 200  # still signed in, nothing broken
