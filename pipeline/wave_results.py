"""The results of the waves a run publishes (plan.py chose them, in its snapshot): each computed
from its kept sums and free texts as publish.texts_to_read says, or taken from what a `--full`
batch computed beside its helper (prefetch.py) where that was done in the same state.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from pipeline import compute, kept_sums, publish, read
from pipeline.model import CampaignData, CampaignInfo, CampaignResult
from pipeline.prefetch import Prefetch, text_questions
from pipeline.read import Questionnaires
from survey_app.questionnaire.model import Framework


@dataclass(frozen=True, slots=True)
class Texts:
    """What a recomputed wave did with its free texts (publish.texts_to_read), and what it records."""

    mode: str  # read, add, keep or none
    watermark: int | None  # the stored testimonies are those of its responses up to this id
    rebuilds: int | None  # score_campaign.rebuilds behind them


def compute_waves(
    db: Database,
    todo: list[CampaignInfo],
    state: dict[int, tuple[int, int]],
    published: dict[int, publish.Published],
    framework: Framework,
    questionnaires: Questionnaires,
    min_group: int,
    watermark: int,
    prefetched: Prefetch | None,
) -> tuple[list[CampaignResult], dict[int, Texts]]:
    """Each wave's result and what it did with its texts, in `todo` order (inside the plan's snapshot)."""
    rebuilds = kept_sums.rebuild_counts(db)
    texts: dict[int, Texts] = {}
    early: dict[int, CampaignResult] = {}
    for c in todo:
        respondents, generation = state.get(c.id, (0, 0))
        p = published.get(c.id)
        what = publish.texts_to_read(
            respondents, p is None or p.generation != generation, p, min_group, rebuilds.get(c.id, 0)
        )
        if what in ("read", "add"):
            texts[c.id] = Texts(what, watermark, rebuilds.get(c.id, 0))
        elif what == "keep" and p is not None:
            texts[c.id] = Texts(what, p.texts_watermark, p.rebuilds)
        else:
            texts[c.id] = Texts(what, None, None)
        done = prefetched.result_for(c.id, (respondents, generation), what, watermark) if prefetched else None
        if done is not None:
            early[c.id] = done
    ids = [c.id for c in todo if c.id not in early]
    sums_of, options_of = kept_sums.load_sums(db, ids), kept_sums.load_options(db, ids)
    results: list[CampaignResult] = []
    for c in todo:
        if c.id in early:
            results.append(early[c.id])
            continue
        what, respondents = texts[c.id].mode, state.get(c.id, (0, 0))[0]
        p = published.get(c.id)
        above = (p.texts_watermark or 0) if what == "add" and p is not None else 0  # "add": only texts above it
        answers = None
        if what in ("read", "add"):
            questions = text_questions(c, framework, questionnaires)
            answers = prefetched.texts_for(c.id, state[c.id], questions, watermark, above) if prefetched else None
            if answers is None:
                answers = read.read_texts(db, c.id, questions, watermark, above)
        data = CampaignData(c, respondents, tuple(sums_of.get(c.id, ())), tuple(options_of.get(c.id, ())), answers)
        questionnaire = questionnaires[read.questionnaire_key(c)]
        results.append(compute.compute_campaign(data, questionnaire, framework, min_group))
    return results, texts
