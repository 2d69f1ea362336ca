"""Threads posting the same personal link at once: one response, no "database is locked"."""

from __future__ import annotations

import http.client
import threading
import urllib.parse

from tests.app_support import NOW
from tests.survey_support import BENEFICIARIES, Respondent, freeze, responses

THREADS = 12


def test_concurrent_submits_of_one_personal_link(app, seed, db, live_server, monkeypatch, caplog):
    freeze(monkeypatch, NOW)
    token = seed.links(seed.campaign(seed.enterprise()), 1)[0]
    respondent = Respondent(app.test_client(), f"/s/{token}")
    for number, answers in enumerate(BENEFICIARIES[:2], start=1):
        respondent.post(number, answers)
    tokens = respondent.tokens(3)
    cookie = respondent.client.get_cookie("vises_session")
    body = urllib.parse.urlencode({**tokens, **BENEFICIARIES[2], "action": "submit"})
    host, port = live_server.removeprefix("http://").split(":")
    barrier, results = threading.Barrier(THREADS), []

    def post() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        barrier.wait()
        connection.request(
            "POST",
            f"/s/{token}/3",
            body,
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"vises_session={cookie.value}"},
        )
        response = connection.getresponse()
        results.append((response.status, response.getheader("Location")))
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [(303, f"/s/{token}/thanks")] * THREADS
    assert len(responses(db)) == 1
    assert db.execute("SELECT COUNT(*) FROM answer").fetchone()[0] == 12
    assert "database is locked" not in caplog.text
