"""Survey links: turn a token from the URL into a campaign the respondent may answer.

Unknown tokens, revoked links and campaigns that are not open all end in the same 404, so a
visitor learns nothing about which tokens exist. Only misses count against the per-address rate
limit, and only misses are refused over it (429): a valid link always works, even from an address
that made many misses (a shared Wi-Fi, a kiosk tablet, a school behind one address).
"""

from __future__ import annotations

import dataclasses
import functools
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

from flask import abort, current_app, request
from sqlite_utils import Database

from survey_app.domain.campaigns import campaign_state, custom_questions_of, instruments_of, languages_of
from survey_app.questionnaire.instruments import with_instruments
from survey_app.questionnaire.model import Questionnaire
from survey_app.questionnaire.rules import Checker, parse_questions
from survey_app.storage.held_reads import Unavailable
from survey_app.storage.ratelimit import allow
from survey_app.web.db import held_reader

PERSONAL, OPEN, KIOSK = "s", "o", "k"
# The link a response came through (response.link): a kiosk is an open link on a shared tablet.
LINK_KINDS = {PERSONAL: "personal", OPEN: "open", KIOSK: "open"}
# Guessing 128-bit tokens is hopeless anyway; the limit keeps the log-free server from being
# used as a load generator: past 60 misses a minute per address, misses get a bare 429. A hit past
# the limit tells a guesser nothing it would not learn below it, and refusing it locked out every
# real respondent sharing the guesser's address.
MISS_LIMIT, MISS_WINDOW = 60, 60
MAX_TOKEN_LENGTH = 64


@dataclass(frozen=True)
class SurveyLink:
    """A valid link to an open campaign, with everything the pages need."""

    kind: str
    token: str
    campaign: dict[str, Any]
    questionnaire: Questionnaire
    enterprise_name: str
    invitation: dict[str, Any] | None = None
    kiosk: dict[str, Any] | None = None
    channel: str = "self"  # how the answers are given: self, or interview / paper (back-office entry)
    # A personal link's draft row (answers, page, language) as read with the link, in the same
    # statement (pages.load_draft uses it); None when it has none, for other links (their drafts
    # belong to a browser), and for back-office entry's links, which never load a draft.
    draft_row: tuple[str, int, str | None] | None = None
    # Whether the campaign is a wave of an active follow-up series, read with a personal link (the
    # last page then leads to the linking step); None when not read (series.wave_of tells).
    in_series: bool | None = None

    @property
    def link_kind(self) -> str:
        return LINK_KINDS[self.kind]

    @property
    def submitted(self) -> bool:
        return bool(self.invitation and self.invitation["answered"])

    @property  # not cached_property: before Python 3.12 its look-up takes one lock shared by every thread
    def languages(self) -> list[str]:
        return list(_offered(self.campaign["languages"], current_app.config["SETTINGS"].i18n.languages))


@functools.lru_cache(maxsize=256)  # a campaign's languages are a short JSON list, the same on every page
def _offered(raw: str, offered: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(lang for lang in json.loads(raw) if lang in offered) or offered[:1]


def _miss_key(address: str | None) -> str:
    return f"token-miss:{address or 'unknown'}"


def _not_available(db: Database, now: datetime) -> NoReturn:
    """A miss: counted, then 404, or 429 once this address is past the limit."""
    within = allow(db, _miss_key(request.remote_addr), MISS_LIMIT, MISS_WINDOW, now)
    abort(404 if within else 429)


def resolve(db: Database, kind: str, token: str, now: datetime) -> SurveyLink:
    """The link behind `token`, or abort with 404 (not available) or 429 (a miss past the limit)."""
    if len(token) > MAX_TOKEN_LENGTH:
        _not_available(db, now)
    if kind == PERSONAL:
        return personal_link(db, token, now) or _not_available(db, now)
    kiosk = None
    if kind == KIOSK:
        kiosk = _row(db, "SELECT * FROM kiosk WHERE token = ? AND removed_at IS NULL", token)
        campaign = kiosk and _row(db, CAMPAIGN_SQL + "c.id = ?", kiosk["campaign_id"])
    else:
        campaign = _row(db, CAMPAIGN_SQL + "c.open_token = ? AND c.open_link_enabled = 1", token)
    if not campaign or campaign_state(campaign, now) != "open":
        _not_available(db, now)
    questionnaire = campaign_questionnaire(campaign)
    if questionnaire is None:
        _not_available(db, now)
    name = campaign.pop("enterprise_name")
    return SurveyLink(kind, token, campaign, questionnaire, name, kiosk=kiosk)


def personal_link(db: Database, token: str, now: datetime) -> SurveyLink | None:
    """A personal link with its draft, read in one statement; None when it is not available (unknown
    or revoked token, campaign not open). Needs the app (its questionnaires), not a request."""
    invitation, campaign, draft = _invitation_and_campaign(db, token)
    if not campaign or campaign_state(campaign, now) != "open":
        return None
    questionnaire = campaign_questionnaire(campaign)
    if questionnaire is None:
        return None
    name, in_series = campaign.pop("enterprise_name"), bool(campaign.pop("in_series"))
    return SurveyLink(PERSONAL, token, campaign, questionnaire, name, invitation, draft_row=draft, in_series=in_series)


# The campaign row and its enterprise's name in one look-up (every survey request makes it).
CAMPAIGN_SQL = (
    "SELECT c.*, e.name AS enterprise_name FROM campaign c JOIN enterprise e ON e.id = c.enterprise_id WHERE "
)


# A personal link's invitation, its campaign, the enterprise's name and the link's draft in one
# statement (each costs a read transaction of its own otherwise); the empty `_campaign` column
# marks where the invitation's columns end, the last three are the draft's; `in_series` is
# series.wave_of's question (is the campaign a wave of an active series?) asked in the same statement.
IN_SERIES_SQL = (
    "EXISTS (SELECT 1 FROM series_campaign sc JOIN series s ON s.id = sc.series_id "
    "WHERE sc.campaign_id = c.id AND s.state = 'active')"
)
PERSONAL_FROM = (
    "FROM invitation i JOIN campaign c ON c.id = i.campaign_id JOIN enterprise e ON e.id = c.enterprise_id "
    "LEFT JOIN draft d ON d.invitation_id = i.id WHERE i.token = ? AND i.revoked_at IS NULL"
)
PERSONAL_SQL = (
    f"SELECT i.*, NULL AS _campaign, c.*, e.name AS enterprise_name, {IN_SERIES_SQL} AS in_series, "
    f"d.answers, d.page, d.language {PERSONAL_FROM}"
)
HELD_SQL = "vises.personal_held_sql"  # app.extensions key: the same row as one JSON array


def _invitation_and_campaign(db: Database, token: str) -> tuple[dict | None, dict | None, tuple | None]:
    """(invitation, campaign with its enterprise's name, draft row or None) of a personal link.

    Outside a transaction it is read by the held reader (storage.held_reads), which keeps the
    interpreter lock; where that reader is missing or cannot answer, by the request's connection."""
    reader = held_reader() if not db.conn.in_transaction else None
    if reader is not None:
        sql, names = _held_personal_sql(db)
        try:
            values = reader.first(sql, [token])
        except Unavailable:
            pass  # busy, or not readable this way: the ordinary read below waits its turn
        else:
            return _split(names, tuple(values)) if values is not None else (None, None, None)
    cursor = db.conn.execute(PERSONAL_SQL, [token])
    row = cursor.fetchone()
    if row is None:
        return None, None, None
    return _split([c[0] for c in cursor.description], row)


def _split(names: list[str], row: tuple) -> tuple[dict, dict, tuple | None]:
    split = names.index("_campaign")
    invitation, campaign = dict(zip(names[:split], row[:split])), dict(zip(names[split + 1 : -3], row[split + 1 : -3]))
    return invitation, campaign, (row[-3:] if row[-3] is not None else None)


def _held_personal_sql(db: Database) -> tuple[str, list[str]]:
    """PERSONAL_SQL's row as one JSON array, with its column names (built once per app, from the
    schema: `json_array` takes no `*`)."""
    built: tuple[str, list[str]] | None = current_app.extensions.get(HELD_SQL)
    if built is None:
        invitation, campaign = (
            [row[1] for row in db.conn.execute(f"PRAGMA table_info({table})")] for table in ("invitation", "campaign")
        )
        columns = [f'i."{name}"' for name in invitation] + ["NULL"] + [f'c."{name}"' for name in campaign]
        columns += ["e.name", IN_SERIES_SQL, "d.answers", "d.page", "d.language"]
        names = [*invitation, "_campaign", *campaign, "enterprise_name", "in_series", "answers", "page", "language"]
        built = current_app.extensions[HELD_SQL] = (f"SELECT json_array({', '.join(columns)}) {PERSONAL_FROM}", names)
    return built


def _row(db: Database, sql: str, *params: Any) -> dict[str, Any] | None:
    cursor = db.conn.execute(sql, params)
    row = cursor.fetchone()
    return dict(zip([c[0] for c in cursor.description], row)) if row else None


def campaign_questionnaire(campaign: dict[str, Any]) -> Questionnaire | None:
    """The campaign's questionnaire version with its custom questions appended to the last page,
    then one page per pinned instrument (composed here, so the form builder sees one questionnaire).

    Cached per app: campaigns are read on every page view and the result never changes for a
    given (questionnaire version, custom questions, instruments) combination.
    """
    cache = current_app.extensions.setdefault("vises.campaign_questionnaires", {})
    key = questionnaire_key(campaign)
    if key not in cache:
        registry = current_app.extensions["vises.registry"]
        base = registry.get(campaign["questionnaire_id"], campaign["questionnaire_version"])
        if base is not None:
            base = with_custom_questions(base, custom_questions_of(campaign), tuple(languages_of(campaign)))
            base = with_instruments(base, registry.instruments_for(instruments_of(campaign)))
        cache[key] = base
    return cache[key]


def questionnaire_key(campaign: dict[str, Any]) -> tuple[str, int, str, str, str | None]:
    """What a campaign's questionnaire depends on: version, custom questions, languages and pinned
    instruments. Every cache of questionnaire-derived things (forms, rendered pages) is keyed by it,
    so a change to any of them is never served from a stale copy."""
    return (
        campaign["questionnaire_id"],
        campaign["questionnaire_version"],
        campaign["custom_questions"],
        campaign["languages"],
        campaign.get("instruments"),
    )


def with_custom_questions(base: Questionnaire, raw: list[dict[str, Any]], languages: tuple[str, ...]) -> Questionnaire:
    """Append valid custom questions to the last section (the back office validated them already;
    anything invalid is left out rather than breaking the survey). Texts are required only in the
    campaign's own languages, as the back office asked for."""
    if not raw:
        return base
    last = base.sections[-1]
    check = Checker("campaign custom questions", languages)
    extra = parse_questions(
        [{**q, "section": last.id} if isinstance(q, dict) else q for q in raw],
        check,
        None,
        [last.id],
        taken_ids=tuple(q.id for q in base.questions),
    )
    if check.problems:
        current_app.logger.warning("custom questions left out: %s", json.dumps([str(p) for p in check.problems]))
    sections = base.sections[:-1] + (dataclasses.replace(last, questions=last.questions + tuple(extra)),)
    return dataclasses.replace(base, sections=sections)
