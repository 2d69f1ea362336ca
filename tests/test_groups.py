"""One list of stakeholder groups and sector groups (core.groups), with the same labels outside a
request (charts, digest, PDF) and on pages (web.labels)."""

from __future__ import annotations

import pytest

from survey_app.core.groups import SECTOR_GROUPS, STAKEHOLDER_GROUPS, group_label, sector_label
from survey_app.web.labels import GROUP_LABELS, SECTOR_LABELS


def test_codes_in_display_order():
    assert STAKEHOLDER_GROUPS == ("beneficiaries", "workers", "partners")
    assert SECTOR_GROUPS == ("integration", "care", "other")


def test_labels_in_each_language():
    assert [group_label(g, "fr") for g in STAKEHOLDER_GROUPS] == ["Bénéficiaires", "Travailleurs", "Partenaires"]
    assert [group_label(g, "nl") for g in STAKEHOLDER_GROUPS] == ["Begunstigden", "Werknemers", "Partners"]
    assert sector_label("integration", "fr") == "Insertion socioprofessionnelle"
    assert sector_label("care", "en") == "Services to people (care)"


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_pages_show_the_same_labels(app, language):
    with app.test_request_context(f"/?lang={language}"):
        assert {g: str(label) for g, label in GROUP_LABELS.items()} == {
            g: group_label(g, language) for g in STAKEHOLDER_GROUPS
        }
        assert {s: str(label) for s, label in SECTOR_LABELS.items()} == {
            s: sector_label(s, language) for s in SECTOR_GROUPS
        }
