"""A small, realistic demo: a dozen enterprises, two closed waves per stakeholder group, FR/NL/EN.

Deterministic (seeded): the same command gives the same data. Some groups are small on purpose
(suppressed cells), two enterprises opted out of benchmarks, a few campaigns have custom questions,
personal links or an expected population, and one wave is still open, so every screen has
something to show. Campaign titles and evaluative questions are in each enterprise's language;
`vises demo` (survey_app.cli.demo) also creates a manager account per enterprise.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlite_utils import Database

from pipeline.read import load_questionnaires
from pipeline.sample.fake import answers_for
from pipeline.sample.responses import insert_responses
from survey_app.core.catalogs import translator
from survey_app.core.errors import VisesError
from survey_app.core.groups import STAKEHOLDER_GROUPS, group_label
from survey_app.domain.campaigns import CampaignSpec, create_campaign, generate_links
from survey_app.domain.enterprises import create_enterprise
from survey_app.storage.db import write_transaction

# (name, sector group, country, language, region, benchmark consent, level)
ENTERPRISES = [  # integration has enough consenting peers (6) for benchmarks; care and other do not
    ("Atelier Jeunes Pousses", "integration", "BE", "fr", "Liège", True, 0.6),
    ("Terre d'Emploi", "integration", "FR", "fr", "Hauts-de-France", True, 0.2),
    ("Kringwinkel Noord", "integration", "BE", "nl", "Antwerpen", True, 0.9),
    ("Recyclerie du Val", "integration", "FR", "fr", "Nord", True, -0.2),
    ("Les Jardins de l'Insertion", "integration", "FR", "fr", "Pas-de-Calais", True, 0.4),
    ("Leerwerkplaats De Brug", "integration", "BE", "nl", "Gent", True, 0.1),
    ("Bâtiment Solidaire", "integration", "BE", "fr", "Hainaut", False, 0.5),
    ("Maison d'accueil Les Tilleuls", "care", "BE", "fr", "Namur", True, 0.7),
    ("Zorgcoöperatie De Linde", "care", "BE", "nl", "Brugge", True, 0.4),
    ("Aide & Répit", "care", "FR", "fr", "Lille", True, 0.1),
    ("Coopérative Énergie Citoyenne", "other", "BE", "fr", "Brabant wallon", True, 0.8),
    ("Microcrédit Solidaire", "other", "FR", "fr", "Lille", False, 0.0),
]
CUSTOM = (
    {
        "id": "c_transport",
        "type": "single",
        "section": "to_finish",
        "label": {"fr": "Comment venez-vous ?", "nl": "Hoe kom je naar hier?", "en": "How do you get here?"},
        "options": [
            {"value": v, "label": {"fr": fr, "nl": nl, "en": en}}
            for v, fr, nl, en in (
                ("walk", "À pied", "Te voet", "On foot"),
                ("bus", "En bus", "Met de bus", "By bus"),
                ("car", "En voiture", "Met de auto", "By car"),
            )
        ],
    },
    {
        "id": "c_garden",
        "type": "agree5",
        "section": "to_finish",
        "label": {
            "fr": "Le jardin partagé m'aide à me sentir bien.",
            "nl": "De gedeelde tuin helpt me om me goed te voelen.",
            "en": "The shared garden helps me feel good.",
        },
    },
    {
        "id": "c_idea",
        "type": "text",
        "section": "to_finish",
        "label": {
            "fr": "Une idée pour l'an prochain ?",
            "nl": "Een idee voor volgend jaar?",
            "en": "An idea for next year?",
        },
    },
)


EVALUATIVE_QUESTIONS = {
    "fr": "Qu'est-ce qui change pour les personnes ?",
    "nl": "Wat verandert er voor de mensen?",
    "en": "What changes for the people?",
}


def wave_title(group: str, wave: int, language: str) -> str:
    """'Bénéficiaires – vague 2': the title a manager would give, in the enterprise's language."""
    _ = translator(language).gettext
    return _("%(group)s – wave %(number)d") % {"group": group_label(group, language), "number": wave}


class DemoAlreadyLoaded(VisesError):
    """The demo enterprises exist already: loading twice would duplicate every campaign."""


def load_demo(db: Database, now: datetime, seed: int = 2026) -> dict[str, int]:
    """Insert the demo (in one transaction); return counts. Refuses to run twice.

    The enterprises are the first `counts["enterprises"]` rows named as in ENTERPRISES.
    """
    rng = random.Random(seed)
    _, questionnaires = load_questionnaires(db)
    latest = {g: max(v for (qid, v) in questionnaires if qid == g) for g in STAKEHOLDER_GROUPS}
    counts = {"enterprises": 0, "campaigns": 0, "responses": 0}
    with write_transaction(db):
        if db.execute("SELECT 1 FROM enterprise WHERE slug = 'atelier-jeunes-pousses'").fetchone():
            raise DemoAlreadyLoaded("the demo is already loaded in this database")
        for index, (name, sector, country, language, region, consent, level) in enumerate(ENTERPRISES):
            enterprise = create_enterprise(
                db, name, sector, country, language, now, region=region, benchmark_consent=consent
            )
            counts["enterprises"] += 1
            for group in STAKEHOLDER_GROUPS:
                waves = [(400, 0.0), (40, 0.3 if index % 3 else -0.2)]
                if index in (0, 5) and group == "beneficiaries":
                    waves.append((-20, 0.4))  # a third wave still open
                for wave, (closes_days_ago, progress) in enumerate(waves, start=1):
                    counts["responses"] += _campaign(
                        db,
                        rng,
                        questionnaires[(group, latest[group])],
                        enterprise,
                        index,
                        group,
                        wave,
                        now,
                        closes_days_ago,
                        level + progress,
                        language,
                    )
                    counts["campaigns"] += 1
    return counts


def demo_enterprises(db: Database) -> list[dict]:
    """The demo's enterprises as stored (id, name, slug, default_language), in ENTERPRISES order."""
    names = [e[0] for e in ENTERPRISES]
    rows = {r["name"]: r for r in db.query("SELECT id, name, slug, default_language FROM enterprise")}
    return [rows[name] for name in names if name in rows]


def _campaign(
    db: Database,
    rng: random.Random,
    questionnaire,
    enterprise: int,
    index: int,
    group: str,
    wave: int,
    now: datetime,
    closes_days_ago: int,
    level: float,
    language: str,
) -> int:
    closes = now - timedelta(days=closes_days_ago)
    custom = CUSTOM if (index % 4 == 0 and group == "beneficiaries") else ()
    size = rng.randint(3, 4) if (group == "partners" and index % 5 == 1) else rng.randint(7, 28)
    expected = size + rng.randint(2, 15) if index % 2 else None
    spec = CampaignSpec(
        enterprise,
        group,
        questionnaire.id,
        questionnaire.version,
        wave_title(group, wave, language),
        closes - timedelta(days=28),
        closes,
        "Europe/Brussels",
        evaluative_question=EVALUATIVE_QUESTIONS[language],
        expected_population=expected,
        custom_questions=custom,
    )
    campaign = create_campaign(db, spec, now)
    if expected is None:
        generate_links(db, campaign, size + rng.randint(0, 12), now)
    other = "nl" if language == "fr" else "fr"
    languages = [language if rng.random() < 0.8 else rng.choice([other, "en"]) for _ in range(size)]
    answer_sets = [answers_for(questionnaire, level, rng, lang, custom) for lang in languages]
    day = min(closes, now) - timedelta(days=rng.randint(1, 20))
    insert_responses(
        db, campaign, answer_sets, day.date().isoformat(), languages, link="open" if expected else "personal"
    )
    if expected is None:  # personal links: as many used links as responses
        db.execute(
            "UPDATE invitation SET opened = 1, started = 1, answered = 1 WHERE id IN (SELECT id FROM "
            "invitation WHERE campaign_id = ? ORDER BY id LIMIT ?)",
            [campaign, size],
        )
    return size
