"""Read step: what a run needs besides the kept sums (scoring.py, sums.py): questionnaires,
campaigns, invitation counts and the free texts of the campaigns whose testimonies are refreshed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

from sqlite_utils import Database

from pipeline.model import CampaignInfo, TextAnswer
from survey_app.questionnaire.instruments import (
    Instrument,
    parse_instrument,
    with_instrument_indicators,
    with_instruments,
)
from survey_app.questionnaire.loader import load_framework, parse_questionnaire
from survey_app.questionnaire.model import Framework, Questionnaire
from survey_app.questionnaire.registry import FRAMEWORK_FILE, QUESTIONNAIRES_DIR

Questionnaires = dict[tuple[str, int], Questionnaire]

# Parsed sources, kept by the resident scheduler from one weekly run to the next: a registered
# version never changes, so its text (and the framework file it was checked against) is its key.
_PARSED: dict[tuple[str, str, str], Any] = {}
_PARSED_MAX = 512


def _parsed(parse: Callable[[str, str, Any], Any], text: str, label: str, framework: Any, framework_key: str) -> Any:
    """parse(text, label, framework), or what it gave for the same text and framework file."""
    key = (parse.__qualname__, hashlib.sha256(text.encode()).hexdigest(), framework_key)
    if key not in _PARSED:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[key] = parse(text, label, framework)
    return _PARSED[key]


def _load_framework(text: str, label: str, _framework: None) -> Framework:
    return load_framework(QUESTIONNAIRES_DIR / FRAMEWORK_FILE)


def _framework() -> tuple[Framework, str]:
    text = (QUESTIONNAIRES_DIR / FRAMEWORK_FILE).read_text(encoding="utf-8")
    key = hashlib.sha256(text.encode()).hexdigest()
    return _parsed(_load_framework, text, FRAMEWORK_FILE, None, ""), key


def temp_ids(db: Database, table: str, campaign_ids: Iterable[int]) -> None:
    """A temp table of campaign ids, so a query can name thousands of them.

    The ids go in as one JSON array that SQLite unpacks itself: 6,000 ids took 6 ms through
    `executemany` and 1.4 ms this way, and a run over every campaign fills such a table eight times."""
    db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} (campaign_id INTEGER PRIMARY KEY)")
    db.execute(f"DELETE FROM temp.{table}")
    db.execute(f"INSERT INTO temp.{table} SELECT value FROM json_each(?)", [json.dumps([int(c) for c in campaign_ids])])


def load_questionnaires(db: Database) -> tuple[Framework, Questionnaires]:
    """Every registered questionnaire version, rebuilt from the source kept in the database."""
    framework, key = _framework()
    versions = {}
    for qid, version, source in db.execute("SELECT id, version, source FROM questionnaire"):
        label = f"database copy of {qid} version {version}"
        versions[(qid, version)] = _parsed(parse_questionnaire, source, label, framework, key)
    return framework, versions


def stored_instruments(db: Database, framework: Framework) -> dict[tuple[str, int], Instrument]:
    """Registered instrument versions rebuilt from the database (as registry.stored_instruments, parsed once)."""
    _, key = _framework()
    out = {}
    for iid, version, source in db.execute("SELECT id, version, source FROM instrument"):
        label = f"database copy of instrument {iid} version {version}"
        out[(iid, version)] = _parsed(parse_instrument, source, label, framework, key)
    return out


def questionnaire_key(campaign: CampaignInfo) -> tuple[str, int]:
    """The key of what a campaign's respondents answered: its questionnaire version, and with pinned
    instruments a key of its own ("beneficiaries+who5.1", "+" is never in an id), scored as one."""
    if not campaign.instruments:
        return (campaign.questionnaire_id, campaign.questionnaire_version)
    pinned = "+".join(f"{iid}.{version}" for iid, version in campaign.instruments)
    return (f"{campaign.questionnaire_id}+{pinned}", campaign.questionnaire_version)


def with_campaign_instruments(
    db: Database, framework: Framework, questionnaires: Questionnaires, campaigns: Iterable[CampaignInfo]
) -> tuple[Framework, Questionnaires]:
    """The framework with every registered instrument's indicators, and one questionnaire per set of
    pinned instruments (questionnaire plus instrument pages and scorings, as respondents saw them)."""
    instruments = stored_instruments(db, framework)
    out = dict(questionnaires)
    for c in campaigns:
        key, base = questionnaire_key(c), questionnaires.get((c.questionnaire_id, c.questionnaire_version))
        if c.instruments and base is not None and key not in out:
            out[key] = with_instruments(base, [instruments[p] for p in c.instruments if p in instruments])
    return with_instrument_indicators(framework, sorted(instruments.values(), key=lambda i: (i.id, i.version))), out


def load_campaigns(db: Database, now_iso: str, enterprise_slug: str | None = None) -> list[CampaignInfo]:
    """All campaigns (or one enterprise's) with what the rules need; closed means closed by `now`."""
    sql = (
        "SELECT c.id, c.enterprise_id, e.sector_group, e.benchmark_consent, c.stakeholder_group, "
        "c.questionnaire_id, c.questionnaire_version, c.closes_at, c.closed_at, c.expected_population, "
        "c.custom_questions, c.instruments FROM campaign c JOIN enterprise e ON e.id = c.enterprise_id"
    )
    params: list = []
    if enterprise_slug:
        sql += " WHERE e.slug = ?"
        params.append(enterprise_slug)
    return [
        CampaignInfo(
            id=cid,
            enterprise_id=enterprise_id,
            sector_group=sector,
            benchmark_consent=bool(consent),
            stakeholder_group=group,
            questionnaire_id=qid,
            questionnaire_version=version,
            closes_at=closes_at,
            closed=bool(closed_at) or closes_at <= now_iso,
            expected_population=expected,
            custom_questions=tuple(json.loads(custom)) if custom and custom != "[]" else (),
            instruments=tuple((str(i), int(v)) for i, v in json.loads(pins)) if pins and pins != "[]" else (),
        )
        for cid, enterprise_id, sector, consent, group, qid, version, closes_at, closed_at, expected, custom, pins in (
            db.execute(sql + " ORDER BY c.id", params)
        )
    ]


def invitation_counts(db: Database) -> dict[int, int]:
    return dict(
        db.execute(
            "SELECT campaign_id, COUNT(*) FROM invitation WHERE revoked_at IS NULL GROUP BY campaign_id"
        ).fetchall()
    )


def read_texts(
    db: Database, campaign_id: int, question_ids: Iterable[str], watermark: int, above: int = 0
) -> tuple[TextAnswer, ...]:
    """Non-blank free-text answers of one campaign's scored responses (ids above `above`, up to the
    watermark)."""
    text_ids = sorted(set(question_ids))
    if not text_ids:
        return ()
    marks = ", ".join("?" for _ in text_ids)
    return tuple(
        TextAnswer(*row)
        for row in db.execute(
            "SELECT a.response_id, a.question_id, r.language, a.value_text FROM response r "
            "JOIN answer a ON a.response_id = r.id WHERE r.campaign_id = ? AND r.id > ? AND r.id <= ? "
            "AND a.dont_know = 0 "
            f"AND a.question_id IN ({marks}) AND TRIM(COALESCE(a.value_text, '')) != '' "
            "ORDER BY a.response_id, a.question_id",
            [campaign_id, above, watermark, *text_ids],
        )
    )
