"""A parsed XLSForm in its own terms (names, choice lists, languages as ISO codes), before it
becomes a VISES questionnaire: what the `--dry-run --json` preview shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from survey_app.questionnaire.xlsform.issues import Issue

Texts = dict[str, str]  # language code -> text
MediaFiles = dict[str, Texts]  # kind -> language code -> file name

# The XLSForm type families the preview reports.
FAMILIES = ("select_one", "select_multiple", "integer", "decimal", "text", "note", "range")


@dataclass
class Choice:
    row: int
    name: str
    labels: Texts = field(default_factory=dict)
    media: MediaFiles = field(default_factory=dict)


@dataclass
class Group:
    row: int
    name: str
    labels: Texts = field(default_factory=dict)
    relevant: str | None = None


@dataclass
class Item:
    """One question row of the survey sheet (metadata rows and groups are not items)."""

    row: int
    name: str
    family: str
    list_name: str | None = None
    or_other: bool = False
    required: bool = False
    relevant: str | None = None
    labels: Texts = field(default_factory=dict)
    hints: Texts = field(default_factory=dict)
    constraint_messages: Texts = field(default_factory=dict)
    required_messages: Texts = field(default_factory=dict)
    media: MediaFiles = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)  # other columns: appearance, constraint, vises_*...
    groups: tuple[Group, ...] = ()  # enclosing groups, outermost first
    problems: list[Issue] = field(default_factory=list)  # unsupported features of this row

    @property
    def page(self) -> Group | None:
        return self.groups[0] if self.groups else None


@dataclass
class Form:
    source: str
    form_id: str
    title: Texts
    version: str
    languages: list[str]
    items: list[Item] = field(default_factory=list)
    lists: dict[str, list[Choice]] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # survey column key -> header as written

    def header(self, key: str) -> str:
        return self.headers.get(key, key)

    def choices(self, item: Item) -> list[Choice]:
        return self.lists.get(item.list_name or "", [])
