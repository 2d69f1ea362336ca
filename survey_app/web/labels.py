"""Labels shown on pages, translated lazily in the request's language (values stay codes in the database).

Group and sector labels come from the msgids of core.groups, the one list of both.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from survey_app.core.groups import GROUP_MSGIDS, SECTOR_MSGIDS

GROUP_LABELS = {group: _l(msgid) for group, msgid in GROUP_MSGIDS.items()}
# The campaign form says who the beneficiaries are.
GROUP_CHOICE_LABELS = {**GROUP_LABELS, "beneficiaries": _l("Beneficiaries (people supported)")}
SECTOR_LABELS = {sector: _l(msgid) for sector, msgid in SECTOR_MSGIDS.items()}
COUNTRY_LABELS = {"BE": _l("Belgium"), "FR": _l("France")}
