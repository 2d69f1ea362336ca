"""Large synthetic data for benchmarks: N enterprises x 3 groups x 2 closed waves, M responses.

Speed matters more than realism here: everything goes in one transaction with executemany, ids are
assigned up front, invitations are not created (open-link campaigns with an expected population),
and tokens are synthetic. A million responses take a couple of minutes on a 2-core machine.
With `instrument_share`, that share of the beneficiary campaigns pins the WHO-5 (a validated
instrument scored as published), so the benchmarks also time the published-score SQL.
"""

from __future__ import annotations

import json
import random
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlite_utils import Database

from pipeline.read import load_questionnaires, stored_instruments
from pipeline.sample.fake import answers_for
from pipeline.sample.responses import insert_responses, next_response_id
from survey_app.core.groups import SECTOR_GROUPS, STAKEHOLDER_GROUPS
from survey_app.core.timeutil import iso_utc
from survey_app.questionnaire.instruments import with_instruments
from survey_app.questionnaire.model import Questionnaire
from survey_app.storage.db import write_transaction

WAVES = (400, 40)  # closing dates, in days before now
INSTRUMENT = ("who5", 1)  # pinned by `instrument_share` of the beneficiary campaigns
Echo = Callable[[str], None]


def create_structure(
    db: Database, enterprises: int, now: datetime, rng: random.Random, instrument_share: float = 0.0
) -> list[tuple[int, str, float]]:
    """Enterprises and their closed campaigns; return (campaign id, group, level) per campaign."""
    pinned = f'[["{INSTRUMENT[0]}", {INSTRUMENT[1]}]]'

    _, questionnaires = load_questionnaires(db)
    latest = {g: max(v for (qid, v) in questionnaires if qid == g) for g in STAKEHOLDER_GROUPS}
    first = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM enterprise").fetchone()[0]
    token = secrets.token_hex(4)
    db.conn.executemany(
        "INSERT INTO enterprise (id, slug, name, sector_group, country, region, default_language, "
        "benchmark_consent, created_at) VALUES (?, ?, ?, ?, ?, '', ?, ?, ?)",
        [
            (
                first + i,
                f"synth-{token}-{i}",
                f"Synthetic {i}",
                SECTOR_GROUPS[i % 3],
                "BE" if i % 2 else "FR",
                ("fr", "nl")[i % 2],
                int(rng.random() > 0.1),
                iso_utc(now),
            )
            for i in range(enterprises)
        ],
    )
    campaigns, rows = [], []
    next_id = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM campaign").fetchone()[0]
    for i in range(enterprises):
        level = rng.gauss(0.4, 0.5)
        for group in STAKEHOLDER_GROUPS:
            for days in WAVES:
                closes = now - timedelta(days=days)
                rows.append(
                    (
                        next_id,
                        first + i,
                        group,
                        group,
                        latest[group],
                        f"{group} synthetic",
                        iso_utc(closes - timedelta(days=28)),
                        iso_utc(closes),
                        "Europe/Brussels",
                        '["fr", "nl", "en"]',
                        f"synth-{token}-{next_id}",
                        iso_utc(now),
                        pinned if group == "beneficiaries" and i < enterprises * instrument_share else "[]",
                    )
                )
                campaigns.append((next_id, group, level + rng.uniform(-0.3, 0.3)))
                next_id += 1
    db.conn.executemany(
        "INSERT INTO campaign (id, enterprise_id, stakeholder_group, questionnaire_id, questionnaire_version, "
        "title, opens_at, closes_at, timezone, languages, expected_population, open_token, created_at, instruments) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1000, ?, ?, ?)",
        rows,
    )
    return campaigns


def add_responses_to(
    db: Database,
    campaigns: list[tuple[int, str, float]],
    total: int,
    rng: random.Random,
    submitted_on: str,
    echo: Echo | None = None,
) -> int:
    """Spread `total` responses over the campaigns (inside the caller's transaction)."""
    answered = questionnaires_of(db)
    per_campaign, extra = divmod(total, len(campaigns))
    response_id, done = next_response_id(db), 0
    for index, (campaign_id, _group, level) in enumerate(campaigns):
        size = per_campaign + (1 if index < extra else 0)
        questionnaire = answered[campaign_id]
        answer_sets = [answers_for(questionnaire, level, rng, "fr", text_rate=0.05) for _ in range(size)]
        insert_responses(
            db, campaign_id, answer_sets, submitted_on, ("fr", "nl", "fr", "en"), "open", first_id=response_id
        )
        response_id += size
        done += size
        if echo and (index + 1) % 500 == 0:
            echo(f"  {done:,} responses")
    return done


def questionnaires_of(db: Database) -> dict[int, Questionnaire]:
    """What each campaign's respondents answer: its questionnaire version, with its pinned instruments."""
    framework, questionnaires = load_questionnaires(db)
    instruments = stored_instruments(db, framework)
    out, made = {}, {}
    for cid, qid, version, pins in db.execute(
        "SELECT id, questionnaire_id, questionnaire_version, instruments FROM campaign"
    ):
        pinned = [(str(i), int(v)) for i, v in json.loads(pins or "[]")]
        key = (qid, version, tuple(pinned))
        if key not in made:
            made[key] = with_instruments(questionnaires[(qid, version)], [instruments[p] for p in pinned])
        out[cid] = made[key]
    return out


def synthesize(
    db: Database,
    enterprises: int,
    responses: int,
    now: datetime,
    seed: int = 1,
    echo: Echo | None = None,
    instrument_share: float = 0.0,
) -> dict[str, int]:
    """Create the enterprises, campaigns and responses in one transaction; return counts."""
    rng = random.Random(seed)
    with write_transaction(db):
        campaigns = create_structure(db, enterprises, now, rng, instrument_share)
        added = add_responses_to(db, campaigns, responses, rng, (now - timedelta(days=45)).date().isoformat(), echo)
    return {"enterprises": enterprises, "campaigns": len(campaigns), "responses": added}


def add_new_responses(db: Database, responses: int, now: datetime, seed: int = 2, share: float = 0.1) -> int:
    """Add responses to a random `share` of the latest waves (a 'weekly' increment for the benchmark)."""
    rng = random.Random(seed)
    rows = db.execute(
        "SELECT c.id, c.stakeholder_group FROM campaign c WHERE c.closes_at = "
        "(SELECT MAX(closes_at) FROM campaign d WHERE d.enterprise_id = c.enterprise_id "
        "AND d.stakeholder_group = c.stakeholder_group) ORDER BY c.id"
    ).fetchall()
    chosen = sorted(rng.sample(rows, max(1, round(len(rows) * share))))
    with write_transaction(db):
        return add_responses_to(
            db, [(cid, group, rng.gauss(0.4, 0.5)) for cid, group in chosen], responses, rng, now.date().isoformat()
        )
