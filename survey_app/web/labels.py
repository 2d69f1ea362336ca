"""Labels shown on pages and in exports, translated lazily in the request's language (values stay codes
in the database).

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
STATE_LABELS = {"draft": _l("Draft (not open yet)"), "open": _l("Open"), "closed": _l("Closed")}

# Answers the application provides, by stored value: agree5 stores 1-5 (AGREE5_LABELS[value - 1]),
# yes_no stores 1 or 0 (questionnaire.model.YES_NO_VALUES maps the posted "yes"/"no" to them).
AGREE5_LABELS = (
    _l("Strongly disagree"),
    _l("Disagree"),
    _l("Neither agree nor disagree"),
    _l("Agree"),
    _l("Strongly agree"),
)
YES_NO_LABELS = {1: _l("Yes"), 0: _l("No")}
DONT_KNOW_LABEL = _l("Don't know / not applicable")

# The shipped code questions of follow-up series (survey_app/domain/series_codes.py), as respondents read them.
CODE_QUESTION_LABELS = {
    "mother_initial": _l("First letter of your mother's first name"),
    "father_initial": _l("First letter of your father's first name"),
    "birth_month": _l("Your month of birth"),
    "older_siblings": _l("How many older brothers and sisters you have"),
    "younger_siblings": _l("How many younger brothers and sisters you have"),
    "birthplace_initial": _l("First letter of the town where you were born"),
}
