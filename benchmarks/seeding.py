"""The campaign several benchmarks measure: one enterprise with one campaign on version 1 of a
group's questionnaire, created inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime


def one_campaign(
    db, title: str, opens: datetime, closes: datetime, now: datetime, group="beneficiaries", sector="integration"
) -> int:
    """Create "<title> Coop" and its campaign `title` (open link on); return the campaign id."""
    from survey_app.domain.campaigns import CampaignSpec, create_campaign
    from survey_app.domain.enterprises import create_enterprise

    enterprise = create_enterprise(db, f"{title} Coop", sector, "BE", "fr", now)
    spec = CampaignSpec(enterprise, group, group, 1, title, opens, closes, "Europe/Brussels")
    return create_campaign(db, spec, now)
