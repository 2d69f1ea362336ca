"""Back office: pages for enterprise managers and federation admins, under /admin.

This blueprint is the parent of every back-office section (accounts, enterprises, campaigns,
links, invitations, exports), so the sign-in check below guards them all, even a view that
forgot its decorator.
"""

from __future__ import annotations

from flask import Blueprint, g, render_template

from survey_app.accounts.guards import INTERVIEWER, for_interviewers, login_required, require_sign_in
from survey_app.accounts.scoping import visible_campaigns, visible_enterprises
from survey_app.backoffice import accounts as backoffice_accounts
from survey_app.backoffice import audit_trail as backoffice_audit
from survey_app.backoffice import campaigns as backoffice_campaigns
from survey_app.backoffice import enterprises as backoffice_enterprises
from survey_app.backoffice import exports as backoffice_exports
from survey_app.backoffice import invitations as backoffice_invitations
from survey_app.backoffice import kiosks as backoffice_kiosks
from survey_app.backoffice import links as backoffice_links
from survey_app.backoffice import mail_texts as backoffice_mail_texts
from survey_app.backoffice import public_pages as backoffice_public_pages
from survey_app.backoffice import series as backoffice_series
from survey_app.backoffice import xlsforms as backoffice_xlsforms
from survey_app.core import timeutil
from survey_app.domain.campaigns import campaign_state
from survey_app.web.labels import STATE_LABELS

bp = Blueprint("backoffice", __name__, url_prefix="/admin")
for section in (
    backoffice_accounts,
    backoffice_enterprises,
    backoffice_campaigns,
    backoffice_links,
    backoffice_invitations,
    backoffice_kiosks,
    backoffice_exports,
    backoffice_xlsforms,
    backoffice_public_pages,
    backoffice_mail_texts,
    backoffice_audit,
    backoffice_series,
):
    bp.register_blueprint(section.bp)


@bp.context_processor
def labels() -> dict:
    return {"state_labels": STATE_LABELS}


bp.before_request(require_sign_in)


@bp.route("/")
@for_interviewers
@login_required
def index():
    now = timeutil.now_utc()
    campaigns = [{**c, "state": campaign_state(c, now)} for c in visible_campaigns()]
    if g.user["role"] == INTERVIEWER:  # answer entry only: the open campaigns of their enterprises
        return render_template("backoffice/interviewer.html", campaigns=[c for c in campaigns if c["state"] == "open"])
    return render_template("backoffice/index.html", enterprises=visible_enterprises(), campaigns=campaigns)
