"""Read the saved results a chart shows and build its spec: every chart of an enterprise (for a
page's titles and alt texts) or one chart by name (for its image, without reading the others).

Names: `profile-c<campaign>`, `indicators-c<campaign>`, `nps-c<campaign>`, `trends-<group>`,
`response-rates`. Only the pipeline's stored, already-suppressed rows are read, plus the NPS
score counts, which are shown only when at least `min_group` people answered.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict

from sqlite_utils import Database

from pipeline.charts.specs import ChartSpec, nps_spec, rates_spec, trends_spec, wave_spec
from survey_app.domain import response_rates
from survey_app.questionnaire.loader import parse_questionnaire
from survey_app.questionnaire.model import Framework

WAVE_CHART = re.compile(r"(profile|indicators|nps)-c(\d{1,10})")
CAMPAIGNS_SQL = (
    "SELECT id, title, stakeholder_group, questionnaire_id, questionnaire_version, closes_at, expected_population "
    "FROM campaign WHERE enterprise_id = ? ORDER BY closes_at, id"
)
Cells = dict[str, dict]  # "kind:key" -> stored indicator_value row


class Source:
    """The stored results of one enterprise, read lazily and at most once per look-up."""

    def __init__(self, db: Database, framework: Framework, enterprise_id: int, min_group: int):
        self.db, self.framework, self.enterprise_id, self.min_group = db, framework, enterprise_id, min_group

    @functools.cached_property
    def campaigns(self) -> list[dict]:
        return list(self.db.query(CAMPAIGNS_SQL, [self.enterprise_id]))

    @functools.cached_property
    def values(self) -> dict[int, Cells]:
        values: dict[int, Cells] = defaultdict(dict)
        for row in self.db.query("SELECT * FROM indicator_value WHERE enterprise_id = ?", [self.enterprise_id]):
            values[row["campaign_id"]][f"{row['kind']}:{row['key']}"] = row
        return values

    def with_results(self) -> list[dict]:
        return [c for c in self.campaigns if c["id"] in self.values]

    def names(self) -> list[str]:
        waves = self.with_results()
        groups = sorted({c["stakeholder_group"] for c in waves})
        groups = [g for g in groups if sum(c["stakeholder_group"] == g for c in waves) > 1]  # a trend needs 2 waves
        per_wave = [f"{kind}-c{c['id']}" for c in waves for kind in ("profile", "indicators", "nps")]
        return ["response-rates", *(f"trends-{g}" for g in groups), *per_wave]

    def spec(self, name: str, language: str) -> ChartSpec | None:
        if name == "response-rates":
            rates = response_rates.for_campaigns(self.db, self.campaigns)
            return rates_spec(self.enterprise_id, self.campaigns, rates, language)
        if name.startswith("trends-"):
            waves = [c for c in self.with_results() if c["stakeholder_group"] == name.removeprefix("trends-")]
            if len(waves) < 2:
                return None  # one wave is not a trend
            dims = {c["id"]: _of_kind(self.values[c["id"]], "dimension") for c in waves}
            group = waves[0]["stakeholder_group"]
            return trends_spec(self.enterprise_id, group, waves, dims, self.framework, language, self.min_group)
        match = WAVE_CHART.fullmatch(name)
        campaign = next((c for c in self.with_results() if match and c["id"] == int(match[2])), None)
        if match is None or campaign is None:
            return None
        cells = self.values[campaign["id"]]
        if match[1] == "nps":
            row = next((v for k, v in cells.items() if k.startswith("nps:")), None)
            score = None if row is None or row["suppressed"] else row["mean"]
            counts = nps_counts(self.db, campaign, self.min_group)
            return nps_spec(self.enterprise_id, campaign, counts, score, language, self.min_group)
        kind = "dimension" if match[1] == "profile" else "indicator"
        rows = _of_kind(cells, kind)
        if not rows:
            return None  # nothing of this kind was measured in that wave: no empty chart
        return wave_spec(match[1], self.enterprise_id, campaign, rows, self.framework, language, self.min_group)


def _of_kind(cells: Cells, kind: str) -> dict[str, dict]:
    return {k.split(":", 1)[1]: v for k, v in cells.items() if k.startswith(f"{kind}:")}


def enterprise_specs(db: Database, framework: Framework, enterprise_id: int, language: str, min_group: int) -> dict:
    """Every chart of one enterprise in one language, by name."""
    source = Source(db, framework, enterprise_id, min_group)
    specs = {name: source.spec(name, language) for name in source.names()}
    return {name: spec for name, spec in specs.items() if spec is not None}


def one_spec(
    db: Database, framework: Framework, enterprise_id: int, name: str, language: str, min_group: int
) -> ChartSpec | None:
    """One chart's spec, reading only what that chart shows."""
    return Source(db, framework, enterprise_id, min_group).spec(name, language)


def load_specs(
    db: Database, framework: Framework, enterprise_ids: list[int], languages: dict[int, list[str]], min_group: int
) -> list[ChartSpec]:
    """Every chart of the given enterprises in the requested languages."""
    specs: list[ChartSpec] = []
    for enterprise_id in enterprise_ids:
        for language in languages[enterprise_id]:
            specs += enterprise_specs(db, framework, enterprise_id, language, min_group).values()
    return specs


def nps_counts(db: Database, campaign: dict, min_group: int) -> dict[int, int] | None:
    """Score distribution of the campaign's nps question; None when fewer than `min_group` answered it."""
    source = db.execute(
        "SELECT source FROM questionnaire WHERE id = ? AND version = ?",
        [campaign["questionnaire_id"], campaign["questionnaire_version"]],
    ).fetchone()
    if source is None:
        return None
    question = next((q for q in _parsed(source[0], campaign["questionnaire_id"]).questions if q.type == "nps"), None)
    if question is None:
        return None
    counts = {
        int(v): n
        for v, n in db.execute(
            "SELECT a.value_num, COUNT(*) FROM answer a JOIN response r ON r.id = a.response_id "
            "WHERE r.campaign_id = ? AND a.question_id = ? AND a.value_num IS NOT NULL GROUP BY a.value_num",
            [campaign["id"], question.id],
        )
    }
    return counts if sum(counts.values()) >= min_group else None


@functools.lru_cache(maxsize=64)
def _parsed(source: str, name: str):
    # Stored versions were validated against the framework when registered.
    return parse_questionnaire(source, f"stored questionnaire {name}", None)
