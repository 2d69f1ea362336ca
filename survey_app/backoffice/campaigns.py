"""Campaign pages: create, edit, follow (live counts), close early, duplicate for the next wave."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from pipeline import refresh_queue
from survey_app.accounts import audit
from survey_app.accounts.guards import login_required
from survey_app.accounts.scoping import campaign_or_404, enterprise_or_404
from survey_app.backoffice.campaign_forms import LATEST, CampaignForm
from survey_app.backoffice.campaign_stats import campaign_counts
from survey_app.backoffice.confirm import confirmation_page, is_confirmed
from survey_app.backoffice.custom_questions import to_form_entries
from survey_app.backoffice.entry_audit import channel_counts, entry_audit
from survey_app.backoffice.forms import ButtonForm
from survey_app.core.timeutil import now_utc, to_local, to_utc
from survey_app.domain import campaigns as store
from survey_app.domain import response_rates
from survey_app.mail import reminders, texts
from survey_app.results import refresh, words
from survey_app.storage import outbox
from survey_app.storage.db import write_transaction
from survey_app.web.db import get_db
from survey_app.web.forms import required

bp = Blueprint("campaigns", __name__)


def _registry():
    return current_app.extensions["vises.registry"]


def _spec(form: CampaignForm, enterprise_id: int) -> store.CampaignSpec:
    tz = form.timezone.data
    return store.CampaignSpec(
        enterprise_id=enterprise_id,
        stakeholder_group=form.stakeholder_group.data,
        questionnaire_id=required(form.chosen).id,
        questionnaire_version=required(form.chosen).version,
        title=required(form.title.data).strip(),
        opens_at=to_utc(required(form.opens_at.data), tz),
        closes_at=to_utc(required(form.closes_at.data), tz),
        timezone=tz,
        languages=tuple(required(form.languages.data)),
        evaluative_question=(form.evaluative_question.data or "").strip(),
        expected_population=form.expected_population.data,
        custom_questions=tuple(form.custom_questions),
        instruments=tuple((i.id, i.version) for i in form.chosen_instruments),
        responses_exportable=bool(form.responses_exportable.data),
        easy_mode=bool(form.easy_mode.data),
    )


def _plan_data(plan: reminders.Plan) -> dict:
    return {
        "reminder_count": plan.count,
        "reminder_interval_days": plan.interval_days,
        "reminder_days_before_close": plan.days_before_close,
    }


def _form_data(campaign: dict) -> dict:
    tz = campaign["timezone"]
    default = reminders.default_plan(current_app.config["SETTINGS"])
    # A campaign from before per-campaign reminders has none: saving it must not start them silently.
    plan = reminders.plan_of(get_db(), campaign["id"]) or reminders.Plan(
        0, default.interval_days, default.days_before_close
    )
    return {
        **_plan_data(plan),
        **campaign,
        "questionnaire": f"{campaign['questionnaire_id']}:{campaign['questionnaire_version']}",
        "opens_at": to_local(campaign["opens_at"], tz),
        "closes_at": to_local(campaign["closes_at"], tz),
        "languages": store.languages_of(campaign),
        "custom": to_form_entries(store.custom_questions_of(campaign)),
        "instruments": [f"{iid}:{version}" for iid, version in store.instruments_of(campaign)],
        "easy_mode": bool(campaign.get("easy_mode")),
    }


@bp.route("/enterprises/<int:enterprise_id>/campaigns/new", methods=["GET", "POST"])
@login_required
def new(enterprise_id: int):
    enterprise = enterprise_or_404(enterprise_id)
    form = CampaignForm(
        _registry(),
        data={
            "questionnaire": LATEST,
            "languages": [enterprise["default_language"]],
            "timezone": current_app.config["SETTINGS"]["i18n.timezone"],
            **_plan_data(reminders.default_plan(current_app.config["SETTINGS"])),
        },
    )
    if form.validate_on_submit():
        db = get_db()
        with write_transaction(db):
            campaign_id = store.create_campaign(db, _spec(form, enterprise_id), now_utc())
            reminders.save_plan(db, campaign_id, form.reminder_plan())
            audit.record("campaign.create", "campaign", campaign_id, enterprise_id)
        flash(_("Campaign created."))
        return redirect(url_for(".view", campaign_id=campaign_id), code=303)
    return render_template("backoffice/campaign_form.html", form=form, enterprise=enterprise, campaign=None)


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@login_required
def edit(campaign_id: int):
    campaign, db = campaign_or_404(campaign_id), get_db()
    frozen = campaign if store.has_responses(db, campaign_id) else None
    form = CampaignForm(_registry(), frozen=frozen, data=_form_data(campaign))
    if form.validate_on_submit():
        try:
            with write_transaction(db):
                store.update_campaign(db, campaign_id, _spec(form, campaign["enterprise_id"]))
                reminders.save_plan(db, campaign_id, form.reminder_plan())
                audit.record("campaign.edit", "campaign", campaign_id, campaign["enterprise_id"])
        except store.FrozenCampaign:
            form.questionnaire.errors.append(  # type: ignore[attr-defined]  # a list once validated; stubs: Sequence
                _(
                    "This campaign received a response meanwhile: its "
                    "questionnaire and custom questions can no longer change."
                )
            )
        else:
            flash(_("Saved."))
            return redirect(url_for(".view", campaign_id=campaign_id), code=303)
    return render_template(
        "backoffice/campaign_form.html",
        form=form,
        campaign=campaign,
        frozen=frozen,
        enterprise={"id": campaign["enterprise_id"], "name": campaign["enterprise_name"]},
    )


def series_of(db, campaign_id: int) -> dict | None:
    """The follow-up series of the campaign (same enterprise by construction), with the wave's place."""
    row = db.execute(
        "SELECT s.id, s.name, sc.position FROM series_campaign sc JOIN series s ON s.id = sc.series_id "
        "WHERE sc.campaign_id = ?",
        [campaign_id],
    ).fetchone()
    return {"id": row[0], "name": row[1], "wave": row[2] + 1} if row else None


@bp.route("/campaigns/<int:campaign_id>")
@login_required
def view(campaign_id: int):
    campaign, db, now = campaign_or_404(campaign_id), get_db(), now_utc()
    tz = campaign["timezone"]
    return render_template(
        "backoffice/campaign.html",
        campaign=campaign,
        button=ButtonForm(),
        state=store.campaign_state(campaign, now),
        counts=campaign_counts(db, campaign),
        rate=words.response_rate(response_rates.for_campaign(db, campaign)),
        mail=outbox.campaign_progress(db, campaign_id),
        # Kept on the address until it is erased (the outbox forgets finished rows after a week).
        failed_mails=db.execute(
            "SELECT count(last_error) FROM invitation_email WHERE campaign_id = ?", [campaign_id]
        ).fetchone()[0],
        mail_server=outbox.state(db),
        reminders=reminders.schedule(db, campaign, reminders.plan_of(db, campaign_id), now),
        opens=to_local(campaign["opens_at"], tz),
        closes=to_local(campaign["closes_at"], tz),
        custom_questions=store.custom_questions_of(campaign),
        instruments=_registry().instruments_for(store.instruments_of(campaign)),
        entry_audit=entry_audit(get_db(), campaign_id),
        channels=channel_counts(get_db(), campaign_id),
        series=series_of(db, campaign_id),
    )


@bp.route("/campaigns/<int:campaign_id>/close", methods=["POST"])
@login_required
def close(campaign_id: int):
    campaign, db = campaign_or_404(campaign_id), get_db()
    back = url_for(".view", campaign_id=campaign_id)
    if not is_confirmed():
        return confirmation_page(
            _("Close the campaign %(title)s now?", title=campaign["title"]),
            [
                _("Its personal links and its open link stop accepting answers at once, before its closing date."),
                _("Answers already sent are kept. A closed campaign cannot be opened again."),
            ],
            _("Yes, close the campaign"),
            back,
        )
    with write_transaction(db):
        closed = store.close_campaign(db, campaign_id, now_utc())
        if closed:
            audit.record("campaign.close", "campaign", campaign_id, campaign["enterprise_id"])
            # Its final figures are computed now, not at the next weekly refresh.
            refresh_queue.enqueue(db, now_utc(), "campaign-closed", campaign["enterprise_id"], campaign_id=campaign_id)
    if closed:
        refresh.wake()
        flash(_("The campaign is closed: its links no longer accept answers. Its figures are being computed."))
    return redirect(back, code=303)


@bp.route("/campaigns/<int:campaign_id>/duplicate", methods=["POST"])
@login_required
def duplicate(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    if not ButtonForm().validate_on_submit():
        return redirect(url_for(".view", campaign_id=campaign_id), code=303)
    latest = _registry().latest(campaign["stakeholder_group"])
    version = (
        latest.version if latest and latest.id == campaign["questionnaire_id"] else campaign["questionnaire_version"]
    )
    db = get_db()
    with write_transaction(db):
        new_id = store.duplicate_campaign(db, campaign, version, now_utc())
        plan = reminders.plan_of(db, campaign_id)
        if plan:
            reminders.save_plan(db, new_id, plan)
        texts.copy_texts(db, campaign_id, new_id, now_utc())
        audit.record("campaign.duplicate", "campaign", new_id, campaign["enterprise_id"], source=campaign_id)
    flash(_("Copy created for the next wave. Check its dates and save."))
    return redirect(url_for(".edit", campaign_id=new_id), code=303)
