"""Typed records passed between the pipeline steps: read -> compute -> save.

Reading produces aggregates (sums per campaign and indicator, counts per answer option, free
texts); computing turns them into result rows in which suppression has already been applied; saving
writes those rows as they are. Shares are fractions (0-1), scores 0-100, NPS -100..100.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, dataclass_transform

SUPPRESSED = "min_group_size"
_Record = TypeVar("_Record")


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: type[_Record]) -> type[_Record]:
    """A frozen record to the type checker (mypy rejects any assignment to a field), built at the
    speed of a plain class with slots.

    `dataclass(frozen=True)` sets each field in `__init__` through `object.__setattr__`: an
    `IndicatorValue` took 2.0 us to build against 0.22 us, and a run over every campaign builds some
    200,000 records (a quarter of its time, docs/performance.md). Hash and equality stay those of a
    frozen dataclass; only a caller that mypy does not check could change a field.
    """
    return dataclass(slots=True, unsafe_hash=True)(cls)


@record
class CampaignInfo:
    """One wave of one stakeholder group of one enterprise: the unit that is recomputed."""

    id: int
    enterprise_id: int
    sector_group: str
    benchmark_consent: bool
    stakeholder_group: str
    questionnaire_id: str
    questionnaire_version: int
    closes_at: str
    closed: bool
    expected_population: int | None = None
    custom_questions: tuple[dict[str, Any], ...] = ()
    instruments: tuple[tuple[str, int], ...] = ()  # pinned (id, version), extra pages of its questionnaire


@record
class IndicatorSums:
    """Kept sums of one campaign's respondent scores for one indicator, exact integers of micro-points.

    `total` is the sum of the scores and `squares` the sum of their squares, both in units of
    1e-6 point (scoring.MICRO): exact, so any batching gives the same mean and variance.
    """

    indicator: str
    n: int
    total: int
    squares: int
    favourable: int
    published: tuple[int, int] | None = None  # (total, squares) of the published score, micro-points
    bands: Mapping[str, int] = field(default_factory=dict)  # respondents per band of the published score


@record
class OptionCount:
    """How many respondents gave one stored value to one question ("don't know" excluded)."""

    question_id: str
    value_num: float | None
    value_text: str | None
    count: int


@record
class TextAnswer:
    response_id: int
    question_id: str
    language: str
    text: str


@record
class CampaignData:
    """Everything read for one campaign."""

    campaign: CampaignInfo
    respondents: int
    indicators: tuple[IndicatorSums, ...]
    options: tuple[OptionCount, ...]
    texts: tuple[TextAnswer, ...] | None  # None: not read, the stored testimonies stay as they are


@record
class IndicatorValue:
    """One row of `indicator_value`; a suppressed row carries its key and nothing else. Its benchmark
    fields are not stored: they follow from the saved pools when it is read (domain/benchmarks.py)."""

    campaign_id: int
    enterprise_id: int
    stakeholder_group: str
    kind: str
    key: str
    questionnaire_id: str
    questionnaire_version: int
    suppressed: bool
    suppression_reason: str | None = None
    n: int | None = None
    mean: float | None = None
    sd: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    favourable_share: float | None = None
    previous_campaign_id: int | None = None
    delta: float | None = None
    delta_p: float | None = None
    delta_significant: bool | None = None
    published_mean: float | None = None  # the published score, where the indicator declares a scoring
    published_sd: float | None = None
    published_ci_low: float | None = None  # clipped to the published range
    published_ci_high: float | None = None

    def measured(self) -> tuple[int, float]:
        """n and mean of a shown value; a suppressed row has neither, so asking for them is a bug."""
        if self.n is None or self.mean is None:
            raise ValueError(f"{self.kind} {self.key} of campaign {self.campaign_id} has no n or mean")
        return self.n, self.mean


@record
class CustomResult:
    """One answer option of a question reported on its own (custom questions, single/multiple)."""

    campaign_id: int
    question_id: str
    option: str
    suppressed: bool
    count: int | None = None
    share: float | None = None
    n: int | None = None
    mean: float | None = None


@record
class BandShare:
    """Respondents of one band of an indicator's published score (only for a shown indicator)."""

    campaign_id: int
    indicator: str
    band: str
    count: int
    share: float


@record
class CampaignSummary:
    campaign_id: int
    submitted: int
    invited: int
    expected: int | None
    response_rate: float | None


@record
class CampaignResult:
    """Computed results of one campaign, ready to save (already suppressed)."""

    campaign_id: int
    values: tuple[IndicatorValue, ...]
    custom: tuple[CustomResult, ...]
    testimonies: tuple[TextAnswer, ...] | None  # None: keep the stored testimonies
    bands: tuple[BandShare, ...] = ()
