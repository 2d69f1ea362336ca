"""Validated instruments on the campaign form: the choices offered and the checks of a choice.

An instrument is asked only in the languages of its official translations, so it fits a campaign
only when every language the campaign offers is one of them; the choice label names them, and the
error says why and what to change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask_babel import lazy_gettext as _l

from survey_app.core.catalogs import LANGUAGE_NAMES
from survey_app.domain.campaigns import MAX_INSTRUMENTS
from survey_app.questionnaire.instruments import Instrument
from survey_app.questionnaire.registry import Registry


def key(instrument: Instrument) -> str:
    return f"{instrument.id}:{instrument.version}"


def choice_label(instrument: Instrument, language: str) -> str:
    languages = ", ".join(LANGUAGE_NAMES[code] for code in instrument.languages)
    return f"{instrument.name(language)} (v{instrument.version}) – {languages}"


def offered(registry: Registry, pinned: Iterable[tuple[str, int]]) -> list[Instrument]:
    """The newest version of each instrument, plus the versions the campaign already pins."""
    chosen = registry.instruments_for(pinned)
    newest = [i for i in registry.latest_instruments() if (i.id, i.version) not in {(c.id, c.version) for c in chosen}]
    return sorted(chosen + newest, key=lambda i: (i.id, i.version))


def check_choice(
    registry: Registry, values: Sequence[str], languages: Sequence[str], language: str
) -> tuple[list[Instrument], list[str]]:
    """The chosen instruments in the order the form lists them, and the problems of the choice."""
    chosen, problems = [], []
    for value in sorted(values):
        iid, _sep, version = value.partition(":")
        instrument = registry.instrument(iid, int(version)) if version.isdigit() else None
        if instrument is None:
            problems.append(str(_l("Choose among the instruments listed.")))
            continue
        missing = [LANGUAGE_NAMES[code] for code in languages if code not in instrument.languages]
        if missing:
            problems.append(
                str(
                    _l(
                        "%(name)s has no official translation in %(missing)s. Validated instruments are asked "
                        "only in the words their authors published or approved: offer only %(offered)s, or "
                        "leave this instrument out.",
                        name=instrument.name(language),
                        missing=", ".join(missing),
                        offered=", ".join(LANGUAGE_NAMES[code] for code in instrument.languages),
                    )
                )
            )
        chosen.append(instrument)
    if len({i.id for i in chosen}) < len(chosen):
        problems.append(str(_l("Choose each instrument once, in one version.")))
    if len(chosen) > MAX_INSTRUMENTS:
        problems.append(str(_l("Choose at most %(n)d instruments.", n=MAX_INSTRUMENTS)))
    return chosen, problems
