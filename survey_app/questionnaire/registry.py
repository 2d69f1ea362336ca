"""Questionnaire and instrument versions known to the application.

At start-up every file in the questionnaires folder (and its instruments/ folder) is validated and
its (id, version) registered in the database with its content hash and source. A registered
version never changes: changing a file's content without bumping its version stops start-up. Older
versions, still used by past campaigns, are rebuilt from the source kept in the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from survey_app.core.timeutil import iso_utc
from survey_app.questionnaire.instruments import Instrument, load_instrument, parse_instrument
from survey_app.questionnaire.loader import (
    Problem,
    QuestionnaireError,
    load_framework,
    load_questionnaire,
    parse_questionnaire,
    read_toml,
)
from survey_app.questionnaire.model import Framework, Questionnaire
from survey_app.storage.db import write_transaction

QUESTIONNAIRES_DIR = Path(__file__).resolve().parents[2] / "questionnaires"
FRAMEWORK_FILE = "framework.toml"
INSTRUMENTS_DIR = "instruments"
Versioned = Questionnaire | Instrument


@dataclass
class Registry:
    framework: Framework
    versions: dict[tuple[str, int], Questionnaire] = field(default_factory=dict)
    instruments: dict[tuple[str, int], Instrument] = field(default_factory=dict)

    def get(self, questionnaire_id: str, version: int) -> Questionnaire | None:
        return self.versions.get((questionnaire_id, version))

    def latest(self, stakeholder_group: str) -> Questionnaire | None:
        """The newest version of the questionnaire for a stakeholder group."""
        candidates = [q for q in self.versions.values() if q.stakeholder_group == stakeholder_group]
        return max(candidates, key=lambda q: (q.id == stakeholder_group, q.version), default=None)

    def all(self) -> list[Questionnaire]:
        return sorted(self.versions.values(), key=lambda q: (q.id, q.version))

    def instrument(self, instrument_id: str, version: int | None = None) -> Instrument | None:
        """A registered instrument version, or its newest version when `version` is None."""
        if version is not None:
            return self.instruments.get((instrument_id, version))
        versions = [i for (iid, _v), i in self.instruments.items() if iid == instrument_id]
        return max(versions, key=lambda i: i.version, default=None)

    def all_instruments(self) -> list[Instrument]:
        return sorted(self.instruments.values(), key=lambda i: (i.id, i.version))

    def latest_instruments(self) -> list[Instrument]:
        """The newest version of each instrument (what new campaigns and the methodology show)."""
        newest = {i.id: i for i in self.all_instruments()}
        return list(newest.values())

    def instruments_for(self, pinned: Iterable[tuple[str, int]]) -> list[Instrument]:
        """The pinned (id, version) instruments of a campaign, in its order; unknown ones left out."""
        found = (self.instruments.get((iid, version)) for iid, version in pinned)
        return [i for i in found if i is not None]


def questionnaire_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.toml") if p.name != FRAMEWORK_FILE)


def instrument_files(folder: Path) -> list[Path]:
    return sorted((folder / INSTRUMENTS_DIR).glob("*.toml"))


def load_file(path: Path, framework: Framework) -> Versioned:
    """A questionnaire or an instrument file (instruments live in instruments/ or carry a citation)."""
    if path.parent.name == INSTRUMENTS_DIR or "citation" in read_toml(path)[0]:
        return load_instrument(path, framework)
    return load_questionnaire(path, framework)


def _collect(kind: str, paths: list[Path], load, framework: Framework, problems: list[Problem]) -> list[Any]:
    loaded = []
    for path in paths:
        try:
            loaded.append(load(path, framework))
        except QuestionnaireError as exc:
            problems.extend(exc.problems)
    seen: set[tuple[str, int]] = set()
    for item in loaded:
        if (item.id, item.version) in seen:
            problems.append(
                Problem(
                    str(paths[0].parent),
                    f"{kind} '{item.id}'",
                    f"version {item.version} is defined by two files",
                    f"keep one file per {kind} id",
                )
            )
        seen.add((item.id, item.version))
    return loaded


def load_files(folder: Path) -> tuple[Framework, list[Questionnaire]]:
    """Validate the framework and every questionnaire file; raise with every problem found."""
    framework, questionnaires, _ = load_all(folder)
    return framework, questionnaires


def load_all(folder: Path) -> tuple[Framework, list[Questionnaire], list[Instrument]]:
    """The framework, every questionnaire file and every instrument file, validated together."""
    framework = load_framework(folder / FRAMEWORK_FILE)
    problems: list[Problem] = []
    questionnaires = _collect("questionnaire", questionnaire_files(folder), load_questionnaire, framework, problems)
    instruments = _collect("instrument", instrument_files(folder), load_instrument, framework, problems)
    if problems:
        raise QuestionnaireError(problems)
    return framework, questionnaires, instruments


def register(db: Database, folder: Path, now: datetime) -> Registry:
    """Load the files, refuse silent edits of registered versions, store new versions."""
    framework, questionnaires, instruments = load_all(folder)
    registry = Registry(framework)
    with write_transaction(db):
        problems = _store(db, "questionnaire", questionnaires, folder, now)
        problems += _store(db, "instrument", instruments, folder / INSTRUMENTS_DIR, now)
        if problems:
            raise QuestionnaireError(problems)
    registry.versions.update({(q.id, q.version): q for q in questionnaires})
    registry.instruments.update({(i.id, i.version): i for i in instruments})
    for row in db.query("SELECT id, version, source FROM questionnaire"):
        if (row["id"], row["version"]) not in registry.versions:
            registry.versions[(row["id"], row["version"])] = parse_questionnaire(
                row["source"], f"database copy of {row['id']} version {row['version']}", framework
            )
    registry.instruments.update(stored_instruments(db, framework, skip=set(registry.instruments)))
    return registry


def stored_instruments(
    db: Database, framework: Framework | None, skip: set[tuple[str, int]] | None = None
) -> dict[tuple[str, int], Instrument]:
    """Registered instrument versions rebuilt from the database (the pipeline reads them this way)."""
    return {
        (row["id"], row["version"]): parse_instrument(
            row["source"], f"database copy of instrument {row['id']} version {row['version']}", framework
        )
        for row in db.query("SELECT id, version, source FROM instrument")
        if (row["id"], row["version"]) not in (skip or set())
    }


def _store(db: Database, table: str, loaded: Sequence[Versioned], folder: Path, now: datetime) -> list[Problem]:
    """Insert new versions; a problem for each registered version whose content changed."""
    stored = {
        (r["id"], r["version"]): r["content_hash"] for r in db.query(f"SELECT id, version, content_hash FROM {table}")
    }
    problems = []
    for item in loaded:
        known = stored.get((item.id, item.version))
        if known is None:
            row = {"id": item.id, "version": item.version, "content_hash": item.content_hash, "source": item.source}
            if isinstance(item, Questionnaire):
                row["stakeholder_group"] = item.stakeholder_group
            db.table(table).insert({**row, "registered_at": iso_utc(now)})
        elif known != item.content_hash:
            newest = max(v for (i, v) in stored if i == item.id) + 1
            problems.append(
                Problem(
                    str(folder / f"{item.id}.toml"),
                    f"{table} '{item.id}' version {item.version}",
                    "this version is already registered with different content, and campaigns may rely on it",
                    f"set version = {newest} to publish the change as a new version "
                    "(or restore the registered content)",
                )
            )
    return problems
