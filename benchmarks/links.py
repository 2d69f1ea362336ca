"""Personal link generation: time to create N links in one bulk insert (target: 10,000 well
under 2 s), and uniqueness of tokens and short codes.

Example: .venv/bin/python benchmarks/links.py --count 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from seeding import one_campaign  # noqa: E402

from survey_app.domain.campaigns import generate_links  # noqa: E402
from survey_app.questionnaire.registry import QUESTIONNAIRES_DIR, register  # noqa: E402
from survey_app.storage.db import connect, migrate, write_transaction  # noqa: E402

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def one_run(folder: Path, count: int) -> float:
    path = folder / f"links-{time.monotonic_ns()}.db"
    migrate(path)
    db = connect(path)
    register(db, QUESTIONNAIRES_DIR, NOW)
    with write_transaction(db):
        campaign = one_campaign(db, "Bench", NOW, NOW + timedelta(days=30), NOW, group="workers", sector="other")
    started = time.perf_counter()
    with write_transaction(db):
        generate_links(db, campaign, count, NOW)
    elapsed = time.perf_counter() - started
    tokens, codes, rows = db.execute(
        "SELECT count(DISTINCT token), count(DISTINCT short_code), count(*) FROM invitation"
    ).fetchone()
    assert tokens == codes == rows == count, (tokens, codes, rows)
    db.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        times = [one_run(Path(folder), args.count) for _ in range(args.repeat)]
    print(
        f"{args.count} links: best {min(times):.3f} s, median {statistics.median(times):.3f} s "
        f"over {args.repeat} runs (tokens and short codes all unique)"
    )


if __name__ == "__main__":
    main()
