"""Distance travelled in a run: match the linked answers of each series' closed waves, then compute
the paired results per indicator from the respondent scores the run keeps (`response_score`).

Inputs are the series' hashes (series_link, series_link_mask), the scores and the closed flags,
never a code. Only closed waves are paired: an open wave would let two successive figures differ by
one person. A series' results are rewritten only when its signature (every input, hashed) changed,
in one transaction with its pairs, so an incremental run and `--full` (which rescored everything
the same way) leave the same rows. Before and after means that would allow differencing against
another mean of the same wave are hidden (overlap.py).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import astuple

from sqlite_utils import Database

from pipeline.model import CampaignInfo
from pipeline.overlap import hide_close_means
from pipeline.paired import paired_stats
from pipeline.pairs import Linked, Pair, match
from survey_app.storage.db import write_transaction

RESULT_COLUMNS = (
    "pairs",
    "fuzzy_pairs",
    "follow_ups",
    "suppressed",
    "mean_before",
    "mean_after",
    "mean_change",
    "ci_low",
    "ci_high",
    "p_value",
    "significant",
    "improved",
    "unchanged",
    "worsened",
    "match_rate",
)


def _linked(db: Database, campaign_id: int) -> list[Linked]:
    masks: dict[int, list[str]] = defaultdict(list)
    for response_id, mask in db.execute(
        "SELECT m.response_id, m.mask_hash FROM series_link_mask m JOIN response r ON r.id = m.response_id "
        "WHERE r.campaign_id = ? ORDER BY m.response_id, m.element",
        [campaign_id],
    ):
        masks[response_id].append(mask)
    rows = db.execute(
        "SELECT l.response_id, l.code_hash FROM series_link l JOIN response r ON r.id = l.response_id "
        "WHERE r.campaign_id = ? ORDER BY l.response_id",
        [campaign_id],
    )
    return [Linked(rid, code_hash, tuple(masks[rid])) for rid, code_hash in rows]


def _scores(db: Database, campaign_id: int) -> dict[tuple[int, str], float]:
    # Through the campaign's responses (index response_campaign), then each one's scores by key:
    # response_score has no index on campaign_id, and scanning its 7 million rows (1M responses)
    # for each wave of a series took seconds.
    rows = db.execute(
        "SELECT s.response_id, s.indicator, s.score FROM response r "
        "JOIN response_score s ON s.response_id = r.id WHERE r.campaign_id = ?",
        [campaign_id],
    )
    return {(rid, indicator): score for rid, indicator, score in rows}


def _responses(db: Database, campaign_id: int) -> int:
    return int(db.execute("SELECT COUNT(*) FROM response WHERE campaign_id = ?", [campaign_id]).fetchone()[0])


def wave_pair_results(db: Database, before: int, after: int, min_group: int) -> tuple[list[Pair], dict, dict]:
    """The pairs of two waves, the paired statistics of every indicator scored in both, and for each
    indicator the groups of responses (before, after) its figures come from."""
    pairs = match(_linked(db, before), _linked(db, after))
    first, second = _scores(db, before), _scores(db, after)
    follow_ups = _responses(db, after)
    indicators = sorted({i for _, i in first} & {i for _, i in second})
    results, groups = {}, {}
    for indicator in indicators:
        scored = [p for p in pairs if (p.before, indicator) in first and (p.after, indicator) in second]
        values = [(first[(p.before, indicator)], second[(p.after, indicator)]) for p in scored]
        fuzzy = sum(p.fuzzy for p in scored)
        results[indicator] = paired_stats(values, len(pairs), fuzzy, follow_ups, min_group)
        groups[indicator] = (frozenset(p.before for p in scored), frozenset(p.after for p in scored))
    return pairs, results, groups


def _whole_waves(db: Database, wave_ids: Iterable[int]) -> dict[tuple[int, str], frozenset[int]]:
    """Every wave's scored respondents per indicator: the groups of its published indicator means."""
    found: dict[tuple[int, str], set[int]] = defaultdict(set)
    for campaign_id in wave_ids:
        for response_id, indicator in _scores(db, campaign_id):
            found[(campaign_id, indicator)].add(response_id)
    return {key: frozenset(group) for key, group in found.items()}


def _series_waves(db: Database, closed: dict[int, bool]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for series_id, campaign_id in db.execute(
        "SELECT sc.series_id, sc.campaign_id FROM series_campaign sc JOIN series s ON s.id = sc.series_id "
        "WHERE s.state != 'erased' ORDER BY sc.series_id, sc.position"
    ):
        if campaign_id in closed:
            out[series_id].append(campaign_id)
    return out


def update(db: Database, campaigns: Iterable[CampaignInfo], min_group: int) -> int:
    """Recompute the series whose inputs changed; returns how many series were rewritten."""
    closed = {c.id: c.closed for c in campaigns}
    rewritten = 0
    for series_id, wave_ids in sorted(_series_waves(db, closed).items()):
        done = [c for c in wave_ids if closed[c]]
        raw = {(a, b): wave_pair_results(db, a, b, min_group) for i, a in enumerate(done) for b in done[i + 1 :]}
        shown = hide_close_means(
            {k: v[1] for k, v in raw.items()}, {k: v[2] for k, v in raw.items()}, _whole_waves(db, done), min_group
        )
        computed = {k: (raw[k][0], shown[k]) for k in raw}
        signature = hashlib.sha256(
            json.dumps(
                [
                    min_group,
                    [
                        [a, b, [astuple(p) for p in pairs], {k: astuple(v) for k, v in res.items()}]
                        for (a, b), (pairs, res) in sorted(computed.items())
                    ],
                ],
                sort_keys=True,
            ).encode()
        ).hexdigest()
        old = db.execute("SELECT signature FROM series_signature WHERE series_id = ?", [series_id]).fetchone()
        if old and old[0] == signature:
            continue
        _save(db, series_id, computed, signature)
        rewritten += 1
    return rewritten


def _save(db: Database, series_id: int, computed: dict, signature: str) -> None:
    with write_transaction(db):
        db.execute("DELETE FROM series_pair WHERE series_id = ?", [series_id])
        db.execute("DELETE FROM paired_result WHERE series_id = ?", [series_id])
        for (before, after), (pairs, results) in computed.items():
            db.conn.executemany(
                "INSERT INTO series_pair (series_id, from_response, to_response, fuzzy) VALUES (?, ?, ?, ?)",
                [(series_id, p.before, p.after, int(p.fuzzy)) for p in pairs],
            )
            placeholders = ", ".join("?" * (4 + len(RESULT_COLUMNS)))
            db.conn.executemany(
                f"INSERT INTO paired_result (series_id, from_campaign_id, to_campaign_id, indicator, "
                f"{', '.join(RESULT_COLUMNS)}) VALUES ({placeholders})",
                [
                    (series_id, before, after, indicator, *[_cell(getattr(s, c)) for c in RESULT_COLUMNS])
                    for indicator, s in results.items()
                ],
            )
        db.execute(
            "INSERT INTO series_signature (series_id, signature) VALUES (?, ?) "
            "ON CONFLICT (series_id) DO UPDATE SET signature = excluded.signature",
            [series_id, signature],
        )


def _cell(value: object) -> object:
    return int(value) if isinstance(value, bool) else value
