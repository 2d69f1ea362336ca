"""Reading the kept sums (sums.py writes them): per campaign, its respondents and generation, its
indicator sums with the published score's sums and band counts, and its answer counts, for the
waves a run publishes (plan.py), inside the run's read snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlite_utils import Database

from pipeline.model import IndicatorSums, OptionCount
from pipeline.read import temp_ids
from pipeline.scoring import SPLIT


def campaign_state(db: Database) -> dict[int, tuple[int, int]]:
    """campaign id -> (respondents scored, generation of its sums)."""
    return {r[0]: (r[1], r[2]) for r in db.execute("SELECT campaign_id, responses, generation FROM score_campaign")}


def rebuild_counts(db: Database) -> dict[int, int]:
    """campaign id -> how many times its sums were rebuilt from the raw answers (or reset by --full)."""
    return dict(db.execute("SELECT campaign_id, rebuilds FROM score_campaign").fetchall())


def _select_for(db: Database, sql: str, campaign_ids: Sequence[int]) -> Iterable[tuple]:
    """Rows of `sql` (which has a `campaign_id IN todo` slot) for the given campaigns."""
    temp_ids(db, "pipeline_todo", campaign_ids)
    return db.execute(sql.format(todo="SELECT campaign_id FROM temp.pipeline_todo"))


def _squares(high: int, cross: int, low: int) -> int:
    return high * SPLIT * SPLIT + 2 * cross * SPLIT + low


def load_sums(db: Database, campaign_ids: Sequence[int]) -> dict[int, list[IndicatorSums]]:
    """Kept indicator sums of the campaigns, squares recombined into exact Python integers, with the
    published score's sums and band counts where the indicator declares a scoring."""
    bands: dict[tuple[int, str], dict[str, int]] = {}
    for cid, indicator, band, count in _select_for(
        db,
        "SELECT campaign_id, indicator, band, count FROM score_band_count WHERE campaign_id IN ({todo})",
        campaign_ids,
    ):
        bands.setdefault((cid, indicator), {})[band] = count
    out: dict[int, list[IndicatorSums]] = {}
    rows = _select_for(
        db,
        "SELECT campaign_id, indicator, n, total, squares_high, squares_cross, squares_low, favourable, "
        "published_total, published_high, published_cross, published_low "
        "FROM score_sums WHERE campaign_id IN ({todo}) ORDER BY campaign_id, indicator",
        campaign_ids,
    )
    for cid, indicator, n, total, high, cross, low, favourable, p_total, p_high, p_cross, p_low in rows:
        published = None if p_total is None else (p_total, _squares(p_high, p_cross, p_low))
        out.setdefault(cid, []).append(
            IndicatorSums(
                indicator, n, total, _squares(high, cross, low), favourable, published, bands.get((cid, indicator), {})
            )
        )
    return out


def load_options(db: Database, campaign_ids: Sequence[int]) -> dict[int, list[OptionCount]]:
    out: dict[int, list[OptionCount]] = {}
    rows = _select_for(
        db,
        "SELECT campaign_id, question_id, value_num, value_text, count FROM option_count "
        "WHERE campaign_id IN ({todo}) AND count > 0 ORDER BY campaign_id, question_id, value_num, value_text",
        campaign_ids,
    )
    for cid, question_id, value_num, value_text, count in rows:
        out.setdefault(cid, []).append(OptionCount(question_id, value_num, value_text, count))
    return out
