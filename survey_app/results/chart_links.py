"""Charts as a page shows them: specs (titles, alt texts, data tables) without drawing, and image
URLs that carry the content hash, so a browser keeps an image until its chart really changes.
The image itself is drawn when its URL is first fetched (dashboard.chart)."""

from __future__ import annotations

from flask import current_app, url_for
from sqlite_utils import Database

from pipeline.charts import DRAW_LOCK, framework
from pipeline.charts.cache import HASH_CHARS
from pipeline.charts.sources import enterprise_specs
from pipeline.charts.specs import ChartSpec

__all__ = ["DRAW_LOCK", "chart", "chart_specs"]


def chart_specs(db: Database, enterprise_id: int, language: str) -> dict[str, ChartSpec]:
    min_group = current_app.config["SETTINGS"].privacy.min_group_size
    return enterprise_specs(db, framework(), enterprise_id, language, min_group)


def chart(specs: dict[str, ChartSpec], enterprise_id: int, name: str, language: str, fmt: str = "svg") -> dict | None:
    """What a template needs to show one chart: image URL, title, alt text and its data table."""
    spec = specs.get(name)
    if spec is None:
        return None
    version = spec.content_hash()[:HASH_CHARS]
    return {
        "name": name,
        "title": spec.title,
        "alt": spec.alt_text,
        "src": url_for(
            "dashboard.chart", enterprise_id=enterprise_id, language=language, name=name, fmt=fmt, v=version
        ),
        "columns": spec.columns,
        "rows": spec.rows,
    }
