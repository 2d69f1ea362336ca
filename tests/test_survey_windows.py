"""Campaign windows with frozen time around daylight-saving changes, in the campaign's timezone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

BRUSSELS = ZoneInfo("Europe/Brussels")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


@pytest.fixture
def spring_campaign(seed):
    """Opens Sunday 29 March 2026 at 09:00 Brussels, the day clocks go forward (UTC+1 -> UTC+2);
    closes Sunday 25 October 2026 at 18:00 Brussels, the day they go back."""
    campaign = seed.campaign(
        seed.enterprise(),
        opens_at=local(2026, 3, 29, 9, 0),
        closes_at=local(2026, 10, 25, 18, 0),
        timezone_name="Europe/Brussels",
    )
    return seed.links(campaign, 1)[0]


@pytest.mark.parametrize(
    "instant, status",
    [
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), 404),  # 01:59 CET, before the change
        (datetime(2026, 3, 29, 6, 59, 59, tzinfo=UTC), 404),  # 08:59:59 CEST: not yet open
        (datetime(2026, 3, 29, 7, 0, tzinfo=UTC), 200),  # 09:00 CEST: opens (08:00 UTC would be wrong)
        (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), 200),
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), 200),  # 02:30 CEST, first pass
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), 200),  # 02:30 CET, second pass
        (datetime(2026, 10, 25, 16, 59, 59, tzinfo=UTC), 200),  # 17:59:59 CET
        (datetime(2026, 10, 25, 17, 0, tzinfo=UTC), 404),  # 18:00 CET: closed
    ],
)
def test_window_follows_the_campaign_timezone(client, spring_campaign, instant, status):
    with freeze_time(instant):
        assert client.get(f"/s/{spring_campaign}").status_code == status


def test_closing_time_is_shown_in_local_time_after_the_change(client, spring_campaign):
    with freeze_time(datetime(2026, 10, 25, 9, 0, tzinfo=UTC)):
        html = client.get(f"/s/{spring_campaign}?lang=en").get_data(as_text=True)
    assert "25 October 2026, 18:00" in html


def test_paris_campaign_answers_like_brussels_local_time(client, seed):
    paris = ZoneInfo("Europe/Paris")
    campaign = seed.campaign(
        seed.enterprise(),
        opens_at=datetime(2026, 3, 28, 23, 30, tzinfo=paris),
        closes_at=datetime(2026, 3, 29, 3, 30, tzinfo=paris),
        timezone_name="Europe/Paris",
    )
    token = seed.links(campaign, 1)[0]
    # 03:30 Paris on 29 March is 01:30 UTC (CEST); 01:29 UTC is still open.
    with freeze_time(datetime(2026, 3, 29, 1, 29, tzinfo=UTC)):
        assert client.get(f"/s/{token}").status_code == 200
    with freeze_time(datetime(2026, 3, 29, 1, 30, tzinfo=UTC)):
        assert client.get(f"/s/{token}").status_code == 404
