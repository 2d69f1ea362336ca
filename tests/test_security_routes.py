"""Every route is accounted for, and hostile values in every path and query parameter are harmless:
never a 500, never a change of state on GET."""

import itertools
import re

import pytest
from werkzeug.exceptions import NotFound
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
    "respondent.follow_up.step": "survey link: the token is the capability (series linking step)",
    "respondent.follow_up.card_text": "survey link: the card code posted back, nothing stored",
    "auth.setup": "one-time setup link (tests/test_setup.py)",
    "auth.login": "sign-in page",
    "auth.logout": "ends the caller's own session",
    "auth.change_password": "the signed-in user's own password",
    "auth.welcome": "one-time welcome link for a new account",
    "auth.reset": "one-time password reset link",
    "codes.enter": "typing a short code: misses rate limited per address (tests/test_short_codes.py)",
    "public.view": "public valorisation page: the token is the capability (tests/test_public_page.py)",
    "recovery.forgot": "asks for a reset e-mail; the same answer for any address (tests/test_account_mail.py)",
    "two_factor.code": "the second step of the caller's own sign-in (tests/test_two_factor.py)",
    "two_factor.setup": "the caller's own enrolment",
    "two_factor.manage": "the signed-in user's own two-factor settings",
    "two_factor.renew": "the signed-in user's own recovery codes",
    "two_factor.disable": "the signed-in user's own two-factor settings",
    "unsubscribe.confirm": "unsubscribe link: its token is the capability (tests/test_outbox.py)",
    "unsubscribe.remove": "unsubscribe link: its token is the capability",
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
# SQLite integers stop at 2**63 - 1: larger ids must be refused by the URL converter (404), not
# reach a query and fail there (500).
HOSTILE_INTS = [0, -1, 2**63 - 1, 2**63, 2**64, 10**30]
HOSTILE_QUERIES = (
    "",
    "?lang=' OR 1=1 --&sort=name;DROP TABLE user&page=-1&q=%00",
    f"?sheet={2**63}&page={2**64}&id={10**30}",
    f"?sheet={-(2**63) - 1}&page=1e999",
)


def test_every_route_is_public_by_design_or_in_the_scoping_table(app):
    backoffice = {r.endpoint for r in backoffice_rules(app)}
    unclassified = {r.endpoint for r in app.url_map.iter_rules()} - backoffice - set(PUBLIC)
    assert not unclassified, (
        "new routes must be added to tests/backoffice_routes.py (scoped) or to "
        f"PUBLIC here (with a reason): {sorted(unclassified)}"
    )
    assert not (backoffice & set(PUBLIC))


def hostile_urls(app, rule, world):
    """(hostile URL, control URL) pairs: the rule's URL with each parameter replaced in turn by
    hostile values, and the same URL with a plain unknown value there instead (a legitimate value
    for parameters that take only a few)."""
    base = ROUTES[rule.endpoint](world, "a") if rule.endpoint in ROUTES else {}
    pairs = []
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values, control = HOSTILE_INTS, 999_999
        elif type(converter).__name__ == "AnyConverter":
            values, control = (list(converter.items) if hasattr(converter, "items") else ["s", "o"]), None
        else:
            values, control = HOSTILE, "unknown"
        for value in values:
            params = {**dict(base or {}), name: value}
            for other, other_converter in rule._converters.items():
                params.setdefault(other, 1 if isinstance(other_converter, IntegerConverter) else "s")
            try:
                pairs.append((build(app, rule, params), build(app, rule, {**params, name: control or value})))
            except Exception:  # a value the converter itself refuses cannot reach the view
                continue
    if not rule._converters:
        url = build(app, rule, base or {}) if base is not None else rule.rule
        pairs.append((url, url))
    return pairs


def build(app, rule, params):
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **params)


def routed(app, url):
    """Does any route take this URL? (-1 is no integer id to the router: 404 before any view)."""
    try:
        app.url_map.bind("localhost").match(url.split("?")[0], method="GET")
    except NotFound:
        return False
    return True


@pytest.mark.parametrize("who", ["anonymous", "admin@example.org", "anna@example.org"])
def test_hostile_path_and_query_values_never_fail_or_change_state(app, world, db, signed_in, who):
    """A hostile value gets the answer of a plain unknown one (a hostile query, that of none)."""
    client = app.test_client() if who == "anonymous" else signed_in(who)
    # Each request from its own address: the survey links' limit on misses per address stays out.
    addresses = (f"10.0.{n // 250}.{n % 250 + 1}" for n in itertools.count())
    before = dump(db)
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        for url, control in hostile_urls(app, rule, world):
            answer = client.get(control, environ_base={"REMOTE_ADDR": next(addresses)}).status_code
            expected = answer if routed(app, url) else 404
            assert expected < 500, (who, control, answer)
            for query in HOSTILE_QUERIES:
                response = client.get(url + query, environ_base={"REMOTE_ADDR": next(addresses)})
                assert response.status_code == expected, (who, url + query, response.status_code, expected)
                checked += 1
    assert dump(db) == before
    assert checked > 100


def fill(world, base, name, converter):
    """A valid value for a parameter other than the one under test, so only that one can fail."""
    if base and name in base:
        return base[name]
    if hasattr(converter, "items"):  # AnyConverter: its first choice
        return sorted(converter.items)[0]
    return world.links_a[0] if name == "token" else 1


@pytest.mark.parametrize("value", [2**63, 2**64, 10**30])
def test_ids_of_2_63_and_more_are_404_on_every_integer_parameter(app, world, signed_in, value):
    admin = signed_in("admin@example.org")
    checked = 0
    for rule in app.url_map.iter_rules():
        integers = [n for n, c in rule._converters.items() if isinstance(c, IntegerConverter)]
        if "GET" not in rule.methods or not integers:
            continue
        base = ROUTES[rule.endpoint](world, "a") if rule.endpoint in ROUTES else {}
        for name in integers:
            url = rule.rule
            for other, converter in rule._converters.items():
                url = re.sub(
                    rf"<[^>]*\b{other}>", str(value if other == name else fill(world, base, other, converter)), url
                )
            assert admin.get(url).status_code == 404, url
            checked += 1
    assert checked >= 20
