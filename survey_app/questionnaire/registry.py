"""Questionnaire versions known to the application.

At start-up every file in the questionnaires folder is validated and its (id, version) registered
in the database with its content hash and source. A registered version never changes: changing a
file's content without bumping its version stops start-up. Older versions, still used by past
campaigns, are rebuilt from the source kept in the database.

Questionnaires imported on a running installation (XLSForm import) live in the instance folder,
`<instance>/questionnaires/` beside the database: the bundled folder belongs to the installed
code (replaced by an upgrade, perhaps read-only), the instance folder to this installation.
Start-up reads both; `add` registers one at run time, and other processes find it in the
database on their next lookup (`refresh`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from survey_app.core.settings import Settings
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
            for row in db.query("SELECT id, version, source FROM questionnaire"):
                if (row["id"], row["version"]) not in self.versions:
                    self.versions[(row["id"], row["version"])] = parse_questionnaire(
                        row["source"], f"database copy of {row['id']} version {row['version']}", self.framework
                    )
        finally:
            db.close()


def questionnaire_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.toml") if p.name != FRAMEWORK_FILE)


def instance_questionnaires(settings: Settings) -> Path:
    """Where questionnaires imported on this installation are kept (beside the database)."""
    return Path(settings.database.path).parent / "questionnaires"


def load_files(folder: Path, imported: Path | None = None) -> tuple[Framework, list[Questionnaire]]:
    """Validate the framework and every questionnaire file (bundled, then imported); raise with
    every problem found."""
    framework, loaded = _load(folder, imported)
    return framework, [q for _path, q in loaded]


def _load(folder: Path, imported: Path | None) -> tuple[Framework, list[tuple[Path, Questionnaire]]]:
    framework = load_framework(folder / FRAMEWORK_FILE)
    loaded, problems = [], []
    separate = imported is not None and imported.is_dir() and imported.resolve() != folder.resolve()
    paths = questionnaire_files(folder) + (questionnaire_files(imported) if imported and separate else [])
    for path in paths:
        try:
            loaded.append((path, load_questionnaire(path, framework)))
        except QuestionnaireError as exc:
            problems.extend(exc.problems)
    seen: dict[tuple[str, int], Path] = {}
    for path, q in loaded:
        if (q.id, q.version) in seen:
            problems.append(
                Problem(
                    f"{seen[(q.id, q.version)]} and {path}",
                    f"questionnaire '{q.id}'",
                    f"version {q.version} is defined by two files",
                    "keep one file per questionnaire id and version",
                )
            )
        seen[(q.id, q.version)] = path
    if problems:
        raise QuestionnaireError(problems)
    return framework, loaded


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
    framework, loaded = _load(folder, imported)
    registry = Registry(framework)
    with write_transaction(db):
        stored = {(r["id"], r["version"]): r for r in db["questionnaire"].rows}
        problems = []
        for path, q in loaded:
            row = stored.get((q.id, q.version))
            if row is None:
                _insert(db, q, now)
            elif row["content_hash"] != q.content_hash:
                problems.append(
                    Problem(
                        str(path),
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
