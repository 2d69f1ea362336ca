"""What was published for each wave, and which waves a run publishes again (`published_wave`).

A wave is recomputed when its kept sums changed (a new generation), when it closed, when the
privacy threshold changed, or when it was never published. **Open waves move in steps**: once an open
wave's figures were shown (at least `min_group_size` respondents), they change only when at least
`min_group_size` respondents arrived (or left) since they were published, so two published figures
never differ by fewer than `min_group_size` people; closing the wave publishes its final figures.
The rule holds in every kind of run, `--full` included (a held wave keeps its published rows).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database

from pipeline.model import CampaignInfo


@dataclass(frozen=True, slots=True)
class Published:
    generation: int  # generation of the kept sums behind the published figures
    respondents: int
    closed: bool
    min_group: int
    previous_id: int | None  # the wave its trend was compared with
    texts: bool  # testimonies were published (the wave had at least min_group respondents)
    texts_watermark: int | None = None  # the stored testimonies are those of its responses up to this id
    rebuilds: int | None = None  # score_campaign.rebuilds when they were read (a rebuild reads them all again)


def load_published(db: Database) -> dict[int, Published]:
    return {
        row[0]: Published(row[1], row[2], bool(row[3]), row[4], row[5], bool(row[6]), row[7], row[8])
        for row in db.execute(
            "SELECT campaign_id, generation, respondents, closed, min_group, previous_id, texts, texts_watermark, "
            "rebuilds FROM published_wave"
        )
    }


def held(campaign: CampaignInfo, respondents: int, published: Published | None, min_group: int) -> bool:
    """True when an open wave keeps its published figures: 1 to min_group - 1 arrived or left since.

    With the same respondents the figures are the same (recomputing them reveals nothing).
    """
    return (
        not campaign.closed
        and published is not None
        and published.min_group == min_group
        and published.respondents >= min_group
        and 0 < abs(respondents - published.respondents) < min_group
    )


def due(
    campaign: CampaignInfo, state: tuple[int, int], published: Published | None, min_group: int, everything: bool
) -> bool:
    """Whether the wave's figures are computed in this run (before the hold rule)."""
    respondents, generation = state
    if everything or published is None:
        return True
    return (
        published.generation != generation
        or published.respondents != respondents
        or published.closed != campaign.closed
        or published.min_group != min_group
    )


def texts_to_read(
    respondents: int, state_changed: bool, published: Published | None, min_group: int, rebuilds: int
) -> str:
    """'read' the free texts again, 'add' those of the responses above the stored ones, 'keep' the
    stored testimonies, or 'none' (too few respondents).

    Adding is enough when the kept sums only grew since the texts were read: an erased response's
    testimonies go with it (ON DELETE CASCADE), and a response that appears with an id at or below
    a watermark (ids are reused after the highest is erased) makes the batch rebuild the campaign,
    which counts in `rebuilds`, as does a `--full` reset: then every text is read again.
    """
    if respondents < min_group:
        return "none"
    if published is None or not published.texts:
        return "read"
    if not state_changed:
        return "keep"
    if published.texts_watermark is None or published.rebuilds != rebuilds:
        return "read"
    return "add"


def save_published(
    db: Database,
    rows: Iterable[tuple[int, int, int, bool, int, int | None, bool, int | None, int | None]],
    previous: Iterable[tuple[int | None, int]],
    run_id: int,
) -> None:
    """Record the published waves (inside the caller's transaction) and every wave's trend partner."""
    db.conn.executemany(
        "INSERT OR REPLACE INTO published_wave (campaign_id, generation, respondents, closed, min_group, "
        "previous_id, texts, texts_watermark, rebuilds, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (cid, gen, resp, int(closed), mg, prev, int(texts), texts_watermark, rebuilds, run_id)
            for cid, gen, resp, closed, mg, prev, texts, texts_watermark, rebuilds in rows
        ],
    )
    db.conn.executemany("UPDATE published_wave SET previous_id = ? WHERE campaign_id = ?", previous)
