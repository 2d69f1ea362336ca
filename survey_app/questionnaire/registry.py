"""Questionnaire and instrument versions known to the application.

At start-up every file in the questionnaires folder (and its instruments/ folder) is validated and
its (id, version) registered in the database with its content hash and source. A registered
version never changes: changing a file's content without bumping its version stops start-up. Older
versions, still used by past campaigns, are rebuilt from the source kept in the database.

Questionnaires imported on a running installation (XLSForm import) live in the instance folder,
`<instance>/questionnaires/` beside the database: the bundled folder belongs to the installed
code (replaced by an upgrade, perhaps read-only), the instance folder to this installation.
Start-up reads both; `add` registers one at run time, and other processes find it in the
database on their next lookup (`refresh`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from survey_app.core.settings import Settings
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
    # Set by the app: lets this process find versions another process registered meanwhile.
    database_path: str | None = None

    def get(self, questionnaire_id: str, version: int) -> Questionnaire | None:
        found = self.versions.get((questionnaire_id, version))
        if found is None and self.database_path:
            self.refresh()
            found = self.versions.get((questionnaire_id, version))
        return found

    def latest(self, stakeholder_group: str) -> Questionnaire | None:
        """The newest version of the questionnaire for a stakeholder group."""
        candidates = [q for q in self.versions.values() if q.stakeholder_group == stakeholder_group]
        return max(candidates, key=lambda q: (q.id == stakeholder_group, q.version), default=None)

    def all(self) -> list[Questionnaire]:
        if self.database_path:
            self.refresh()
        return sorted(self.versions.values(), key=lambda q: (q.id, q.version))

    def refresh(self) -> None:
        """Add the versions registered in the database since this registry was built."""
        from survey_app.storage.db import connect

        assert self.database_path is not None
        db = connect(self.database_path)
        try:
            _add_stored(db, self)
        finally:
            db.close()

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


def instance_questionnaires(settings: Settings) -> Path:
    """Where questionnaires imported on this installation are kept (beside the database)."""
    return Path(settings.database.path).parent / "questionnaires"


def load_file(path: Path, framework: Framework) -> Versioned:
    """A questionnaire or an instrument file (instruments live in instruments/ or carry a citation)."""
    if path.parent.name == INSTRUMENTS_DIR or "citation" in read_toml(path)[0]:
        return load_instrument(path, framework)
    return load_questionnaire(path, framework)


Loaded = list[tuple[Path, Any]]


def _collect(
    kind: str, paths: list[Path], load: Callable[[Path, Framework], Any], framework: Framework, problems: list[Problem]
) -> Loaded:
    """Load each file; every problem goes to `problems`, and two files defining one version too."""
    loaded: Loaded = []
    for path in paths:
        try:
            loaded.append((path, load(path, framework)))
        except QuestionnaireError as exc:
            problems.extend(exc.problems)
    seen: dict[tuple[str, int], Path] = {}
    for path, item in loaded:
        if (item.id, item.version) in seen:
            problems.append(
                Problem(
                    f"{seen[(item.id, item.version)]} and {path}",
                    f"{kind} '{item.id}'",
                    f"version {item.version} is defined by two files",
                    f"keep one file per {kind} id and version",
                )
            )
        seen[(item.id, item.version)] = path
    return loaded


def _load_all(folder: Path, imported: Path | None) -> tuple[Framework, Loaded, Loaded]:
    framework = load_framework(folder / FRAMEWORK_FILE)
    problems: list[Problem] = []
    separate = imported is not None and imported.is_dir() and imported.resolve() != folder.resolve()
    paths = questionnaire_files(folder) + (questionnaire_files(imported) if imported and separate else [])
    questionnaires = _collect("questionnaire", paths, load_questionnaire, framework, problems)
    instruments = _collect("instrument", instrument_files(folder), load_instrument, framework, problems)
    if problems:
        raise QuestionnaireError(problems)
    return framework, questionnaires, instruments


def load_files(folder: Path, imported: Path | None = None) -> tuple[Framework, list[Questionnaire]]:
    """Validate the framework and every questionnaire file (bundled, then imported); raise with
    every problem found."""
    framework, questionnaires, _ = load_all(folder, imported)
    return framework, questionnaires


def load_all(folder: Path, imported: Path | None = None) -> tuple[Framework, list[Questionnaire], list[Instrument]]:
    """The framework, every questionnaire file and every instrument file, validated together."""
    framework, questionnaires, instruments = _load_all(folder, imported)
    return framework, [q for _p, q in questionnaires], [i for _p, i in instruments]


def add(db: Database, registry: Registry, questionnaire: Questionnaire, imported: Path, now: datetime) -> Path:
    """Register one new version at run time and write its file to the instance folder, where
    start-up finds it again. The file of an earlier version of the same id is replaced: that
    version stays registered (campaigns rebuild it from the database), as with bundled files."""
    with write_transaction(db):
        if (questionnaire.id, questionnaire.version) in registry.versions or db.execute(
            "SELECT 1 FROM questionnaire WHERE id = ? AND version = ?", [questionnaire.id, questionnaire.version]
        ).fetchone():
            raise QuestionnaireError(
                [
                    Problem(
                        "registry",
                        f"questionnaire '{questionnaire.id}' version {questionnaire.version}",
                        "this version is already registered",
                        "choose another version number or another id",
                    )
                ]
            )
        _insert(db, questionnaire, now)
        imported.mkdir(parents=True, exist_ok=True)
        path = imported / f"{questionnaire.id}.toml"
        partial = path.with_suffix(".toml.part")
        partial.write_text(questionnaire.source, encoding="utf-8")
        partial.replace(path)  # a crash never leaves half a file for start-up to refuse
    registry.versions[(questionnaire.id, questionnaire.version)] = questionnaire
    return path


def _insert(db: Database, q: Questionnaire, now: datetime) -> None:
    db.table("questionnaire").insert(
        {
            "id": q.id,
            "version": q.version,
            "stakeholder_group": q.stakeholder_group,
            "content_hash": q.content_hash,
            "source": q.source,
            "registered_at": iso_utc(now),
        }
    )


def register(db: Database, folder: Path, now: datetime, imported: Path | None = None) -> Registry:
    """Load the files, refuse silent edits of registered versions, store new versions."""
    framework, questionnaires, instruments = _load_all(folder, imported)
    registry = Registry(framework)
    with write_transaction(db):
        problems = _store(db, "questionnaire", questionnaires, now)
        problems += _store(db, "instrument", instruments, now)
        if problems:
            raise QuestionnaireError(problems)
    registry.versions.update({(q.id, q.version): q for _p, q in questionnaires})
    registry.instruments.update({(i.id, i.version): i for _p, i in instruments})
    _add_stored(db, registry)
    registry.instruments.update(stored_instruments(db, framework, skip=set(registry.instruments)))
    return registry


def _add_stored(db: Database, registry: Registry) -> None:
    """Questionnaire versions registered in the database but absent from the files (older ones)."""
    for row in db.query("SELECT id, version, source FROM questionnaire"):
        if (row["id"], row["version"]) not in registry.versions:
            registry.versions[(row["id"], row["version"])] = parse_questionnaire(
                row["source"], f"database copy of {row['id']} version {row['version']}", registry.framework
            )


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


def _store(db: Database, table: str, loaded: Loaded, now: datetime) -> list[Problem]:
    """Insert new versions; a problem for each registered version whose content changed."""
    stored = {
        (r["id"], r["version"]): r["content_hash"] for r in db.query(f"SELECT id, version, content_hash FROM {table}")
    }
    problems = []
    for path, item in loaded:
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
                    str(path),
                    f"{table} '{item.id}' version {item.version}",
                    "this version is already registered with different content, and campaigns may rely on it",
                    f"set version = {newest} to publish the change as a new version "
                    "(or restore the registered content)",
                )
            )
    return problems
