"""The survey fast path (respondent/fast_path.py, fast_pages.py) answers what Flask would, byte for
byte, and hands everything else to Flask untouched.

A twin app runs with the fast path off on a copy of the same database: each request is made on
both, and status, headers, body and what the database holds afterwards must match.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from survey_app.storage.db import write_transaction
from tests.app_support import NOW
from tests.survey_support import BENEFICIARIES, CSRF, Respondent, freeze

STATE_SQL = {
    "drafts": "SELECT invitation_id, answers, page, language, updated_at FROM draft ORDER BY invitation_id",
    "invitations": "SELECT id, started, answered FROM invitation ORDER BY id",
    "responses": "SELECT campaign_id, language, link, channel, submitted_week FROM response ORDER BY id",
    "answers": "SELECT question_id, value_num, value_text, dont_know FROM answer ORDER BY response_id, question_id",
}


class Twins:
    """The app under test (fast path on) and, per request, a Flask-only twin on a copy of its
    database made just before the request."""

    def __init__(self, app, make_app, tmp_path):
        self.app, self.make_app, self.tmp_path, self.copies = app, make_app, tmp_path, 0
        self.handed_over: list[str] = []
        fast = app.wsgi_app.wsgi_app
        flask = fast.flask

        def counted(environ, start_response):
            self.handed_over.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}")
            return flask(environ, start_response)

        fast.flask = counted

    def twin(self):
        self.copies += 1
        path = self.tmp_path / f"twin-{self.copies}.db"
        source = sqlite3.connect(self.app.config["SETTINGS"]["database.path"])
        with sqlite3.connect(path) as target:
            source.backup(target)
        source.close()
        twin = self.make_app(database__path=str(path))
        twin.config["SURVEY_FAST_PATH"] = False
        return twin

    def both(self, client, method: str, path: str, **kw):
        """(fast path's response, Flask's response, fast path's state, Flask's state)."""
        twin = self.twin()
        twin_client = twin.test_client()
        for cookie in client._cookies.values():
            twin_client.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
        fast = getattr(client, method)(path, **kw)
        flask = getattr(twin_client, method)(path, **kw)
        return fast, flask, state(self.app), state(twin)


def state(app) -> dict[str, list]:
    with sqlite3.connect(app.config["SETTINGS"]["database.path"]) as conn:
        return {name: conn.execute(sql).fetchall() for name, sql in STATE_SQL.items()}


def same(fast, flask) -> None:
    assert fast.status == flask.status
    assert fast.headers.to_wsgi_list() == flask.headers.to_wsgi_list()
    # The CSRF token is the same session value signed at another second: compare all but it.
    assert CSRF.sub("", fast.get_data(as_text=True)) == CSRF.sub("", flask.get_data(as_text=True))


@pytest.fixture
def twins(app, make_app, tmp_path, monkeypatch):
    freeze(monkeypatch, NOW)
    return Twins(app, make_app, tmp_path)


@pytest.fixture
def visitor(app, seed, twins):
    """A respondent of a personal link who has seen page 1 once (their new session cookie is known)."""
    token = seed.links(seed.campaign(seed.enterprise()), 1)[0]
    respondent = Respondent(app.test_client(), f"/s/{token}")
    respondent.get("/1")
    twins.handed_over.clear()
    return respondent


def test_a_page_with_the_drafts_answers_is_the_one_flask_renders(twins, visitor):
    visitor.post(1, BENEFICIARIES[0])
    visitor.get("/2")  # the first view of a page in a process is Flask's: it builds the page's plans
    twins.handed_over.clear()
    for number in (1, 2):
        fast, flask, fast_state, flask_state = twins.both(visitor.client, "get", f"{visitor.path}/{number}")
        same(fast, flask)
        assert fast.status_code == 200 and fast_state == flask_state
    assert twins.handed_over == []
    html = fast.get_data(as_text=True)
    assert CSRF.search(html).group(1) == CSRF.search(visitor.get("/1").get_data(as_text=True)).group(1)


@pytest.mark.parametrize(
    ("number", "action", "location"),
    [(1, "next", "/2"), (2, "back", "/1"), (1, "back", ""), (2, "save", "/saved"), (3, "next", "/3")],
)
def test_valid_posts_save_the_same_draft_and_lead_to_the_same_page(twins, visitor, number, action, location):
    for earlier in range(1, number):
        visitor.post(earlier, BENEFICIARIES[earlier - 1])
    tokens = visitor.tokens(number)
    twins.handed_over.clear()
    data = {**tokens, **BENEFICIARIES[number - 1], "action": action}
    fast, flask, fast_state, flask_state = twins.both(visitor.client, "post", f"{visitor.path}/{number}", data=data)
    same(fast, flask)
    assert fast.status_code == 303 and fast.location == visitor.path + location
    assert fast_state == flask_state and fast_state["drafts"]
    assert twins.handed_over == []


def test_the_final_submit_stores_the_same_response_once(twins, visitor, db):
    for number in (1, 2):
        visitor.post(number, BENEFICIARIES[number - 1])
    data = {**visitor.tokens(3), **BENEFICIARIES[2], "action": "submit"}
    twins.handed_over.clear()
    fast, flask, fast_state, flask_state = twins.both(visitor.client, "post", f"{visitor.path}/3", data=data)
    same(fast, flask)
    assert fast.location == visitor.path + "/thanks" and twins.handed_over == []
    assert fast_state == flask_state and len(fast_state["responses"]) == 1 and not fast_state["drafts"]
    again = visitor.client.post(f"{visitor.path}/3", data=data)  # a replay: the link is used
    assert again.location == visitor.path + "/thanks" and len(state(twins.app)["responses"]) == 1


def test_a_submit_with_an_earlier_page_unanswered_goes_back_to_it(twins, visitor):
    visitor.post(1, BENEFICIARIES[0])
    visitor.post(2, {}, "save")  # page 2 left empty: its required questions are unanswered
    data = {**visitor.tokens(2), **BENEFICIARIES[2], "action": "submit"}
    visitor.get("/3")  # redirected to page 2, but Flask built page 3's form on the way
    twins.handed_over.clear()
    fast, flask, fast_state, flask_state = twins.both(visitor.client, "post", f"{visitor.path}/3", data=data)
    same(fast, flask)
    assert fast.location == visitor.path + "/2" and fast_state == flask_state and not fast_state["responses"]
    assert twins.handed_over == []


@pytest.mark.parametrize(
    "headers", [{"Accept-Language": "nl-BE,nl;q=0.9"}, {"Accept-Language": "en"}, {"Cookie": "lang=nl"}]
)
def test_the_visitors_language_is_chosen_as_flask_babel_would(twins, visitor, headers):
    if "Cookie" in headers:
        visitor.client.set_cookie("lang", "nl")
        headers = {}
    visitor.client.get(f"{visitor.path}/1", headers=headers)  # Flask builds that language's plans
    twins.handed_over.clear()
    fast, flask, *_ = twins.both(visitor.client, "get", f"{visitor.path}/1", headers=headers)
    same(fast, flask)
    assert twins.handed_over == []


def test_errors_are_left_to_flask_with_the_answers_kept(twins, visitor):
    wrong = {**BENEFICIARIES[0], "q_fits_my_needs": "9"}
    response = visitor.post(1, wrong)
    assert response.status_code == 200 and 'id="error-summary"' in visitor.last_html
    assert 'value="5" checked' in visitor.last_html or "checked" in visitor.last_html
    assert twins.handed_over == [f"POST {visitor.path}/1"]


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"csrf_token": "forged"}, 200),  # re-rendered by Flask, answers kept, a fresh token
        ({"surprise": "field"}, 400),
        ({"lang": "en"}, 303),
    ],
)
def test_what_only_flask_judges_is_handed_over_with_its_body(twins, visitor, change, status):
    data = {**visitor.tokens(1), **BENEFICIARIES[0], "action": "next", **change}
    twins.handed_over.clear()
    assert visitor.client.post(f"{visitor.path}/1", data=data).status_code == status
    assert twins.handed_over == [f"POST {visitor.path}/1"]


def test_unavailable_links_new_visitors_and_odd_requests_go_to_flask(app, twins, visitor, seed, db):
    client = visitor.client
    assert client.get(f"{visitor.path}/1?lang=en").status_code == 200
    assert client.get(f"{visitor.path}/9").status_code == 404
    assert client.get(f"{visitor.path}/3").status_code == 303  # ahead of the draft
    assert client.get(f"{visitor.path}/1", headers={"Host": "evil.example"}).status_code == 400
    assert app.test_client().get(f"{visitor.path}/1").status_code == 200  # a new visitor
    with write_transaction(db):
        db.execute("UPDATE invitation SET revoked_at = ?", [NOW.isoformat()])
    assert client.get(f"{visitor.path}/1").status_code == 404
    assert len(twins.handed_over) == 6


def test_a_failed_write_is_handed_over_and_done_once_by_flask(app, twins, visitor, monkeypatch, caplog):
    from survey_app.respondent import drafts

    app.testing = False  # in production a fast path failure is logged, and Flask does the request
    calls, save = [], drafts.save

    def failing_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise sqlite3.OperationalError("database is locked")
        return save(*args, **kwargs)

    monkeypatch.setattr(drafts, "save", failing_once)  # the module both paths call
    response = visitor.post(1, BENEFICIARIES[0])
    assert response.status_code == 303 and response.location == visitor.path + "/2"
    assert len(calls) == 2 and twins.handed_over == [f"POST {visitor.path}/1"]
    assert len(state(app)["drafts"]) == 1
    assert "survey fast path failed" in caplog.text and visitor.path.split("/")[-1] not in caplog.text


def test_a_drafts_everyday_save_is_one_statement_that_merges_like_the_transaction(app, seed, db, monkeypatch):
    """drafts.save of a started personal link: json_set in one UPDATE, keys merged in place and
    new ones last, None kept (an optional question left empty counts as sent)."""
    from survey_app.respondent import drafts
    from survey_app.respondent.links import personal_link

    token = seed.links(seed.campaign(seed.enterprise()), 1)[0]
    with app.app_context():
        link = personal_link(db, token, NOW)
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    assert drafts.save(db, link, None, {"a_one": "1", "b_two": ["x", "é"]}, 0, "fr", NOW)  # first: the transaction
    first = len(statements)
    assert drafts.save(db, link, None, {"b_two": None, "c_new": "3"}, 1, "nl", NOW)
    db.conn.set_trace_callback(None)
    assert len(statements) - first == 1 and statements[-1].startswith("UPDATE draft SET answers = json_set")
    row = db.execute("SELECT answers, page, language FROM draft").fetchone()
    assert list(json.loads(row[0]).items()) == [("a_one", "1"), ("b_two", None), ("c_new", "3")]
    assert row[1:] == (1, "nl")
    with write_transaction(db):
        db.execute("UPDATE invitation SET answered = 1")
    assert db.execute("SELECT COUNT(*) FROM draft").fetchone()[0] == 0  # answered: its draft went with it
    assert not drafts.save(db, link, None, {"a_one": "2"}, 1, "fr", NOW)  # answered meanwhile: nothing saved
    assert db.execute("SELECT COUNT(*) FROM draft").fetchone()[0] == 0


def test_a_series_wave_leads_to_the_linking_step_which_is_left_to_flask(app, db, seed, twins):
    from survey_app.domain import series

    enterprise = seed.enterprise()
    campaign = seed.campaign(enterprise)
    series_id = series.create(db, enterprise, "beneficiaries", "Path", "card", [], NOW)
    assert series.add_wave(
        db, {"id": series_id, "enterprise_id": enterprise, "stakeholder_group": "beneficiaries"}, campaign
    )
    respondent = Respondent(app.test_client(), f"/s/{seed.links(campaign, 1)[0]}")
    respondent.get("/1")
    for number in (1, 2):
        respondent.post(number, BENEFICIARIES[number - 1])
    respondent.get("/3")
    twins.handed_over.clear()
    fast, flask, *_ = twins.both(respondent.client, "get", f"{respondent.path}/3")  # "Continue", not "Submit"
    same(fast, flask)
    assert twins.handed_over == []
    data = {**respondent.tokens(3), **BENEFICIARIES[2], "action": "submit"}
    twins.handed_over.clear()
    response = respondent.client.post(f"{respondent.path}/3", data=data)
    assert response.location == respondent.path + "/follow-up" and twins.handed_over == [f"POST {respondent.path}/3"]


def test_a_new_visitors_cookie_is_known_from_their_second_request(app, seed, twins):
    """The session cookie Flask signs on the first page is remembered as valid (web.security), so
    the first post already takes the fast path."""
    token = seed.links(seed.campaign(seed.enterprise()), 1)[0]
    client = app.test_client()
    html = client.get(f"/s/{token}/1").get_data(as_text=True)
    assert twins.handed_over == [f"GET /s/{token}/1"]
    data = {"csrf_token": CSRF.search(html).group(1), **BENEFICIARIES[0], "action": "next"}
    assert client.post(f"/s/{token}/1", data=data).location == f"/s/{token}/2"
    assert twins.handed_over == [f"GET /s/{token}/1"]
