"""Answer entry screen (blueprint "entry"): choose the channel, the language and perhaps a card's
code, then type the answers, one key per option and Enter for the next question.

Managers and interviewers of the campaign's enterprise only (scoped look-up); open campaigns only.
Required questions are not enforced: a paper form is entered as it was filled in, blanks included.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs cover 3.2

from survey_app.accounts.guards import for_interviewers, login_required, require_sign_in
from survey_app.accounts.scoping import campaign_or_404
from survey_app.assisted import store
from survey_app.assisted.forms import CHANNEL_LABELS, SetupForm, entry_form_class, option_keys
from survey_app.assisted.paper_content import condition_text, question_numbers
from survey_app.core import timeutil
from survey_app.core.catalogs import LANGUAGE_NAMES
from survey_app.domain.campaigns import campaign_state, languages_of
from survey_app.questionnaire.model import Question, Questionnaire, ShowIf, format_value, translate
from survey_app.respondent import submissions
from survey_app.respondent.links import campaign_questionnaire
from survey_app.web.db import get_db

bp = Blueprint("entry", __name__, url_prefix="/admin/campaigns/<int:campaign_id>/entry")
bp.before_request(require_sign_in)
CARD_PROBLEMS = {
    "unknown": _l("No card of this campaign has this code."),
    "revoked": _l("This card was revoked: its code can no longer be used."),
    "used": _l("This card was already used: its answers are in."),
}


def _not_open(campaign: dict[str, Any]):
    """Answers go only into an open campaign, as with its links (a closed wave's figures stay put)."""
    if campaign_state(campaign, timeutil.now_utc()) == "open":
        return None
    page = render_template("assisted/not_open.html", campaign=campaign)
    return page, 409 if request.method == "POST" else 200


def _setup(campaign: dict[str, Any]) -> tuple[SetupForm, store.Card | None, bool]:
    """The setup read from the query string; True when it is complete and valid."""
    form = SetupForm(request.args)
    form.language.choices = [SelectChoice(code, LANGUAGE_NAMES[code]) for code in languages_of(campaign)]
    if "channel" not in request.args or not form.validate():
        return form, None, False
    if not form.code.data:
        return form, None, True
    card, problem = store.find_card(get_db(), campaign["id"], form.code.data)
    if problem:
        form.code.errors = [str(CARD_PROBLEMS[problem])]
    return form, card, card is not None


@bp.get("/")
@for_interviewers
@login_required
def index(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    if refused := _not_open(campaign):
        return refused
    form, _card, _ok = _setup(campaign)
    return render_template("assisted/setup.html", campaign=campaign, form=form, counts=_own_counts(campaign_id))


@bp.route("/answers", methods=["GET", "POST"])
@for_interviewers
@login_required
def answers(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    if refused := _not_open(campaign):
        return refused
    setup, card, ok = _setup(campaign)
    if not ok:
        page = render_template("assisted/setup.html", campaign=campaign, form=setup, counts=_own_counts(campaign_id))
        return page, 400 if request.method == "POST" else 200
    questionnaire = campaign_questionnaire(campaign)
    if questionnaire is None:
        abort(404)
    language = setup.language.data
    form_class = entry_form_class(questionnaire, language, languages_of(campaign))
    if request.method == "GET":
        form = form_class(data={"submission_id": submissions.new_submission_id()})
        return _render(campaign, questionnaire, form, setup, card, language)
    form = form_class()
    valid = form.validate()
    if not valid or not any(v not in (None, "", []) for v in form.visible_answers().values()):
        return _render(campaign, questionnaire, form, setup, card, language, nothing=valid), 400
    link = store.entry_link(campaign, questionnaire, setup.channel.data, card)
    if store.record(
        get_db(), link, g.user["id"], form.visible_answers(), language, form.submission_id.data, timeutil.now_utc()
    ):
        flash(_("Answers saved. The screen is ready for the next person."))
    else:
        flash(_("These answers were already saved (sent twice, or the card was used meanwhile)."), "error")
    return redirect(
        url_for(".answers", campaign_id=campaign_id, channel=setup.channel.data, language=language), code=303
    )


def _own_counts(campaign_id: int) -> dict[str, int]:
    """How many responses the signed-in account entered in this campaign, per channel."""
    rows = get_db().execute(
        "SELECT channel, count FROM entry_count WHERE campaign_id = ? AND user_id = ?", [campaign_id, g.user["id"]]
    )
    return dict(rows.fetchall())


def _live(questionnaire: Questionnaire, question: Question) -> tuple[str, str] | None:
    """(parent field, values) of a plain condition on a choice question, for the optional script."""
    show_if = question.show_if
    if not isinstance(show_if, ShowIf) or not show_if.simple:
        return None
    if questionnaire.question(show_if.question).type in ("number", "text"):
        return None
    return f"q_{show_if.question}", " ".join(format_value(v) for v in show_if.values)


def _render(campaign, questionnaire, form, setup, card, language, nothing=False):
    numbers = question_numbers(questionnaire)
    sections = [
        (
            translate(s.title, language),
            translate(s.intro, language) if s.intro else "",
            [form.views[q.id] for q in s.questions],
        )
        for s in questionnaire.sections
    ]
    keys = {
        view.question.id: option_keys(view, [sub.data for sub in form[f"q_{view.question.id}"]])
        for _title, _intro, views in sections
        for view in views
        if view.kind in ("choice", "scale11", "multiple")
    }
    every = questionnaire.questions
    return render_template(
        "assisted/entry.html",
        numbers=numbers,
        conditions={q.id: condition_text(questionnaire, q, numbers, language) for q in every if q.show_if},
        live={q.id: found for q in every if (found := _live(questionnaire, q))},
        campaign=campaign,
        form=form,
        setup=setup,
        card=card,
        sections=sections,
        keys=keys,
        channel_label=CHANNEL_LABELS[setup.channel.data],
        language=language,
        errors=form.question_errors(),
        nothing=nothing,
        counts=_own_counts(campaign["id"]),
    )
