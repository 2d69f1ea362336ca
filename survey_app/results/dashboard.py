"""Enterprise dashboard (managers and admins): results per stakeholder group, charts, testimonies.

Every view looks the enterprise up through `scoping.enterprise_or_404`, so a manager of another
enterprise gets 404 on the page, its chart images and its hide/show actions alike.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from pipeline.charts import cache, framework
from pipeline.charts.cache import HASH_CHARS
from pipeline.charts.sources import one_spec
from survey_app.accounts import audit
from survey_app.accounts.guards import login_required, require_sign_in
from survey_app.accounts.scoping import enterprise_or_404, visible_enterprises
from survey_app.core.groups import STAKEHOLDER_GROUPS
from survey_app.core.timeutil import now_utc
from survey_app.results import data, distance, methodology, refresh, testimonies
from survey_app.web.db import get_db
from survey_app.web.i18n import current_language, offered_languages

bp = Blueprint("dashboard", __name__, url_prefix="/admin")
# Chart names come from pipeline/charts/sources.py; anything else is refused before any look-up.
CHART_NAME = re.compile(rf"(profile|indicators|nps)-c\d{{1,10}}|trends-({'|'.join(STAKEHOLDER_GROUPS)})|response-rates")
MIME = {"png": "image/png", "svg": "image/svg+xml"}


class ActionForm(FlaskForm):
    """No fields: the hide/show buttons post only their CSRF token."""


bp.before_request(require_sign_in)


@bp.get("/dashboards")
@login_required
def index():
    return render_template(
        "dashboard/index.html",
        enterprises=[
            {"name": e["name"], "url": url_for("dashboard.view", enterprise_id=e["id"])} for e in visible_enterprises()
        ],
    )


@bp.get("/enterprises/<int:enterprise_id>/dashboard")
@login_required
def view(enterprise_id: int):
    enterprise, db, language = enterprise_or_404(enterprise_id), get_db(), current_language()
    specs = data.chart_specs(db, enterprise_id, language)
    return render_template(
        "dashboard/view.html",
        enterprise=enterprise,
        sections=data.group_sections(db, enterprise, language, specs, request.args.get("wave", type=int)),
        freshness=data.freshness(db, enterprise),
        refresh_status=refresh.status(db, enterprise_id),
        refresh_form=refresh.RefreshForm(),
        rates=data.rate_rows(db, enterprise_id, language),
        rates_chart=data.chart(specs, enterprise_id, "response-rates", language),
        distance=distance.sections(db, enterprise_id, language),
    )


@bp.get("/enterprises/<int:enterprise_id>/charts/<language>/<name>.<fmt>")
@login_required
def chart(enterprise_id: int, language: str, name: str, fmt: str):
    """One chart, drawn the first time it is asked for; `?v=` (the content hash) makes it immutable."""
    enterprise_or_404(enterprise_id)
    if fmt not in MIME or language not in offered_languages() or not CHART_NAME.fullmatch(name):
        abort(404)
    settings = current_app.config["SETTINGS"]
    spec = one_spec(get_db(), framework(), enterprise_id, name, language, settings.privacy.min_group_size)
    if spec is None:
        abort(404)
    version = spec.content_hash()[:HASH_CHARS]
    current = request.args.get("v") == version
    if version in request.if_none_match:
        response = Response(status=304)
    else:
        response = Response(cache.read(settings, spec, fmt), mimetype=MIME[fmt])
    response.set_etag(version)
    # Never in a shared cache; a URL that names the current version never changes.
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable" if current else "private, no-cache"
    return response


def _testimony_action(enterprise_id: int, response_id: int, question_id: str, hide: bool):
    enterprise_or_404(enterprise_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    done = (
        testimonies.hide(get_db(), enterprise_id, response_id, question_id, g.user["id"], now_utc())
        if hide
        else testimonies.show(get_db(), enterprise_id, response_id, question_id)
    )
    if not done:
        abort(404)
    audit.record(
        "testimony.hide" if hide else "testimony.show", "testimony", f"{response_id}:{question_id}", enterprise_id
    )
    target = url_for("dashboard.view", enterprise_id=enterprise_id) + f"#t{response_id}-{question_id}"
    return redirect(target, code=303)


@bp.post("/enterprises/<int:enterprise_id>/testimonies/<int:response_id>/<question_id>/hide")
@login_required
def hide_testimony(enterprise_id: int, response_id: int, question_id: str):
    return _testimony_action(enterprise_id, response_id, question_id, hide=True)


@bp.post("/enterprises/<int:enterprise_id>/testimonies/<int:response_id>/<question_id>/show")
@login_required
def show_testimony(enterprise_id: int, response_id: int, question_id: str):
    return _testimony_action(enterprise_id, response_id, question_id, hide=False)


@bp.get("/methodology", endpoint="methodology")
@login_required
def methodology_page():
    settings = current_app.config["SETTINGS"]
    return render_template(
        "methodology/index.html",
        sections=methodology.sections(
            settings["privacy.min_group_size"],
            settings["privacy.min_peers"],
            current_app.extensions["vises.registry"].latest_instruments(),
        ),
    )
