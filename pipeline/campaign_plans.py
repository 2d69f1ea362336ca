"""Campaign plans: what each campaign's kept sums depend on (questionnaire version, scoring rules,
counted questions, custom questions), as a short fingerprint. `batch.score_new` rebuilds a campaign
whose stored plan differs; the plans and each campaign's questionnaire key also go into temporary
tables that the scoring and counting SQL join on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence

from sqlite_utils import Database

from pipeline import compute, read
from pipeline.model import CampaignInfo
from survey_app.questionnaire.model import Framework, Questionnaire

Plans = tuple[dict[int, str], dict[int, list[str]]]  # campaign id -> plan, campaign id -> counted questions


def campaign_plans(
    campaigns: list[CampaignInfo],
    questionnaires: dict[tuple[str, int], Questionnaire],
    framework: Framework,
    fingerprints: dict[tuple[str, int], list[tuple]],
) -> Plans:
    """Each campaign's plan and counted questions; campaigns without custom questions share their
    questionnaire's (worked out once, not once per campaign)."""
    rules = {key: rules_text(key, rows) for key, rows in fingerprints.items()}
    plans, counted = {}, {}
    shared: dict[tuple[str, int], tuple[list[str], str]] = {}
    for c in campaigns:
        key = read.questionnaire_key(c)
        if c.custom_questions or key not in shared:
            ids = compute.question_plan(c, questionnaires[key], framework)[0] if key in questionnaires else []
            plan = plan_with(rules.get(key) or rules_text(key, []), ids, c.custom_questions)
            if not c.custom_questions:
                shared[key] = (ids, plan)
        else:
            ids, plan = shared[key]
        counted[c.id], plans[c.id] = ids, plan
    return plans, counted


def rules_text(questionnaire_key: tuple[str, int], rules: Sequence[tuple]) -> str:
    """The part of a plan shared by every campaign of one questionnaire version (worked out once)."""
    return json.dumps([list(questionnaire_key), [list(r) for r in rules]])


def plan_with(rules: str, counted: Iterable[str], custom: Sequence[dict] = ()) -> str:
    """Fingerprint of what is scored, counted and reported for a campaign: a change means a rebuild
    (another questionnaire version, other scoring rules, edited custom questions)."""
    text = rules + json.dumps([sorted(set(counted)), list(custom)], sort_keys=True)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def prepare_plans(
    db: Database, plans: dict[int, str], counted: dict[int, list[str]], qkeys: dict[int, int | None]
) -> None:
    """Temporary tables of each campaign's questionnaire key, plan and counted questions (after
    scoring.prepare, which sets where temporary tables live)."""
    db.execute(
        "CREATE TEMP TABLE IF NOT EXISTS pipeline_campaign (campaign_id INTEGER PRIMARY KEY, qkey INTEGER, plan TEXT)"
    )
    db.execute(
        "CREATE TEMP TABLE IF NOT EXISTS pipeline_counted (campaign_id INTEGER, question_id TEXT, "
        "PRIMARY KEY (campaign_id, question_id)) WITHOUT ROWID"
    )
    db.execute("DELETE FROM temp.pipeline_campaign")
    db.execute("DELETE FROM temp.pipeline_counted")
    db.conn.executemany(
        "INSERT INTO temp.pipeline_campaign VALUES (?, ?, ?)", [(c, qkeys.get(c), plan) for c, plan in plans.items()]
    )
    db.conn.executemany(
        "INSERT INTO temp.pipeline_counted VALUES (?, ?)",
        [(cid, qid) for cid, ids in counted.items() for qid in sorted(set(ids))],
    )
