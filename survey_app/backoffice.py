"""Back office: pages for enterprise managers and federation admins."""

from __future__ import annotations

from flask import Blueprint, g, render_template

from survey_app.auth import login_required
from survey_app.db import get_db

bp = Blueprint("backoffice", __name__, url_prefix="/admin")


def visible_enterprises() -> list[dict]:
    """Enterprises the signed-in user may see: all for admins, their memberships for managers."""
    db = get_db()
    if g.user["role"] == "admin":
        return list(db.query("SELECT id, slug, name, sector_group FROM enterprise ORDER BY name"))
    return list(db.query(
        "SELECT e.id, e.slug, e.name, e.sector_group FROM enterprise e "
        "JOIN membership m ON m.enterprise_id = e.id WHERE m.user_id = ? ORDER BY e.name", [g.user["id"]]))


@bp.route("/")
@login_required
def index():
    return render_template("backoffice/index.html", enterprises=visible_enterprises())
