"""The public valorisation page (/p/<token>): what an enterprise shows its stakeholders and funders.

Anyone with the address may read it, so it shows only what is safe for anyone: the headline
figures (suppressed as everywhere: stored results only, "fewer than 5 answers" for small groups),
the evaluative question, the enterprise's own words and the testimonies the manager chose (never
one hidden from the report, never one of a group under the threshold). No back-office link, no
chart URL, no raw data. `noindex` for search engines unless the manager allowed indexing.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template
from sqlite_utils import Database

from survey_app.core.groups import STAKEHOLDER_GROUPS
from survey_app.core.typography import quoted
from survey_app.domain import public_pages
from survey_app.results import data, headlines, methodology, report
from survey_app.web.db import get_db
from survey_app.web.i18n import current_language, offered_languages

bp = Blueprint("public", __name__, url_prefix="/p")


def quote_key(quote: dict[str, Any]) -> tuple[int, str]:
    """(response id, question id) of a quote from testimonies.for_campaign (its id is "t<response>-<question>")."""
    response, question = quote["id"][1:].split("-", 1)
    return int(response), question


def waves_of(db: Database, page: dict[str, Any]) -> list[dict[str, Any]]:
    """The page's campaign, or the latest wave with results of each stakeholder group."""
    campaigns = data.campaigns_of(db, page["enterprise_id"])
    if page["campaign_id"] is not None:
        return [c for c in campaigns if c["id"] == page["campaign_id"]]
    latest: dict[str, dict[str, Any]] = {}
    for campaign in campaigns:  # ordered by closing date: the last one of a group wins
        if campaign["has_results"]:
            latest[campaign["stakeholder_group"]] = campaign
    return [latest[group] for group in STAKEHOLDER_GROUPS if group in latest]


def wave(db: Database, enterprise: dict[str, Any], campaign: dict[str, Any], chosen: set, language: str) -> dict:
    section = data.wave_section(db, enterprise, campaign, language, {}, hidden_quotes=False)
    shown = [q for q in section["testimonies"] if quote_key(q) in chosen]  # hidden quotes are already left out
    return {
        "section": section,
        "headlines": headlines.headlines(section) if campaign["has_results"] else [],
        "period": report.period(campaign, language),
        "question": quoted(campaign["evaluative_question"], language) if campaign["evaluative_question"] else "",
        "testimony_groups": report.by_question(shown, campaign, language),
    }


def available_quotes(db: Database, page: dict[str, Any], language: str) -> list[tuple[str, str]]:
    """("response:question", label) of every quote the manager may choose: none hidden from the
    report, none of a group under the threshold (testimonies.for_campaign leaves those out)."""
    enterprise = next(iter(db.query("SELECT * FROM enterprise WHERE id = ?", [page["enterprise_id"]])))
    found = []
    for campaign in waves_of(db, page):
        section = data.wave_section(db, enterprise, campaign, language, {}, hidden_quotes=False)
        for quote in section["testimonies"]:
            response, question = quote_key(quote)
            label = f"{quoted(quote['text'], language)} ({section['title']}, {quote['question']})"
            found.append((f"{response}:{question}", label))
    return found


def page_context(db: Database, page: dict[str, Any], language: str) -> dict[str, Any]:
    enterprise = next(iter(db.query("SELECT * FROM enterprise WHERE id = ?", [page["enterprise_id"]])))
    chosen = public_pages.chosen_quotes(db, page["id"])
    settings = current_app.config["SETTINGS"]
    return {
        "page": page,
        "enterprise": enterprise,
        "own_words": [p.strip() for p in page["own_words"].split("\n\n") if p.strip()],
        "waves": [wave(db, enterprise, c, chosen, language) for c in waves_of(db, page)],
        "methodology": methodology.sections(settings["privacy.min_group_size"], settings["privacy.min_peers"]),
        "language": language,
        "languages": offered_languages(),
    }


@bp.get("/<token>")
def view(token: str):
    db = get_db()
    page = public_pages.by_token(db, token) if len(token) <= 64 else None
    if page is None:
        abort(404)
    response = current_app.make_response(
        render_template("public/page.html", **page_context(db, page, current_language()))
    )
    if not page["allow_indexing"]:
        response.headers["X-Robots-Tag"] = "noindex"
    return response
