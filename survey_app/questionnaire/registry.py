"""Questionnaire versions known to the application.

At start-up every file in the questionnaires folder is validated and its (id, version) registered
in the database with its content hash and source. A registered version never changes: changing a
file's content without bumping its version stops start-up. Older versions, still used by past
campaigns, are rebuilt from the source kept in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from survey_app.core.timeutil import iso_utc
from survey_app.questionnaire.loader import (
    Problem,
    QuestionnaireError,
    load_framework,
    load_questionnaire,
    parse_questionnaire,
)
from survey_app.questionnaire.model import Framework, Questionnaire
from survey_app.storage.db import write_transaction

QUESTIONNAIRES_DIR = Path(__file__).resolve().parents[2] / "questionnaires"
FRAMEWORK_FILE = "framework.toml"


@dataclass
class Registry:
    framework: Framework
    versions: dict[tuple[str, int], Questionnaire] = field(default_factory=dict)

    def get(self, questionnaire_id: str, version: int) -> Questionnaire | None:
        return self.versions.get((questionnaire_id, version))

    def latest(self, stakeholder_group: str) -> Questionnaire | None:
        """The newest version of the questionnaire for a stakeholder group."""
        candidates = [q for q in self.versions.values() if q.stakeholder_group == stakeholder_group]
        return max(candidates, key=lambda q: (q.id == stakeholder_group, q.version), default=None)

    def all(self) -> list[Questionnaire]:
        return sorted(self.versions.values(), key=lambda q: (q.id, q.version))


def questionnaire_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.toml") if p.name != FRAMEWORK_FILE)


def load_files(folder: Path) -> tuple[Framework, list[Questionnaire]]:
    """Validate the framework and every questionnaire file; raise with every problem found."""
    framework = load_framework(folder / FRAMEWORK_FILE)
    loaded, problems = [], []
    for path in questionnaire_files(folder):
        try:
            loaded.append(load_questionnaire(path, framework))
        except QuestionnaireError as exc:
            problems.extend(exc.problems)
    seen: dict[tuple[str, int], Questionnaire] = {}
    for q in loaded:
        if (q.id, q.version) in seen:
            problems.append(
                Problem(
                    str(folder),
                    f"questionnaire '{q.id}'",
                    f"version {q.version} is defined by two files",
                    "keep one file per questionnaire id",
                )
            )
        seen[(q.id, q.version)] = q
    if problems:
        raise QuestionnaireError(problems)
    return framework, loaded


def register(db: Database, folder: Path, now: datetime) -> Registry:
    """Load the files, refuse silent edits of registered versions, store new versions."""
    framework, loaded = load_files(folder)
    registry = Registry(framework)
    with write_transaction(db):
        stored = {(r["id"], r["version"]): r for r in db["questionnaire"].rows}
        problems = []
        for q in loaded:
            row = stored.get((q.id, q.version))
            if row is None:
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
            elif row["content_hash"] != q.content_hash:
                problems.append(
                    Problem(
                        str(folder / f"{q.id}.toml"),
                        f"questionnaire '{q.id}' version {q.version}",
                        "this version is already registered with different content, and campaigns may rely on it",
                        f"set version = {_next_version(stored, q.id)} to publish the "
                        "change as a new version (or restore the registered content)",
                    )
                )
            registry.versions[(q.id, q.version)] = q
        if problems:
            raise QuestionnaireError(problems)
    for key, row in stored.items():
        if key not in registry.versions:
            registry.versions[key] = parse_questionnaire(
                row["source"], f"database copy of {row['id']} version {row['version']}", framework
            )
    return registry


def _next_version(stored: dict, questionnaire_id: str) -> int:
    return max(v for (i, v) in stored if i == questionnaire_id) + 1
