"""Load framework and questionnaire TOML files into the typed model, reporting every problem.

Each problem names the file, the place (question id, section id...) and the fix, and all problems
of a file are reported at once, so an author fixes a file in one pass.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, TypeGuard

from survey_app.core.config import SUPPORTED_LANGUAGES
from survey_app.core.groups import STAKEHOLDER_GROUPS
from survey_app.core.toml_files import TomlProblem, decode, parse
from survey_app.questionnaire.model import Dimension, Framework, Indicator, Questionnaire, Section
from survey_app.questionnaire.rules import ID_PATTERN, Checker, Problem, QuestionnaireError, parse_questions
from survey_app.questionnaire.scoring_rules import parse_scorings

__all__ = [
    "QuestionnaireError",
    "Problem",
    "load_framework",
    "load_questionnaire",
    "parse_questionnaire",
    "content_hash",
]
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
# The bundled questionnaires keep to one to three pages; forms imported from XLSForm may have more.
MAX_SECTIONS = 20
TOP_KEYS = {
    "id",
    "version",
    "stakeholder_group",
    "languages",
    "estimated_minutes",
    "title",
    "intro",
    "sections",
    "questions",
    "scoring",
}


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = decode(path.read_bytes())
    except TomlProblem as exc:
        raise QuestionnaireError([Problem(str(path), "file", exc.problem, exc.fix)]) from None
    return parse_toml(text, str(path)), text


def parse_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return parse(text)
    except TomlProblem as exc:
        raise QuestionnaireError([Problem(source, "file", exc.problem, exc.fix)]) from None


def load_framework(path: Path) -> Framework:
    raw, _ = read_toml(path)
    check = Checker(str(path))
    dimensions = []
    for i, d in enumerate(raw.get("dimensions") or []):
        where = f"dimension '{d.get('id', i + 1)}'"
        dimensions.append(
            Dimension(
                str(d.get("id")),
                check.texts(d.get("label"), where, "label") or {},
                check.texts(d.get("description"), where, "description") or {},
            )
        )
    if not dimensions:
        check.add("file", "no [[dimensions]] declared", "declare at least one [[dimensions]] table")
    dimension_ids = [d.id for d in dimensions]
    indicators = []
    for i, ind in enumerate(raw.get("indicators") or []):
        where = f"indicator '{ind.get('id', i + 1)}'"
        if ind.get("dimension") not in dimension_ids:
            check.add(where, f"unknown dimension '{ind.get('dimension')}'", f"use one of {', '.join(dimension_ids)}")
        indicators.append(
            Indicator(
                str(ind.get("id")),
                str(ind.get("dimension")),
                check.texts(ind.get("label"), where, "label") or {},
                check.texts(ind.get("description"), where, "description") or {},
            )
        )
    for kind, ids in (("dimension", dimension_ids), ("indicator", [i.id for i in indicators])):
        for dup in sorted({x for x in ids if ids.count(x) > 1}):
            check.add(f"{kind} '{dup}'", f"duplicate {kind} id", "give each one a distinct id")
    check.raise_if_any()
    return Framework(tuple(dimensions), tuple(indicators))


def content_hash(raw: dict[str, Any]) -> str:
    """Hash of the parsed content, so comments and layout do not count as changes."""
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def load_questionnaire(path: Path, framework: Framework) -> Questionnaire:
    raw, text = read_toml(path)
    return _build_questionnaire(raw, text, str(path), framework)


def parse_questionnaire(text: str, source: str, framework: Framework | None) -> Questionnaire:
    """Parse a questionnaire kept as text (older versions are stored in the database).

    Without a framework, indicator references are not checked (stored versions were, when registered).
    """
    return _build_questionnaire(parse_toml(text, source), text, source, framework)


def _language_list(languages: Any) -> TypeGuard[list[str]]:
    """Interface languages (fr, nl, en) or others a form brings (de, sw...): campaigns offer only the first."""
    return (
        isinstance(languages, list)
        and bool(languages)
        and all(isinstance(lang, str) and LANGUAGE_CODE.fullmatch(lang) for lang in languages)
        and len(set(languages)) == len(languages)
    )


def _build_questionnaire(raw: dict[str, Any], text: str, source: str, framework: Framework | None) -> Questionnaire:
    languages = raw.get("languages")
    if not _language_list(languages):
        languages = list(SUPPORTED_LANGUAGES)
        bad = raw.get("languages")
        check = Checker(source)
        check.add(
            "file",
            f"'languages' must be a non-empty list of distinct language codes such as fr, nl, en (got {bad!r})",
            'write languages = ["fr", "nl", "en"]',
        )
    else:
        check = Checker(source, tuple(languages))
    for key in sorted(set(raw) - TOP_KEYS):
        check.add("file", f"unknown key '{key}'", f"remove it or use one of {', '.join(sorted(TOP_KEYS))}")
    qid = raw.get("id")
    if not (isinstance(qid, str) and ID_PATTERN.fullmatch(qid)):
        check.add(
            "file",
            f"'id' must be lowercase letters, digits and _ (got {qid!r})",
            'write id = "beneficiaries" (the file name without .toml)',
        )
    version = raw.get("version")
    if not (isinstance(version, int) and not isinstance(version, bool) and version >= 1):
        check.add("file", f"'version' must be a whole number from 1 (got {version!r})", "write version = 1")
    group = raw.get("stakeholder_group")
    if group not in STAKEHOLDER_GROUPS:
        check.add("file", f"unknown stakeholder_group {group!r}", f"use one of {', '.join(STAKEHOLDER_GROUPS)}")
    minutes = raw.get("estimated_minutes", 5)
    if not (isinstance(minutes, int) and 1 <= minutes <= 30):
        check.add(
            "file", f"'estimated_minutes' must be between 1 and 30 (got {minutes!r})", "write estimated_minutes = 4"
        )
    title = check.texts(raw.get("title"), "file", "title") or {}
    intro = check.texts(raw.get("intro"), "file", "intro") or {}
    section_ids: list[str] = []
    section_titles: dict[str, dict[str, str]] = {}
    for i, s in enumerate(raw.get("sections") or []):
        sid = s.get("id") if isinstance(s, dict) else None
        where = f"section '{sid or i + 1}'"
        if not (isinstance(sid, str) and ID_PATTERN.fullmatch(sid)):
            check.add(where, "section 'id' must be lowercase letters, digits and _", 'write id = "about_you"')
        elif sid in section_ids:
            check.add(where, "duplicate section id", "give each section a distinct id")
        else:
            section_ids.append(sid)
            section_titles[sid] = check.texts(s.get("title"), where, "title") or {}
    if not 1 <= len(section_ids) <= MAX_SECTIONS:
        check.add(
            "file",
            f"{len(section_ids)} sections declared; a survey has one to {MAX_SECTIONS} pages",
            f"declare between one and {MAX_SECTIONS} [[sections]] (the bundled questionnaires use one to three)",
        )
    raw_questions = raw.get("questions") or []
    questions = parse_questions(raw_questions, check, framework, section_ids)
    if not raw_questions:
        check.add("file", "no [[questions]] declared", "add at least one [[questions]] table")
    used_sections = {rq.get("section") for rq in raw_questions if isinstance(rq, dict)}
    for sid in section_ids:
        if raw_questions and sid not in used_sections:
            check.add(f"section '{sid}'", "section has no question", "add questions or remove the section")
    scorings = parse_scorings(raw.get("scoring"), questions, check, check)
    check.raise_if_any()
    assert isinstance(qid, str) and isinstance(version, int) and isinstance(group, str)  # checked above
    sections = tuple(
        Section(sid, section_titles[sid], tuple(q for q in questions if q.section == sid)) for sid in section_ids
    )
    return Questionnaire(
        qid, version, group, tuple(languages), minutes, title, intro, sections, content_hash(raw), text, scorings
    )
