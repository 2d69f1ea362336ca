"""Compute step: pure functions from one campaign's aggregates to result rows.

Small-group suppression happens here, before anything reaches the save step: a figure behind
fewer than `min_group` respondents becomes a row with its key and reason only, so no later reader
(dashboard, export, chart) can leak it. Floats are rounded to 9 decimals so that reruns, and
incremental versus full runs, give byte-identical rows whatever order SQLite summed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pipeline.model import (
    SUPPRESSED,
    CampaignData,
    CampaignInfo,
    CampaignResult,
    CampaignSummary,
    CustomResult,
    IndicatorSums,
    IndicatorValue,
    OptionCount,
)
from pipeline.published_scores import band_shares, declared, published_figures
from pipeline.scoring import MICRO
from pipeline.stats import clipped_interval, exact_mean_sd, rounded
from survey_app.questionnaire.model import FIXED_RANGES, Framework, Questionnaire, format_value
from survey_app.questionnaire.scoring import Scoring

DISTRIBUTION_TYPES = ("single", "multiple")
SCALE = (0.0, 100.0)  # indicator scores; confidence intervals are clipped to it


@dataclass(frozen=True)
class Layout:
    """What the rules need of one questionnaire version, worked out once (not once per campaign)."""

    indicators: tuple[str, ...]  # framework indicators with at least one scored item, in framework order
    dimensions: tuple[tuple[str, tuple[str, ...]], ...]  # (dimension, its indicators of the framework)
    nps: tuple[str, ...]
    options: tuple[str, ...]  # questions whose answers are counted (NPS and choices)
    texts: tuple[str, ...]
    reported: tuple[dict[str, Any], ...]  # choice questions reported per option
    scorings: dict[str, Scoring | None]  # each indicator's declared scoring, if any


_LAYOUTS: dict[int, tuple[Questionnaire, Framework, Layout]] = {}


def layout(questionnaire: Questionnaire, framework: Framework) -> Layout:
    """The questionnaire's Layout, cached while the same objects are in use."""
    hit = _LAYOUTS.get(id(questionnaire))
    if hit and hit[0] is questionnaire and hit[1] is framework:
        return hit[2]
    questions = questionnaire.questions
    scored = {q.indicator for q in questions if q.scored and q.indicator}
    made = Layout(
        indicators=tuple(i.id for i in framework.indicators if i.id in scored),
        dimensions=tuple((d.id, tuple(i.id for i in framework.indicators_of(d.id))) for d in framework.dimensions),
        nps=tuple(q.id for q in questions if q.type == "nps"),
        options=tuple(q.id for q in questions if q.type == "nps" or q.type in DISTRIBUTION_TYPES),
        texts=tuple(q.id for q in questions if q.type == "text"),
        reported=tuple(
            {"id": q.id, "type": q.type, "options": [{"value": o.value} for o in q.options]}
            for q in questions
            if q.type in DISTRIBUTION_TYPES
        ),
        scorings={key: declared(questionnaire, key) for key in scored},
    )
    if len(_LAYOUTS) > 256:
        _LAYOUTS.clear()
    _LAYOUTS[id(questionnaire)] = (questionnaire, framework, made)
    return made


def question_plan(
    campaign: CampaignInfo, questionnaire: Questionnaire, framework: Framework
) -> tuple[list[str], list[str]]:
    """Ids of questions whose option counts are kept, and of free-text questions."""
    known = layout(questionnaire, framework)
    options, texts = list(known.options), list(known.texts)
    for raw in campaign.custom_questions:
        (texts if raw.get("type") == "text" else options).append(str(raw.get("id")))
    return options, texts


def _value(campaign: CampaignInfo, kind: str, key: str, n: int, mean: float | None, **figures: Any) -> IndicatorValue:
    """A shown row: the campaign's identifying columns, then its figures (positional where it is hot:
    a run over every campaign builds tens of thousands of these)."""
    c = campaign
    return IndicatorValue(
        c.id, c.enterprise_id, c.stakeholder_group, kind, key, c.questionnaire_id, c.questionnaire_version,
        False, None, n, mean, **figures,
    )  # fmt: skip


def _suppressed(campaign: CampaignInfo, kind: str, key: str) -> IndicatorValue:
    c = campaign
    return IndicatorValue(
        c.id, c.enterprise_id, c.stakeholder_group, kind, key, c.questionnaire_id, c.questionnaire_version,
        True, SUPPRESSED,
    )  # fmt: skip


def indicator_value(
    campaign: CampaignInfo, key: str, sums: IndicatorSums | None, min_group: int, scoring: Scoring | None = None
) -> IndicatorValue:
    """n, mean, sd, 95% Student-t interval (clipped to 0-100) and favourable share, or a suppressed row;
    with a declared scoring also the published score's mean, sd and interval (clipped to its range).

    The kept sums are exact integers, so the variance of identical scores is exactly 0 (a one-pass
    float formula gave 1.3e-06, and a "significant" trend with p = 0 followed).
    """
    if sums is None or sums.n < min_group or sums.n < 2:
        return _suppressed(campaign, "indicator", key)
    n = sums.n
    mean, sd = exact_mean_sd(n, sums.total, sums.squares, MICRO)
    low, high = clipped_interval(n, mean, sd, SCALE)
    p_mean, p_sd, p_low, p_high = published_figures(n, sums.published, scoring, MICRO)
    return _value(
        campaign,
        "indicator",
        key,
        n,
        rounded(mean),
        sd=rounded(sd),
        ci_low=low,
        ci_high=high,
        favourable_share=rounded(sums.favourable / n),
        published_mean=p_mean,
        published_sd=p_sd,
        published_ci_low=p_low,
        published_ci_high=p_high,
    )


def dimension_values(
    campaign: CampaignInfo, dimensions: tuple[tuple[str, tuple[str, ...]], ...], indicators: dict[str, IndicatorValue]
) -> list[IndicatorValue]:
    """Unweighted mean of the dimension's shown indicator means; n is the smallest of their n.

    Suppressed indicators are left out (never averaged in), so a dimension cannot reveal them.
    """
    rows = []
    for dimension_id, members_ids in dimensions:
        members = [indicators[i] for i in members_ids if i in indicators]
        if not members:
            continue
        shown = [v for v in members if not v.suppressed]
        if not shown:
            rows.append(_suppressed(campaign, "dimension", dimension_id))
            continue
        measured = [v.measured() for v in shown]
        mean = sum(m for _, m in measured) / len(measured)
        rows.append(_value(campaign, "dimension", dimension_id, min(n for n, _ in measured), rounded(mean)))
    return rows


def nps_value(
    campaign: CampaignInfo, question_id: str, counts: Iterable[OptionCount], min_group: int
) -> IndicatorValue:
    """Net Promoter Score: % answering 9-10 minus % answering 0-6."""
    numeric = [(c.value_num, c.count) for c in counts if c.value_num is not None]
    n = sum(count for _, count in numeric)
    if n < min_group:
        return _suppressed(campaign, "nps", question_id)
    promoters = sum(count for value, count in numeric if value >= 9)
    detractors = sum(count for value, count in numeric if value <= 6)
    return _value(
        campaign,
        "nps",
        question_id,
        n,
        rounded((promoters - detractors) / n * 100.0),
        favourable_share=rounded(promoters / n),
    )


def custom_results(
    campaign: CampaignInfo, question: dict[str, Any], counts: list[OptionCount], min_group: int
) -> list[CustomResult]:
    """Distribution of one question over its options (and the mean 0-100 score of a scale)."""
    qtype = question.get("type")
    if qtype in FIXED_RANGES:
        low, high = FIXED_RANGES[qtype]
        options = [str(v) for v in range(int(low), int(high) + 1)]
    else:
        options = [format_value(o["value"]) for o in question.get("options", [])]
    tally = dict.fromkeys(options, 0)
    n, score_total = 0, 0.0
    for c in counts:
        chosen = format_value(c.value_num) if c.value_num is not None else c.value_text or ""
        picks = chosen.split() if qtype == "multiple" else [chosen]
        n += c.count
        for pick in picks:
            tally[pick] = tally.get(pick, 0) + c.count
        if qtype in FIXED_RANGES and c.value_num is not None:
            score_total += (c.value_num - low) / (high - low) * 100.0 * c.count
    qid = str(question.get("id"))
    if n < min_group:
        return [CustomResult(campaign.id, qid, option, True) for option in tally]
    mean = rounded(score_total / n) if qtype in FIXED_RANGES else None
    return [
        CustomResult(campaign.id, qid, option, False, count, rounded(count / n), n, mean)
        for option, count in tally.items()
    ]


def compute_campaign(
    data: CampaignData, questionnaire: Questionnaire, framework: Framework, min_group: int
) -> CampaignResult:
    """All result rows of one campaign, suppressed where fewer than `min_group` respondents."""
    campaign = data.campaign
    known = layout(questionnaire, framework)
    sums = {s.indicator: s for s in data.indicators}
    scorings = known.scorings
    indicators = {
        key: indicator_value(campaign, key, sums.get(key), min_group, scorings[key]) for key in known.indicators
    }
    bands = tuple(b for key, v in indicators.items() for b in band_shares(v, sums.get(key), scorings[key]))
    by_question: dict[str, list[OptionCount]] = {}
    for c in data.options:
        by_question.setdefault(c.question_id, []).append(c)
    nps = [nps_value(campaign, qid, by_question.get(qid, []), min_group) for qid in known.nps]
    values = (*indicators.values(), *dimension_values(campaign, known.dimensions, indicators), *nps)
    reported = [*known.reported, *(q for q in campaign.custom_questions if q.get("type") != "text")]
    custom = tuple(
        row for q in reported for row in custom_results(campaign, q, by_question.get(str(q.get("id")), []), min_group)
    )
    testimonies = None if data.texts is None else data.texts if data.respondents >= min_group else ()
    return CampaignResult(campaign.id, tuple(values), custom, testimonies, bands)


def compute_summary(campaign: CampaignInfo, submitted: int, invited: int) -> CampaignSummary:
    """Response rate: submitted over the expected population when given (open links), else invitations."""
    denominator = campaign.expected_population or invited
    rate = rounded(submitted / denominator) if denominator else None
    return CampaignSummary(campaign.id, submitted, invited, campaign.expected_population, rate)
