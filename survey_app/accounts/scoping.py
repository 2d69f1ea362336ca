"""Every back-office look-up goes through here: objects are fetched by (id AND an enterprise the
signed-in user may see), so another enterprise's campaign answers 404 whatever the URL.

Admins see every enterprise; managers only those of their memberships.
"""

from __future__ import annotations

from flask import abort, g

from survey_app.web.db import get_db


def _scope_sql(column: str) -> tuple[str, list]:
    """A SQL condition on `column` (an enterprise id) limiting rows to the user's enterprises."""
    if g.user["role"] == "admin":
        return "1 = 1", []
    return f"{column} IN (SELECT enterprise_id FROM membership WHERE user_id = ?)", [g.user["id"]]


def _one_or_404(sql: str, params: list) -> dict:
    """The one row of a scoped look-up; 404 when there is none (absent, or another enterprise's)."""
    row = next(iter(get_db().query(sql, params)), None)
    if row is None:
        abort(404)
    return row


def visible_enterprises() -> list[dict]:
    """Enterprises the signed-in user may see: all for admins, their memberships for managers."""
    condition, params = _scope_sql("id")
    return list(get_db().query(f"SELECT * FROM enterprise WHERE {condition} ORDER BY name", params))


def enterprise_or_404(enterprise_id: int) -> dict:
    condition, params = _scope_sql("id")
    return _one_or_404(f"SELECT * FROM enterprise WHERE id = ? AND {condition}", [enterprise_id, *params])


def campaign_or_404(campaign_id: int) -> dict:
    """The campaign with its enterprise's name and default language, if the user may see it."""
    condition, params = _scope_sql("c.enterprise_id")
    return _one_or_404(
        "SELECT c.*, e.name AS enterprise_name, e.default_language AS enterprise_language "
        f"FROM campaign c JOIN enterprise e ON e.id = c.enterprise_id WHERE c.id = ? AND {condition}",
        [campaign_id, *params],
    )


def visible_campaigns() -> list[dict]:
    condition, params = _scope_sql("c.enterprise_id")
    return list(
        get_db().query(
            "SELECT c.*, e.name AS enterprise_name FROM campaign c JOIN enterprise e ON e.id = c.enterprise_id "
            f"WHERE {condition} ORDER BY e.name, c.opens_at DESC",
            params,
        )
    )


def series_or_404(series_id: int) -> dict:
    """A follow-up series with its enterprise's name, if the user may see that enterprise."""
    condition, params = _scope_sql("s.enterprise_id")
    return _one_or_404(
        "SELECT s.*, e.name AS enterprise_name FROM series s JOIN enterprise e ON e.id = s.enterprise_id "
        f"WHERE s.id = ? AND {condition}",
        [series_id, *params],
    )


def visible_series() -> list[dict]:
    condition, params = _scope_sql("s.enterprise_id")
    return list(
        get_db().query(
            "SELECT s.*, e.name AS enterprise_name FROM series s JOIN enterprise e ON e.id = s.enterprise_id "
            f"WHERE {condition} ORDER BY e.name, s.created_at DESC",
            params,
        )
    )
