"""Host header: unknown hosts are refused (400) before any view runs, and every absolute link comes
from server.base_url, never from the request (the "come back later" page built its resume link
from the Host header: a forged header put an attacker's host in front of a respondent's token)."""

from __future__ import annotations

import re

import pytest

from survey_app.core.config import ConfigError
from tests.app_support import NOW
from tests.survey_support import BENEFICIARIES, Respondent, freeze

BASE = "https://survey.example.org"


@pytest.fixture
def link(make_app, monkeypatch, tmp_path):
    from survey_app.domain.campaigns import generate_links
    from survey_app.storage.db import connect, write_transaction
    from tests.app_support import Seeder

    freeze(monkeypatch, NOW)
    app = make_app(server__base_url=BASE, server__extra_hosts=["vises.internal"])
    db = connect(app.config["SETTINGS"]["database.path"])
    seed = Seeder(db)
    campaign = seed.campaign(seed.enterprise())
    with write_transaction(db):
        token = generate_links(db, campaign, 1, NOW)[0]["token"]
    db.close()
    client = app.test_client()
    Respondent(client, f"/s/{token}").post(1, BENEFICIARIES[0], "save")
    return app, client, token


@pytest.mark.parametrize("path", ["/", "/login", "/s/{token}", "/s/{token}/saved", "/admin/"])
def test_an_unknown_host_header_is_refused(link, path):
    _app, client, token = link
    response = client.get(path.format(token=token), headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "evil.example" not in response.get_data(as_text=True)


@pytest.mark.parametrize("host", ["survey.example.org", "vises.internal", "localhost", "127.0.0.1:5000"])
def test_the_resume_link_comes_from_base_url_whatever_the_host(link, host):
    _app, client, token = link
    html = client.get(f"/s/{token}/saved?lang=en", headers={"Host": host}).get_data(as_text=True)
    shown = re.search(r'<p class="link-text">([^<]+)</p>', html).group(1)
    assert shown == f"{BASE}/s/{token}"


def test_extra_hosts_must_be_bare_host_names(make_app):
    with pytest.raises(ConfigError, match="server.extra_hosts"):
        make_app(server__extra_hosts=["https://vises.internal/"])
