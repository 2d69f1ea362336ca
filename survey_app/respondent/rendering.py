"""One request's survey page: the cached plans of its page and questions (plans.py), filled in.

Plans are keyed by everything their fixed HTML depends on: the campaign's questionnaire key
(version, custom questions, languages), the page, the language of the questions and that of the
interface, the offered languages, whether the page carries a submission id, and whether it shows
errors; a kiosk page also by its kiosk token (its idle timer links to that kiosk's own pages, and it
has no "save and continue later"). Nothing of the request (answers, CSRF token, signed-in user,
notice) is rendered into a plan: those are holes, filled here. Easy mode and back-office entry
render their own templates and never use plans.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from flask import current_app, g, get_template_attribute, render_template, request
from markupsafe import Markup

from survey_app.domain import series
from survey_app.questionnaire.model import DONT_KNOW, RawAnswer, translate
from survey_app.respondent.csrf import csrf_token
from survey_app.respondent.forms import PageForm, QuestionView
from survey_app.respondent.links import KIOSK, SurveyLink, questionnaire_key
from survey_app.respondent.plans import CHECKED, Plan, PlanCache
from survey_app.web.db import get_db

CHOICE_KINDS = ("choice", "scale11", "multiple")


@dataclass(frozen=True)
class PageState:
    """What differs from one request to the next on a survey page."""

    answers: Mapping[str, RawAnswer]  # the draft, plus what this page posted
    errors: Mapping[str, Sequence[str]] = field(default_factory=dict)  # question id -> messages
    summary: Sequence[tuple[str, str]] = ()  # (anchor, message) pairs of the error summary
    csrf_expired: bool = False
    submission_id: str | None = None
    notice: str | None = None  # a refusal shown above the questions (a kiosk's hourly ceiling)

    @property
    def has_errors(self) -> bool:
        return bool(self.summary or self.csrf_expired)


def plan_cache() -> PlanCache:
    cache = current_app.extensions.get("vises.page_plans")  # built once: setdefault would build one each time
    return cache if cache is not None else current_app.extensions.setdefault("vises.page_plans", PlanCache())


def render(
    link: SurveyLink, form_class: type[PageForm], number: int, languages: tuple[str, str], state: PageState
) -> str:
    """The page; `languages` are those of the questions and of the interface (they may differ)."""
    section, questionnaire, cache, lang = form_class.section, link.questionnaire, plan_cache(), languages[0]
    with_id = form_class.with_submission_id
    tablet = link.token if link.kind == KIOSK else None
    # The last page of a follow-up series leads to the linking step ("Continue"), never on a tablet.
    last = number == len(questionnaire.sections)
    follow_up = last and tablet is None and series.wave_of(get_db(), link.campaign["id"]) is not None
    fixed = (questionnaire_key(link.campaign), section.id, *languages, tuple(link.languages), with_id, tablet)
    page = cache.get(
        ("page", *fixed, follow_up, state.has_errors, state.csrf_expired),
        lambda: _page_html(link, form_class, number, lang, with_id, state, follow_up),
    )
    values: dict[str, object] = {
        "action": request.path,
        "csrf": csrf_token(),
        "submission_id": state.submission_id,
        "summary": _summary(state.summary) if state.summary else None,
        "account": _account() if g.get("user") else None,
        "notice": Markup('<p class="notice" role="alert">%s</p>') % state.notice if state.notice else None,
    }
    for question in section.questions:
        view = form_class.views[question.id]
        if view.condition or questionnaire.is_visible(question, state.answers):
            messages = state.errors.get(question.id, ())
            plan = _question_plan(cache, fixed, form_class, view, bool(messages))
            filled = question_values(view, state.answers.get(question.id), messages)
            values[f"q:{question.id}"] = plan.fill(filled)  # = hole_name("q", question.id)
    return page.fill(values)


def question_values(view: QuestionView, raw: RawAnswer, messages: Sequence[str]) -> dict[str, object]:
    """The holes of one question: chosen options, typed text, "don't know" box, error message."""
    values: dict[str, object] = {"message": " ".join(str(m) for m in messages)} if messages else {}
    if view.kind in CHOICE_KINDS:
        for value in raw if isinstance(raw, list) else [raw]:
            if value is not None:
                values[f"checked:{value}"] = CHECKED  # = hole_name("checked", value)
    elif raw == DONT_KNOW and view.dont_know_name:
        values["dk_checked"] = CHECKED
    elif isinstance(raw, str):
        values["value"] = raw.replace("\x00", "")  # a NUL is refused, never echoed back
    return values


def _question_plan(cache: PlanCache, fixed: tuple, form_class: type[PageForm], view: QuestionView, error: bool) -> Plan:
    def html() -> str:
        form = form_class(formdata=None, meta={"csrf": False})
        return str(get_template_attribute("_survey_fields.html", "question")(form, view, error))

    return cache.get(("question", *fixed, view.question.id, error), html)


def _page_html(
    link: SurveyLink,
    form_class: type[PageForm],
    number: int,
    lang: str,
    with_id: bool,
    state: PageState,
    follow_up: bool,
) -> str:
    total = len(link.questionnaire.sections)
    return render_template(
        "respondent/page.html",
        questions=form_class.section.questions,
        languages=link.languages,
        number=number,
        total=total,
        last=number == total,
        follow_up=follow_up,
        with_submission_id=with_id,
        page_has_errors=state.has_errors,
        csrf_expired=state.csrf_expired,
        section_title=translate(form_class.section.title, lang),
        section_intro=translate(form_class.section.intro, lang) if form_class.section.intro else "",
        title=translate(link.questionnaire.title, lang),
        lang=lang,
    )


def _summary(items: Sequence[tuple[str, str]]) -> Markup:
    return Markup(get_template_attribute("_forms.html", "error_summary_items")(items, autofocus=True))


def _account() -> Markup:
    return Markup(get_template_attribute("_forms.html", "logout_form")())
