"""Headline figures of one wave, as text: how many people answered, each dimension's score with
its change and its place among similar enterprises, and the Net Promoter Score.

One source for the report's summary page (HTML and PDF) and the public valorisation page. Every
figure comes from the rows `data.wave_section` prepared from stored, already-suppressed results:
a suppressed dimension reads "fewer than 5 answers", never a number.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext


def _respondents(section: dict[str, Any]) -> dict[str, Any]:
    submitted = section["campaign"].get("submitted") or 0
    return {
        "kind": "respondents",
        "value": str(submitted),
        "unit": "",
        "label": ngettext("person answered", "people answered", submitted),
        "details": [_("Response rate: %(rate)s", rate=section["response_rate"])],
        "suppressed": False,
    }


def _suppressed(kind: str, row: dict[str, Any]) -> dict[str, Any]:
    return {"kind": kind, "value": row["note"], "unit": "", "label": row["label"], "details": [], "suppressed": True}


def _dimension(row: dict[str, Any]) -> dict[str, Any]:
    if row["suppressed"]:
        return _suppressed("dimension", row)
    details = [_("Change since the previous wave: %(change)s", change=row["delta"])]
    if row.get("benchmark"):
        details.append(_("Similar enterprises: %(words)s", words=row["benchmark"]))
    return {
        "kind": "dimension",
        "value": row["mean"],
        "unit": _("out of 100"),
        "label": row["label"],
        "details": details,
        "suppressed": False,
    }


def _nps(row: dict[str, Any]) -> dict[str, Any]:
    if row["suppressed"]:
        return _suppressed("nps", row)
    return {
        "kind": "nps",
        "value": row["mean"],
        "unit": _("from −100 to +100"),
        "label": row["label"],
        "details": [_("Change since the previous wave: %(change)s", change=row["delta"])],
        "suppressed": False,
    }


def headlines(section: dict[str, Any]) -> list[dict[str, Any]]:
    """The wave's headline figures, in the order the summary shows them."""
    figures = [_respondents(section)]
    figures += [_dimension(row) for row in section["rows"] if row["kind"] == "dimension"]
    figures += [_nps(row) for row in section["rows"] if row["kind"] == "nps"]
    return figures
