"""Plausible answers for the demo and for synthetic benchmark data, from a seeded random source.

Each respondent has a latent "how well it goes" level around the campaign's level; ordinal answers
follow it (reverse items the other way), with some "don't know", hidden follow-up questions when
the filter question says no, and a free-text testimony now and then. Same seed, same data.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from survey_app.questionnaire.model import DONT_KNOW, YES_NO_VALUES, Question, Questionnaire, ShowIf

TESTIMONIES = {
    "fr": [
        "Je me sens moins seule depuis que je viens ici.",
        "J'ai retrouvé confiance et un rythme de travail.",
        "L'équipe est à l'écoute, on ne me juge pas.",
        "J'ai appris à utiliser un ordinateur et à faire mon CV.",
        "Les horaires ne sont pas toujours faciles avec les enfants.",
        "Grâce à eux j'ai trouvé un logement.",
        "On travaille ensemble sur des projets concrets pour le quartier.",
        "Un partenaire fiable, toujours là.",
    ],
    "nl": [
        "Ik voel me minder alleen sinds ik hier kom.",
        "Ik heb weer vertrouwen in mezelf gekregen.",
        "De begeleiders luisteren echt naar mij.",
        "Ik heb een opleiding gevolgd en nu heb ik werk.",
        "Soms is het moeilijk om hier te geraken met het openbaar vervoer.",
        "Een betrouwbare partner die doet wat hij belooft.",
        "Ik heb nieuwe vrienden leren kennen.",
    ],
    "en": [
        "I feel less alone since I started coming here.",
        "I got my confidence back and a routine.",
        "The staff really listen to me.",
        "I learned computer skills and wrote my first CV.",
        "Getting here by bus is not always easy.",
        "A reliable partner that keeps its promises.",
    ],
}


IDEAS = {  # answers to the demo's own question "An idea for next year?"
    "fr": ["Plus d'ateliers cuisine.", "Une sortie au musée.", "Des horaires plus souples le mercredi."],
    "nl": ["Meer kookworkshops.", "Een uitstap naar de zee.", "Soepelere uren op woensdag."],
    "en": ["More cooking workshops.", "A trip to the museum.", "More flexible hours on Wednesdays."],
}


def _clamp(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def ordinal(question: Question, level: float, rng: random.Random) -> float:
    """A value on the question's scale; `level` runs from about -2 (bad) to +2 (good)."""
    low, high = question.scale_range()
    position = _clamp((level + 2.0) / 4.0 + rng.uniform(-0.25, 0.25), 0.0, 1.0)
    if question.reverse:
        position = 1.0 - position
    if question.type == "scale":
        values = sorted(float(o.value) for o in question.options)
        return values[round(position * (len(values) - 1))]
    return float(round(low + position * (high - low)))


def answers_for(
    questionnaire: Questionnaire,
    level: float,
    rng: random.Random,
    language: str = "fr",
    custom: Sequence[dict[str, Any]] = (),
    text_rate: float = 0.3,
    dont_know_rate: float = 0.04,
) -> dict[str, Any]:
    """One respondent's answers, keyed by question id, in the form pipeline.responses stores."""
    person = level + rng.gauss(0.0, 0.7)
    answers: dict[str, Any] = {}
    for q in questionnaire.questions:
        if q.show_if is not None:
            if not isinstance(q.show_if, ShowIf) or not q.show_if.simple:
                continue  # combined conditions (imported forms): the sample leaves such questions out
            wanted = {
                float(YES_NO_VALUES[v]) if v in YES_NO_VALUES else v if isinstance(v, str) else float(v)
                for v in q.show_if.values
            }  # stored form: yes_no as 1/0, scales as floats
            if answers.get(q.show_if.question) not in wanted:
                continue
        if q.dont_know and rng.random() < dont_know_rate:
            answers[q.id] = DONT_KNOW
        elif q.scored:
            answers[q.id] = ordinal(q, person, rng)
        elif q.type in ("single", "multiple") and q.options:
            answers[q.id] = str(rng.choice(q.options).value)
        elif q.type == "text" and rng.random() < text_rate:
            answers[q.id] = rng.choice(TESTIMONIES.get(language, TESTIMONIES["fr"]))
    for raw in custom:
        kind = raw.get("type")
        if kind == "agree5":
            answers[raw["id"]] = float(round(_clamp(3 + person + rng.uniform(-1, 1), 1, 5)))
        elif kind == "scale0_10":
            answers[raw["id"]] = float(round(_clamp(5 + 2 * person + rng.uniform(-2, 2), 0, 10)))
        elif kind == "single" and raw.get("options"):
            answers[raw["id"]] = str(rng.choice(raw["options"])["value"])
        elif kind == "text" and rng.random() < text_rate:
            answers[raw["id"]] = rng.choice(IDEAS.get(language, IDEAS["fr"]))
    return answers
