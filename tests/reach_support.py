"""Fixtures of the "reaching everyone" tests (easy mode, kiosks, answer entry, paper): an
interviewer of enterprise A and a frozen clock at NOW (the world's campaigns are open then)."""

from __future__ import annotations

import pytest

from tests.conftest import NOW, PASSWORD
from tests.survey_helpers import freeze


@pytest.fixture
def at_now(monkeypatch):
    """The app's clock at NOW (Wednesday 4 March 2026, 10:00 UTC): seeded campaigns are open."""
    freeze(monkeypatch, NOW)
    return NOW


@pytest.fixture
def interviewer(world, db):
    """Ines, interviewer of enterprise A (membership), signed in with the usual password."""
    from survey_app.accounts.users import create_user, set_memberships
    from survey_app.storage.db import write_transaction

    with write_transaction(db):
        user_id = create_user(db, "ines@example.org", PASSWORD, "interviewer", "en", NOW)
        set_memberships(db, user_id, [world.enterprise_a])
    world.interviewer_a = user_id
    return user_id
