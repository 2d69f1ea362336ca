"""Enterprise pages: admins create and edit enterprises; members see their campaigns and may
revoke (or give again) the enterprise's consent to appear anonymously in peer benchmarks."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from survey_app.accounts import audit
from survey_app.accounts.guards import admin_required, login_required
from survey_app.accounts.scoping import enterprise_or_404
from survey_app.backoffice.forms import ConsentForm, EnterpriseForm
from survey_app.core.timeutil import now_utc
from survey_app.domain.campaigns import campaign_state
from survey_app.domain.enterprises import create_enterprise, update_enterprise
from survey_app.storage.db import write_transaction
from survey_app.web.db import get_db
from survey_app.web.forms import required

bp = Blueprint("enterprises", __name__, url_prefix="/enterprises")


def _fields(form: EnterpriseForm) -> dict:
    return {
        "name": required(form.name.data).strip(),
        "sector_group": form.sector_group.data,
        "country": form.country.data,
        "region": (form.region.data or "").strip(),
        "default_language": form.default_language.data,
        "benchmark_consent": bool(form.benchmark_consent.data),
    }


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    form = EnterpriseForm()
    if form.validate_on_submit():
        fields, db = _fields(form), get_db()
        with write_transaction(db):
            enterprise_id = create_enterprise(
                db,
                fields.pop("name"),
                fields.pop("sector_group"),
                fields.pop("country"),
                fields.pop("default_language"),
                now_utc(),
                **fields,
            )
            audit.record("enterprise.create", "enterprise", enterprise_id, enterprise_id)
        flash(_("Enterprise created."))
        return redirect(url_for(".view", enterprise_id=enterprise_id), code=303)
    return render_template("backoffice/enterprise_form.html", form=form, enterprise=None)


@bp.route("/<int:enterprise_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(enterprise_id: int):
    enterprise = enterprise_or_404(enterprise_id)
    form = EnterpriseForm(data={**enterprise, "benchmark_consent": bool(enterprise["benchmark_consent"])})
    if form.validate_on_submit():
        db = get_db()
        with write_transaction(db):
            update_enterprise(db, enterprise_id, **_fields(form))
            audit.record("enterprise.edit", "enterprise", enterprise_id, enterprise_id)
        flash(_("Saved."))
        return redirect(url_for(".view", enterprise_id=enterprise_id), code=303)
    return render_template("backoffice/enterprise_form.html", form=form, enterprise=enterprise)


@bp.route("/<int:enterprise_id>")
@login_required
def view(enterprise_id: int):
    enterprise, now = enterprise_or_404(enterprise_id), now_utc()
    campaigns = [
        {**c, "state": campaign_state(c, now)}
        for c in get_db().query(
            "SELECT * FROM campaign WHERE enterprise_id = ? ORDER BY opens_at DESC", [enterprise_id]
        )
    ]
    consent = ConsentForm(data={"benchmark_consent": bool(enterprise["benchmark_consent"])})
    return render_template(
        "backoffice/enterprise.html",
        enterprise=enterprise,
        campaigns=campaigns,
        consent=consent,
        is_admin=g.user["role"] == "admin",
    )


@bp.route("/<int:enterprise_id>/consent", methods=["POST"])
@login_required
def consent(enterprise_id: int):
    enterprise_or_404(enterprise_id)
    form = ConsentForm()
    if form.validate_on_submit():
        db, consent = get_db(), bool(form.benchmark_consent.data)
        with write_transaction(db):
            update_enterprise(db, enterprise_id, benchmark_consent=consent)
            audit.record("enterprise.consent", "enterprise", enterprise_id, enterprise_id, consent=consent)
        flash(_("Saved."))
    return redirect(url_for(".view", enterprise_id=enterprise_id), code=303)
