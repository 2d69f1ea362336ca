"""The one call views make to the audit trail: `record("campaign.close", "campaign", id, enterprise_id)`.

It names the signed-in user (or the account being signed in, `actor_id=`) as the actor and
writes on the request's connection, so a view that records inside its write transaction keeps
the change and its entry together. The rules of what may be recorded are in storage.audit.
"""

from __future__ import annotations

from typing import Any

from flask import g

from survey_app.core.timeutil import now_utc
from survey_app.storage import audit
from survey_app.web.db import get_db


def record(
    action: str,
    object_type: str = "",
    object_id: int | str = "",
    enterprise_id: int | None = None,
    actor_id: int | None = None,
    **details: Any,
) -> None:
    user = g.get("user")
    audit.record(
        get_db(),
        action,
        now_utc(),
        actor="user",
        actor_id=actor_id if actor_id is not None else (user["id"] if user else None),
        object_type=object_type,
        object_id=object_id,
        enterprise_id=enterprise_id,
        **details,
    )
