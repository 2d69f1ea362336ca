"""The manager's side of the public valorisation page, for a campaign or the whole enterprise:
publish it (opt-in), write the enterprise's own words, pick testimonies, allow indexing, revoke.

Every look-up goes through scoping first; the page itself lives in domain/public_pages.py and is
shown by results/public.py. Revoking asks for a confirmation step (backoffice/confirm.py).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from survey_app.accounts.guards import login_required
from survey_app.accounts.scoping import campaign_or_404, enterprise_or_404
from survey_app.backoffice.confirm import confirmation_page, is_confirmed
from survey_app.backoffice.forms import ButtonForm, MultiCheckboxField, choices
from survey_app.core.timeutil import now_utc
from survey_app.domain import public_pages
from survey_app.results.public import available_quotes
from survey_app.web.db import get_db
from survey_app.web.i18n import current_language

bp = Blueprint("public_pages", __name__)


class PublishForm(FlaskForm):
    consent = BooleanField(
        _l("I want to publish these results on a public page that anyone with its address can read"),
        validators=[DataRequired(message=_l("Tick the box to publish the page."))],
    )
    submit = SubmitField(_l("Publish the page"))


class PublicPageForm(FlaskForm):
    own_words = TextAreaField(
        _l("The enterprise's own words"),
        validators=[Length(max=public_pages.MAX_OWN_WORDS)],
        description=_l(
            "What readers should know: your mission, what the figures mean to you. A blank line starts a new paragraph."
        ),
    )
    quotes = MultiCheckboxField(_l("Testimonies shown on the page"))
    allow_indexing = BooleanField(_l("Let search engines list the page"))
    submit = SubmitField(_l("Save the page"))


def _public_url(page: dict[str, Any]) -> str:
    return current_app.config["SETTINGS"]["server.base_url"].rstrip("/") + url_for("public.view", token=page["token"])


def _manage(enterprise: dict[str, Any], campaign: dict[str, Any] | None, here: str, revoke_url: str):
    db, language = get_db(), current_language()
    page = public_pages.live(db, enterprise["id"], campaign["id"] if campaign else None)
    if page is None:
        publish = PublishForm()
        if publish.validate_on_submit():
            public_pages.publish(db, enterprise["id"], campaign["id"] if campaign else None, g.user["id"], now_utc())
            flash(_("The public page is published. Write your words and choose testimonies, then save."))
            return redirect(here, code=303)
        return render_template("backoffice/public_page.html", enterprise=enterprise, campaign=campaign, form=publish)
    quotes = available_quotes(db, page, language)
    chosen = [f"{r}:{q}" for r, q in public_pages.chosen_quotes(db, page["id"])]
    data = {"own_words": page["own_words"], "allow_indexing": bool(page["allow_indexing"]), "quotes": chosen}
    form = PublicPageForm(data=data)
    form.quotes.choices = choices(quotes)
    if form.validate_on_submit():
        picked = [(int(value.split(":", 1)[0]), value.split(":", 1)[1]) for value in form.quotes.data or []]
        own_words = (form.own_words.data or "").strip()
        public_pages.update(db, page["id"], own_words, bool(form.allow_indexing.data), picked, now_utc())
        flash(_("Saved."))
        return redirect(here, code=303)
    return render_template(
        "backoffice/public_page.html",
        enterprise=enterprise,
        campaign=campaign,
        page=page,
        form=form,
        public_url=_public_url(page),
        button=ButtonForm(),
        revoke_url=revoke_url,
    )


def _revoke(enterprise: dict[str, Any], campaign: dict[str, Any] | None, here: str):
    db = get_db()
    page = public_pages.live(db, enterprise["id"], campaign["id"] if campaign else None)
    if page is None:
        return redirect(here, code=303)
    if not is_confirmed():
        return confirmation_page(
            _("Take the public page down?"),
            [
                _("The address %(url)s will stop working at once, for everyone who has it.", url=_public_url(page)),
                _("You can publish a page again later: it gets a new address."),
            ],
            _("Yes, take the page down"),
            here,
        )
    public_pages.revoke(db, page["id"], now_utc())
    flash(_("The public page is taken down: its address no longer works."))
    return redirect(here, code=303)


@bp.route("/enterprises/<int:enterprise_id>/public-page", methods=["GET", "POST"])
@login_required
def enterprise_page(enterprise_id: int):
    enterprise = enterprise_or_404(enterprise_id)
    here = url_for(".enterprise_page", enterprise_id=enterprise_id)
    return _manage(enterprise, None, here, url_for(".enterprise_revoke", enterprise_id=enterprise_id))


@bp.route("/enterprises/<int:enterprise_id>/public-page/revoke", methods=["POST"])
@login_required
def enterprise_revoke(enterprise_id: int):
    enterprise = enterprise_or_404(enterprise_id)
    return _revoke(enterprise, None, url_for(".enterprise_page", enterprise_id=enterprise_id))


@bp.route("/campaigns/<int:campaign_id>/public-page", methods=["GET", "POST"])
@login_required
def campaign_page(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    enterprise = enterprise_or_404(campaign["enterprise_id"])
    here = url_for(".campaign_page", campaign_id=campaign_id)
    return _manage(enterprise, campaign, here, url_for(".campaign_revoke", campaign_id=campaign_id))


@bp.route("/campaigns/<int:campaign_id>/public-page/revoke", methods=["POST"])
@login_required
def campaign_revoke(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    enterprise = enterprise_or_404(campaign["enterprise_id"])
    return _revoke(enterprise, campaign, url_for(".campaign_page", campaign_id=campaign_id))
