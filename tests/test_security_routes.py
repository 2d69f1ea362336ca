"""Every route is accounted for, and hostile values in every path and query parameter are harmless:
never a 500, never a change of state on GET."""

import pytest
from werkzeug.routing import IntegerConverter

from tests.backoffice_routes import ROUTES, backoffice_rules, dump

# Routes open to anyone, with the reason they need no enterprise scoping.
PUBLIC = {
    "static": "files of the app itself",
    "respondent.home": "public home page",
    "respondent.intro": "survey link: the token is the capability (tests/test_respondent_links.py)",
    "respondent.page": "survey link: the token is the capability",
    "respondent.saved": "survey link: the token is the capability",
    "respondent.thanks": "survey link: the token is the capability",
    "respondent.easy.question": "survey link (easy mode): the token is the capability",
    "respondent.easy.send": "survey link (easy mode): the token is the capability",
    "respondent.kiosk.start": "kiosk link: the token is the capability (tests/test_kiosk.py)",
    "respondent.kiosk.idle": "kiosk link: the token is the capability",
    "respondent.kiosk.cleared": "kiosk link: the token is the capability",
    "respondent.media.file": "pictures and recordings of questionnaires, public like the questions",
    "auth.setup": "one-time setup link (tests/test_setup.py)",
    "auth.login": "sign-in page",
    "auth.logout": "ends the caller's own session",
    "auth.change_password": "the signed-in user's own password",
    "auth.welcome": "one-time welcome link for a new account",
    "auth.reset": "one-time password reset link",
}
HOSTILE = [
    "' OR '1'='1",
    "1; DROP TABLE response; --",
    '"><script>alert(1)</script>',
    "%00",
    "\u202egnp.exe",
    "../../etc/passwd",
    "ü" * 300,
    "1 UNION SELECT password_hash FROM user",
]
HOSTILE_INTS = [0, -1, 2**63 - 1]


def test_every_route_is_public_by_design_or_in_the_scoping_table(app):
    backoffice = {r.endpoint for r in backoffice_rules(app)}
    unclassified = {r.endpoint for r in app.url_map.iter_rules()} - backoffice - set(PUBLIC)
    assert not unclassified, (
        "new routes must be added to tests/backoffice_routes.py (scoped) or to "
        f"PUBLIC here (with a reason): {sorted(unclassified)}"
    )
    assert not (backoffice & set(PUBLIC))


def hostile_urls(app, rule, world):
    """The rule's URL with each parameter replaced in turn by hostile values."""
    base = ROUTES[rule.endpoint](world, "a") if rule.endpoint in ROUTES else {}
    urls = []
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values = HOSTILE_INTS
        elif type(converter).__name__ == "AnyConverter":
            values = list(converter.items) if hasattr(converter, "items") else ["s", "o"]
        else:
            values = HOSTILE
        for value in values:
            params = {**dict(base or {}), name: value}
            for other, other_converter in rule._converters.items():
                params.setdefault(other, 1 if isinstance(other_converter, IntegerConverter) else "s")
            with app.test_request_context():
                from flask import url_for

                try:
                    urls.append(url_for(rule.endpoint, **params))
                except Exception:  # a value the converter itself refuses cannot reach the view
                    continue
    if not rule._converters:
        with app.test_request_context():
            from flask import url_for

            urls.append(url_for(rule.endpoint, **(base or {})) if base is not None else rule.rule)
    return urls


@pytest.mark.parametrize("who", ["anonymous", "admin@example.org", "anna@example.org"])
def test_hostile_path_and_query_values_never_fail_or_change_state(app, world, db, signed_in, who):
    client = app.test_client() if who == "anonymous" else signed_in(who)
    before = dump(db)
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        for url in hostile_urls(app, rule, world):
            for query in ("", "?lang=' OR 1=1 --&sort=name;DROP TABLE user&page=-1&q=%00"):
                response = client.get(url + query)
                assert response.status_code < 500, (who, url + query, response.status_code)
                checked += 1
    assert dump(db) == before
    assert checked > 100
