"""The results of a campaign by channel (blueprint "channels"): answers given by the respondents
themselves, to an interviewer or on paper, side by side, suppressed as results.channels says."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlite_utils import Database

from survey_app.accounts.guards import login_required, require_sign_in
from survey_app.accounts.scoping import campaign_or_404
from survey_app.questionnaire.model import translate
from survey_app.results import channels
from survey_app.web.db import get_db
from survey_app.web.i18n import current_language

bp = Blueprint("channels", __name__, url_prefix="/admin/campaigns/<int:campaign_id>/by-channel")
bp.before_request(require_sign_in)
CHANNEL_LABELS = {
    "self": _l("Answered alone"),
    "interview": _l("With an interviewer"),
    "paper": _l("On paper"),
}


def share_sentence(db: Database, campaign_id: int) -> str:
    """'Of the 40 answers, 80 % were given alone, 15 % to an interviewer and 5 % on paper. ...'
    Empty when every answer was given alone (nothing to say)."""
    counts = channels.counts(db, campaign_id)
    total = sum(counts.values())
    if not total or counts.get("self", 0) == total:
        return ""
    share = {c: round(100 * counts.get(c, 0) / total) for c in channels.CHANNELS}
    return _(
        "Of the %(total)d answers, %(alone)d %% were given by the respondents alone, %(interview)d %% to an "
        "interviewer and %(paper)d %% on paper. Answers given to an interviewer tend to be more positive than "
        "answers given alone: keep this in mind when comparing waves or enterprises.",
        total=total,
        alone=share["self"],
        interview=share["interview"],
        paper=share["paper"],
    )


@bp.get("/")
@login_required
def view(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    registry = current_app.extensions["vises.registry"]
    questionnaire = registry.get(campaign["questionnaire_id"], campaign["questionnaire_version"])
    if questionnaire is None:
        abort(404)
    min_group = current_app.config["SETTINGS"]["privacy.min_group_size"]
    result = channels.breakdown(get_db(), campaign_id, questionnaire, min_group)
    labels = {i.id: translate(i.label, current_language()) for i in registry.framework.indicators}
    return render_template(
        "dashboard/channels.html",
        campaign=campaign,
        result=result,
        labels=labels,
        channel_labels=CHANNEL_LABELS,
        min_group=min_group,
        sentence=share_sentence(get_db(), campaign_id),
    )
