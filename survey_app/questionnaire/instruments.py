"""Validated instruments (questionnaires/instruments/*.toml): one page of published items, their own
indicators and their published scoring, added to a campaign's questionnaire as an extra section.

An instrument file is a questionnaire file without stakeholder group or sections: its questions form
one page titled by the instrument, introduced by its published instructions. It also says where it
comes from (citation, source, terms of use) and where each language's text comes from: item texts
exist only in the languages of an official or corroborated translation. Its indicators, band labels
and score names are product texts, shown on dashboards, so they are written in fr, nl and en.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from survey_app.core.config import SUPPORTED_LANGUAGES
from survey_app.questionnaire.loader import content_hash, parse_toml, read_toml
from survey_app.questionnaire.model import (
    Framework,
    Indicator,
    Question,
    Questionnaire,
    Section,
    Translations,
    translate,
)
from survey_app.questionnaire.rules import ID_PATTERN, Checker, parse_questions
from survey_app.questionnaire.scoring import Scoring
from survey_app.questionnaire.scoring_rules import parse_scorings

INSTRUMENT_KEYS = {
    "id",
    "version",
    "languages",
    "estimated_minutes",
    "title",
    "intro",
    "citation",
    "source_url",
    "terms_of_use",
    "translations",
    "indicators",
    "questions",
    "scoring",
}


@dataclass(frozen=True)
class Instrument:
    id: str
    version: int
    languages: tuple[str, ...]
    estimated_minutes: int
    citation: str
    source_url: str
    terms_of_use: str
    provenance: Mapping[str, str]  # language -> where its item texts come from
    indicators: tuple[Indicator, ...]
    section: Section
    scorings: tuple[Scoring, ...]
    content_hash: str
    source: str = field(repr=False, default="")

    @property
    def title(self) -> Translations:
        return self.section.title

    @property
    def questions(self) -> tuple[Question, ...]:
        return self.section.questions

    def name(self, language: str) -> str:
        return translate(self.title, language)


def load_instrument(path: Path, framework: Framework | None) -> Instrument:
    raw, text = read_toml(path)
    return build_instrument(raw, text, str(path), framework)


def parse_instrument(text: str, source: str, framework: Framework | None) -> Instrument:
    """An instrument kept as text (registered versions are stored in the database)."""
    return build_instrument(parse_toml(text, source), text, source, framework)


def build_instrument(raw: dict[str, Any], text: str, source: str, framework: Framework | None) -> Instrument:
    languages = raw.get("languages")
    if not (isinstance(languages, list) and languages and set(languages) <= set(SUPPORTED_LANGUAGES)):
        check = Checker(source)
        check.add(
            "file",
            f"'languages' must list the languages of official translations, among fr, nl, en (got {languages!r})",
            'write languages = ["en", "fr"] (only those with an official or corroborated translation)',
        )
        languages = []
    else:
        check = Checker(source, tuple(languages))
    products = Checker(source)  # product texts (indicator and band labels): every language
    products.problems = check.problems
    for key in sorted(set(raw) - INSTRUMENT_KEYS):
        check.add("file", f"unknown key '{key}'", f"remove it or use one of {', '.join(sorted(INSTRUMENT_KEYS))}")
    iid, version = raw.get("id"), raw.get("version")
    if not (isinstance(iid, str) and ID_PATTERN.fullmatch(iid)):
        check.add("file", f"'id' must be lowercase letters, digits and _ (got {iid!r})", 'write id = "who5"')
        iid = "instrument"
    if not (isinstance(version, int) and not isinstance(version, bool) and version >= 1):
        check.add("file", f"'version' must be a whole number from 1 (got {version!r})", "write version = 1")
    minutes = raw.get("estimated_minutes", 2)
    if not (isinstance(minutes, int) and 1 <= minutes <= 30):
        check.add(
            "file", f"'estimated_minutes' must be between 1 and 30 (got {minutes!r})", "write estimated_minutes = 2"
        )
    about = {key: _text(raw, key, check) for key in ("citation", "source_url", "terms_of_use")}
    provenance = _provenance(raw.get("translations"), tuple(languages), check)
    title = check.texts(raw.get("title"), "file", "title") or {}
    intro = check.texts(raw.get("intro"), "file", "intro") or {}
    indicators = _indicators(raw.get("indicators"), framework, products)
    own = Framework(framework.dimensions if framework else (), indicators)
    questions = parse_questions(raw.get("questions") or [], check, own, [iid])
    for q in questions:
        if not q.id.startswith(f"{iid}_"):
            check.add(
                f"question '{q.id}'", f"an instrument's question ids start with '{iid}_'", f'write id = "{iid}_{q.id}"'
            )
    if not raw.get("questions"):
        check.add("file", "no [[questions]] declared", "add the instrument's items as [[questions]] tables")
    scorings = parse_scorings(raw.get("scoring"), questions, check, products)
    for indicator in indicators:
        if indicator.id not in {s.indicator for s in scorings} and not check.problems:
            check.add(
                f"indicator '{indicator.id}'",
                "an instrument's indicator needs its published scoring",
                f"add a [scoring.{indicator.id}] table (method, range, missing...)",
            )
    check.raise_if_any()
    assert isinstance(version, int)  # checked above
    section = Section(iid, title, tuple(questions), intro)
    return Instrument(
        iid, version, tuple(languages), minutes, about["citation"], about["source_url"], about["terms_of_use"],
        provenance, indicators, section, scorings, content_hash(raw), text,
    )  # fmt: skip


def _text(raw: dict, key: str, check: Checker) -> str:
    value = raw.get(key)
    if not (isinstance(value, str) and value.strip()):
        check.add("file", f"'{key}' is missing", f'add {key} = "..." (instruments say where they come from)')
        return ""
    return value.strip()


def _provenance(raw: Any, languages: tuple[str, ...], check: Checker) -> dict[str, str]:
    fix = "add translations." + " and translations.".join(languages or ("en",)) + ' = "where this text comes from"'
    if (
        not isinstance(raw, dict)
        or set(raw) != set(languages)
        or not all(isinstance(v, str) and v.strip() for v in raw.values())
    ):
        check.add("file", "'translations' must say where the text of each language of the file comes from", fix)
        return {}
    return {lang: str(raw[lang]).strip() for lang in languages}


def _indicators(raw: Any, framework: Framework | None, products: Checker) -> tuple[Indicator, ...]:
    taken = {i.id for i in framework.indicators} if framework else set()
    dimensions = [d.id for d in framework.dimensions] if framework else []
    indicators: list[Indicator] = []
    for i, ind in enumerate(raw if isinstance(raw, list) else []):
        ind = ind if isinstance(ind, dict) else {}
        iid, dimension = ind.get("id"), ind.get("dimension")
        where = f"indicator '{iid or i + 1}'"
        if not (isinstance(iid, str) and ID_PATTERN.fullmatch(iid)):
            products.add(where, "indicator 'id' must be lowercase letters, digits and _", 'write id = "who5"')
            continue
        if iid in taken or iid in {x.id for x in indicators}:
            products.add(where, "this indicator id is already used", "give the instrument's indicator its own id")
        if framework and dimension not in dimensions:
            products.add(where, f"unknown dimension {dimension!r}", f"use one of {', '.join(dimensions)}")
        label = products.texts(ind.get("label"), where, "label") or {}
        description = products.texts(ind.get("description"), where, "description") or {}
        indicators.append(Indicator(iid, str(dimension), label, description))
    if not indicators:
        products.add("file", "no [[indicators]] declared", "declare the instrument's score as an [[indicators]] table")
    return tuple(indicators)


def with_instruments(base: Questionnaire, instruments: Sequence[Instrument]) -> Questionnaire:
    """A campaign's questionnaire: its own pages, then one page per instrument, with their scorings
    (and their answering time in the estimate shown to respondents)."""
    if not instruments:
        return base
    return dataclasses.replace(
        base,
        estimated_minutes=base.estimated_minutes + sum(i.estimated_minutes for i in instruments),
        sections=base.sections + tuple(i.section for i in instruments),
        scorings=base.scorings + tuple(s for i in instruments for s in i.scorings),
    )


def with_instrument_indicators(framework: Framework, instruments: Sequence[Instrument]) -> Framework:
    """The framework plus the instruments' indicators (each once), for result labels and dimensions."""
    extra: dict[str, Indicator] = {}
    for instrument in instruments:
        extra.update({i.id: i for i in instrument.indicators if i.id not in extra})
    known = {i.id for i in framework.indicators}
    return Framework(framework.dimensions, framework.indicators + tuple(i for i in extra.values() if i.id not in known))
