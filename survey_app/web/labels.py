"""Labels shown on pages, translated lazily in the request's language (values stay codes in the database)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SECTOR_LABELS = {
    "integration": _l("Socio-professional integration"),
    "care": _l("Services to people (care)"),
    "other": _l("Other SSE activities"),
}
COUNTRY_LABELS = {"BE": _l("Belgium"), "FR": _l("France")}
