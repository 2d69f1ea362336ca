"""Digests of each wave's own result rows, so a run that recomputes every wave (`--all`, `--full`) can
tell which are unchanged without reading tens of thousands of stored rows back, and rewrites only
the others (`--full` also compares each wave's testimonies, which it read again, with the stored ones).

A wave's own rows are its indicator cells without their comparison fields (trend, benchmark: they
are refreshed apart), its custom results and its bands. Their digest is written with them, in the
same transaction (`save.save_all`), into `result_digest`; only the pipeline writes these tables.
The bytes hashed are marshal's format 2, made in C: it has no back-references and writes floats
as their 8 bytes, so equal rows of the same types give the same bytes in every process. Bytes can
differ for equal figures (True against 1): the wave then looks changed and is rewritten with the
same rows, which costs time but never keeps a wrong row. A wave with no stored digest (saved
before migration m130) is compared with its stored rows, as before.
"""

from __future__ import annotations

import hashlib
import marshal
from dataclasses import fields, replace
from operator import attrgetter

from sqlite_utils import Database

from pipeline.model import BandShare, CampaignResult, CustomResult, IndicatorValue, TextAnswer
from pipeline.read import temp_ids

_VALUE_FIELDS = [f.name for f in fields(IndicatorValue)]
PUBLISHED_COLUMNS = ["published_mean", "published_sd", "published_ci_low", "published_ci_high"]
OWN_COLUMNS = [*_VALUE_FIELDS[: _VALUE_FIELDS.index("favourable_share") + 1], *PUBLISHED_COLUMNS]  # own figures
CUSTOM_COLUMNS = [f.name for f in fields(CustomResult)]
BAND_COLUMNS = [f.name for f in fields(BandShare)]
_OWN, _CUSTOM, band_row = attrgetter(*OWN_COLUMNS), attrgetter(*CUSTOM_COLUMNS), attrgetter(*BAND_COLUMNS)
# The columns go into every digest: a change of what is compared changes every digest.
_FORMAT = hashlib.blake2b(marshal.dumps((1, OWN_COLUMNS, CUSTOM_COLUMNS, BAND_COLUMNS), 2), digest_size=16)


def digest(result: CampaignResult) -> bytes:
    rows = (tuple(map(_OWN, result.values)), tuple(map(_CUSTOM, result.custom)), tuple(map(band_row, result.bands)))
    h = _FORMAT.copy()
    h.update(marshal.dumps(rows, 2))
    return h.digest()


def save_digests(db: Database, results: list[CampaignResult]) -> None:
    """Record the digests of the waves whose rows are written (inside the caller's transaction)."""
    db.conn.executemany(
        "INSERT OR REPLACE INTO result_digest (campaign_id, digest) VALUES (?, ?)",
        [(r.campaign_id, digest(r)) for r in results],
    )


def unchanged_campaigns(db: Database, results: list[CampaignResult]) -> set[int]:
    """Recomputed campaigns whose own rows are exactly the stored ones (testimonies kept as they are)."""
    kept = [r for r in results if r.testimonies is None]
    temp_ids(db, "pipeline_same", [r.campaign_id for r in kept])
    stored = dict(
        db.conn.execute(
            "SELECT campaign_id, digest FROM result_digest "
            "WHERE campaign_id IN (SELECT campaign_id FROM temp.pipeline_same)"
        ).fetchall()
    )
    same = {r.campaign_id for r in kept if stored.get(r.campaign_id) == digest(r)}
    return same | _same_rows(db, [r for r in kept if r.campaign_id not in stored])


def keep_equal_testimonies(db: Database, results: list[CampaignResult]) -> list[CampaignResult]:
    """The results, those whose testimonies were read again and equal the stored ones (same answers,
    languages and texts) turned into results that keep the stored ones (`testimonies` None), so that
    `unchanged_campaigns` can find them unchanged. `--full` reads every wave's texts again: rewriting
    the same 55,000 testimonies was a tenth of its save step at 1M responses."""
    read = [r for r in results if r.testimonies is not None]
    temp_ids(db, "pipeline_same", [r.campaign_id for r in read])
    stored: dict[int, set[tuple]] = {r.campaign_id: set() for r in read}
    for campaign_id, *row in db.conn.execute(
        "SELECT campaign_id, response_id, question_id, language, text FROM testimony "
        "WHERE campaign_id IN (SELECT campaign_id FROM temp.pipeline_same)"
    ):
        stored[campaign_id].add(tuple(row))
    out = []
    for r in results:
        if r.testimonies is not None and _same_texts(r.testimonies, stored[r.campaign_id]):
            r = replace(r, testimonies=None)
        out.append(r)
    return out


def _same_texts(texts: tuple[TextAnswer, ...], stored: set[tuple]) -> bool:
    return len(texts) == len(stored) and stored == {(t.response_id, t.question_id, t.language, t.text) for t in texts}


def _same_rows(db: Database, results: list[CampaignResult]) -> set[int]:
    """The row comparison, for waves without a digest: stored and recomputed rows become one set
    each per table; a campaign moved when one of its rows is in their symmetric difference."""
    if not results:
        return set()
    temp_ids(db, "pipeline_same", [r.campaign_id for r in results])
    computed = (
        ("indicator_value", OWN_COLUMNS, _OWN, [v for r in results for v in r.values]),
        ("custom_result", CUSTOM_COLUMNS, _CUSTOM, [c for r in results for c in r.custom]),
        ("indicator_band", BAND_COLUMNS, band_row, [b for r in results for b in r.bands]),
    )
    moved: set[int] = set()
    for table, columns, row_of, rows in computed:
        stored = set(
            db.conn.execute(
                f"SELECT {', '.join(columns)} FROM {table} "
                "WHERE campaign_id IN (SELECT campaign_id FROM temp.pipeline_same)"
            )
        )
        moved.update(row[0] for row in stored.symmetric_difference(map(row_of, rows)))  # True == 1, same hash
    return {r.campaign_id for r in results} - moved
