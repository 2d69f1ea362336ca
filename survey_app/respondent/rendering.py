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

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field

from flask import current_app, g, get_template_attribute, render_template, request
from markupsafe import Markup
from sqlite_utils import Database

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


@dataclass(frozen=True)
class PageRequest:
    """What a survey page depends on besides its state: the link, the page, the languages (of the
    questions, of the interface), whether it leads to a follow-up, and the request's own parts."""

    link: SurveyLink
    form_class: type[PageForm]
    number: int
    languages: tuple[str, str]
    follow_up: bool
    action: str  # the page's own address (its form posts back to it)
    csrf: str  # the visitor's signed CSRF token
    account: Markup | None = None  # a signed-in user's sign-out form


# How fill() gets a plan: PlanCache.get (renders a missing one) or PlanCache.peek (None if missing).
PlanSource = Callable[[Hashable, Callable[[], str]], Plan | None]


def render(
    link: SurveyLink, form_class: type[PageForm], number: int, languages: tuple[str, str], state: PageState
) -> str:
    """The page; `languages` are those of the questions and of the interface (they may differ)."""
    tablet = link.token if link.kind == KIOSK else None
    page = PageRequest(
        link,
        form_class,
        number,
        languages,
        follows_up(get_db(), link, number, tablet),
        request.path,
        csrf_token(),
        _account() if g.get("user") else None,
    )
    filled = fill(page, state, plan_cache().get)
    assert filled is not None  # PlanCache.get renders what is missing
    return filled


def follows_up(db: Database, link: SurveyLink, number: int, tablet: str | None = None) -> bool:
    """The last page of a follow-up series leads to the linking step ("Continue"), never on a tablet."""
    if number != len(link.questionnaire.sections) or tablet is not None:
        return False
    return link.in_series if link.in_series is not None else series.wave_of(db, link.campaign["id"]) is not None


def fill(page: PageRequest, state: PageState, plans: PlanSource) -> Markup | None:
    """The page's plans filled in with the request's parts; None when `plans` lacks one."""
    link, form_class, lang = page.link, page.form_class, page.languages[0]
    section, questionnaire = form_class.section, link.questionnaire
    with_id = form_class.with_submission_id
    tablet = link.token if link.kind == KIOSK else None
    fixed = (questionnaire_key(link.campaign), section.id, *page.languages, tuple(link.languages), with_id, tablet)
    plan = plans(
        ("page", *fixed, page.follow_up, state.has_errors, state.csrf_expired),
        lambda: _page_html(link, form_class, page.number, lang, with_id, state, page.follow_up),
    )
    if plan is None:
        return None
    values: dict[str, object] = {
        "action": page.action,
        "csrf": page.csrf,
        "submission_id": state.submission_id,
        "summary": _summary(state.summary) if state.summary else None,
        "account": page.account,
        "notice": Markup('<p class="notice" role="alert">%s</p>') % state.notice if state.notice else None,
    }
    for question in section.questions:
        view = form_class.views[question.id]
        if view.condition or questionnaire.is_visible(question, state.answers):
            messages = state.errors.get(question.id, ())
            question_plan = plans(
                ("question", *fixed, view.question.id, bool(messages)), _question_html(form_class, view, bool(messages))
            )
            if question_plan is None:
                return None
            filled = question_values(view, state.answers.get(question.id), messages)
            values[f"q:{question.id}"] = question_plan.fill(filled)  # = hole_name("q", question.id)
    return plan.fill(values)


def shown_answers(form_class: type[PageForm], answers: Mapping[str, RawAnswer]) -> dict[str, RawAnswer]:
    """The draft's answers and, for questions not answered yet, their default (XLSForm `default`)."""
    defaults = {q.id: q.default_answer() for q in form_class.section.questions if q.answerable and q.id not in answers}
    return {**{k: v for k, v in defaults.items() if v is not None}, **answers}


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


def _question_html(form_class: type[PageForm], view: QuestionView, error: bool) -> Callable[[], str]:
    def html() -> str:
        form = form_class(formdata=None, meta={"csrf": False})
        return str(get_template_attribute("_survey_fields.html", "question")(form, view, error))

    return html


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
