"""Stakeholder groups and sector groups: their codes, in display order, and their labels.

The one list of each. It lives in core, not in domain/enterprises.py where the layout guide first
put it, because the questionnaire package checks each file's `stakeholder_group` against it and
may import only core and storage; the pipeline's charts, the digest and the pages use it as well.
Codes are what the database stores (its CHECK constraints, in shipped migrations, spell them out
once more and stay as shipped). Labels are catalog msgids: `group_label`/`sector_label` translate
them for a given language, web/labels.py builds the pages' lazy labels from the same msgids.
"""

from __future__ import annotations

from survey_app.core.catalogs import translator


def N_(msgid: str) -> str:
    """Mark a msgid for `make extract-messages` (N_ is one of pybabel's keywords); translated later."""
    return msgid


GROUP_MSGIDS = {"beneficiaries": N_("Beneficiaries"), "workers": N_("Workers"), "partners": N_("Partners")}
SECTOR_MSGIDS = {
    "integration": N_("Socio-professional integration"),
    "care": N_("Services to people (care)"),
    "other": N_("Other SSE activities"),
}
STAKEHOLDER_GROUPS = tuple(GROUP_MSGIDS)
SECTOR_GROUPS = tuple(SECTOR_MSGIDS)


def group_label(group: str, language: str) -> str:
    return translator(language).gettext(GROUP_MSGIDS[group])


def sector_label(sector: str, language: str) -> str:
    return translator(language).gettext(SECTOR_MSGIDS[sector])
