"""Plain helpers and constants shared by the tests: the fixed clock, the test password, the seed
helpers, a signed-in client and server-process helpers. Fixtures live in conftest.py and the
plugins it registers, never here: test files import this module, not conftest."""

from __future__ import annotations

import contextlib
import re
import signal
import socket
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from pipeline.sample.responses import DONT_KNOW, add_responses
from survey_app.domain.campaigns import CampaignSpec, create_campaign, generate_links
from survey_app.domain.enterprises import create_enterprise
from survey_app.storage.db import write_transaction

# A fixed "now" used by seed data: Wednesday 4 March 2026, 10:00 UTC (11:00 in Brussels).
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Seeder:
    """Creates enterprises, campaigns and links with fixed timestamps."""

    def __init__(self, db):
        self.db = db

    def enterprise(
        self, name="Atelier Solidaire", sector_group="integration", country="BE", language="fr", consent=True, **kw
    ) -> int:
        with write_transaction(self.db):
            return create_enterprise(
                self.db, name, sector_group, country, language, NOW, benchmark_consent=consent, **kw
            )

    def campaign(
        self,
        enterprise_id: int,
        group="beneficiaries",
        opens_at=NOW - timedelta(days=7),
        closes_at=NOW + timedelta(days=21),
        timezone_name="Europe/Brussels",
        version=1,
        **kw,
    ) -> int:
        spec = CampaignSpec(
            enterprise_id=enterprise_id,
            stakeholder_group=group,
            questionnaire_id=group,
            questionnaire_version=version,
            title=kw.pop("title", f"{group} 2026"),
            opens_at=opens_at,
            closes_at=closes_at,
            timezone=timezone_name,
            **kw,
        )
        with write_transaction(self.db):
            return create_campaign(self.db, spec, NOW)

    def links(self, campaign_id: int, count=3) -> list[str]:
        with write_transaction(self.db):
            return [r["token"] for r in generate_links(self.db, campaign_id, count, NOW)]


def build_world(db, seed: Seeder) -> SimpleNamespace:
    """An admin, enterprises A and B, a manager of each, one campaign each with 3 links."""
    from survey_app.accounts.users import create_user, set_memberships

    ids = SimpleNamespace(
        enterprise_a=seed.enterprise("Atelier A"), enterprise_b=seed.enterprise("Bakkerij B", language="nl")
    )
    with write_transaction(db):
        ids.admin = create_user(db, "admin@example.org", PASSWORD, "admin", "en", NOW)
        ids.manager_a = create_user(db, "anna@example.org", PASSWORD, "manager", "en", NOW)
        ids.manager_b = create_user(db, "bert@example.org", PASSWORD, "manager", "en", NOW)
        set_memberships(db, ids.manager_a, [ids.enterprise_a])
        set_memberships(db, ids.manager_b, [ids.enterprise_b])
    ids.campaign_a = seed.campaign(ids.enterprise_a, title="Campaign A")
    ids.campaign_b = seed.campaign(ids.enterprise_b, title="Campaign B")
    ids.links_a = seed.links(ids.campaign_a)
    ids.links_b = seed.links(ids.campaign_b)
    from survey_app.domain import series

    ids.series_a = series.create(db, ids.enterprise_a, "beneficiaries", "Series A", "card", [], NOW)
    ids.series_b = series.create(db, ids.enterprise_b, "beneficiaries", "Series B", "card", [], NOW)
    return ids


class BackOfficeClient:
    """A test client signed in to the back office that adds its session's CSRF token to posts."""

    def __init__(self, client):
        self.client = client
        self.token = None

    def refresh_token(self) -> str:
        match = CSRF_INPUT.search(self.client.get("/admin/").get_data(as_text=True))
        self.token = match.group(1) if match else None
        return self.token

    def get(self, *args, **kwargs):
        return self.client.get(*args, **kwargs)

    def post(self, url, data=None, csrf=True, **kwargs):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.token or self.refresh_token())
        return self.client.post(url, data=data, **kwargs)


def sign_in(client, email, password=PASSWORD):
    """Post the login form (with its CSRF token) and return the response."""
    page = client.get("/login?lang=en").get_data(as_text=True)  # English pages, remembered in a cookie
    token = CSRF_INPUT.search(page).group(1)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def free_port() -> int:
    """A loopback port nobody listens on right now (for servers the tests start)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, timeout=60):
    """Poll `url` until it answers; return (status, body). Generous: a loaded machine starts slowly."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read().decode()
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout} s")


@contextlib.contextmanager
def ctrl_c_reaches_children():
    """Let a child started here take Ctrl-C (SIGINT) as a terminal user would give it.

    A suite started in the background (`make test &`, nohup, some CI runners) ignores SIGINT, its
    children inherit that, and Python then never turns Ctrl-C into KeyboardInterrupt: the server
    would keep running. A handled signal, unlike an ignored one, is back to its default after exec.
    """
    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


CUSTOM_PICK = ({"id": "c_pick", "type": "single", "options": [{"value": v} for v in "abc"]},)


def sample_answers(i: int, dont_know: bool = True) -> dict:
    """Answers of respondent i to the beneficiaries questionnaire (and the custom c_pick), varied;
    `easy_to_access` answered "don't know" by one in four, or left out."""
    access = {"easy_to_access": DONT_KNOW if i % 4 == 0 else 1 + (i * 2) % 5} if dont_know else {}
    return {
        "treated_with_respect": 1 + i % 5,
        "fits_my_needs": 1 + (i * 3) % 5,
        **access,
        "feel_confident": 1 + (i * 7) % 5,
        "often_alone": 1 + (i * 2) % 5,
        "people_to_count_on": 1 + (i * 4) % 5,
        "recommend": i % 11,
        "what_changed": f"Réponse {i}",
        "c_pick": ["a", "b", "c"][i % 3],
    }


def two_closed_waves(db, seed: Seeder, firm: int, e: int, dont_know: bool = True) -> list[int]:
    """Enterprise number `e`'s two closed waves (400 and 60 days ago, 6 + e and 5 + 2e responses)."""
    waves = []
    for days, size in ((400, 6 + e), (60, 5 + 2 * e)):
        c = seed.campaign(
            firm,
            opens_at=NOW - timedelta(days=days + 30),
            closes_at=NOW - timedelta(days=days),
            custom_questions=CUSTOM_PICK,
        )
        add_responses(db, c, [sample_answers(i + e * 13 + days, dont_know) for i in range(size)])
        waves.append(c)
    return waves


def store_benchmark(db, campaign_id: int, kind: str, key: str, peer_means: list[float], min_peers: int = 5) -> None:
    """Give a stored cell a benchmark, as a run saves it: its wave compared, in a pool whose peers
    (other enterprises) have these means. Five peers [a, b, c, d, e] give q1 b, median c, q3 d."""
    from survey_app.domain.benchmarks import peers_text, pool_name

    group, sector = db.execute(
        "SELECT c.stakeholder_group, e.sector_group FROM campaign c JOIN enterprise e ON e.id = c.enterprise_id "
        "WHERE c.id = ?",
        [campaign_id],
    ).fetchone()
    db.execute("INSERT OR REPLACE INTO benchmark_wave VALUES (?, ?, ?)", [campaign_id, sector, min_peers])
    db.execute(
        "INSERT OR REPLACE INTO benchmark_pool (pool, signature, peers) VALUES (?, 'test', ?)",
        [pool_name(sector, group, kind, key), peers_text((-1 - i, m) for i, m in enumerate(peer_means))],
    )


def stored_with_benchmarks(db, where: str = "1", params: tuple = ()) -> list[dict]:
    """Stored indicator_value rows with their benchmark fields, as pages read them."""
    from survey_app.domain.benchmarks import with_benchmarks

    return with_benchmarks(db, list(db.query(f"SELECT * FROM indicator_value WHERE {where}", params)))


def migrated_before(path, migration: str):
    """A connection to a new database at `path` with every migration before `migration` applied (as
    an installation of an earlier version would have it), for tests of that migration."""
    from survey_app.storage.db import connect
    from survey_app.storage.schema import migrations

    db = connect(path)
    db.execute("PRAGMA foreign_keys = OFF")  # as storage.db.migrate applies them
    migrations.apply(db, stop_before=migration)
    db.execute("PRAGMA foreign_keys = ON")
    return db
