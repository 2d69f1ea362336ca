"""Work of a `--full` rebuild done during its scoring batch, beside the scoring helper.

A rebuild reads every wave's free texts again and computes every wave from its kept sums: seconds
of one core at 1M responses, after the batch, with the other core idle. With a helper, this
process calls `step` after it lands each chunk and while it waits for the helper to land the one
below (batch.py): a step takes a few waves whose responses have all landed and reads, in one
snapshot, their state, kept sums and texts, then computes them; the helper meanwhile claims the
next chunks, so the batch's two cores stay busy and little is left for after it.

The plan takes what was done instead of doing it again where it would do the same: the same texts
mode (publish.texts_to_read), the same watermark, and the same state in its own snapshot
(respondents and generation). Every change to a wave's kept sums (a chunk landing, a rebuild)
moves its generation, and a response appearing at or below a watermark makes a batch rebuild the
wave, so an equal state means the same sums and the same texts, but for erasures (below).

The texts are read before the plan's snapshot, as they would be by a plan that ran then. An erasure
after that (retention, a person's request) takes its stored testimonies with it but not the ones
the run is about to write; `save.save_all` drops, in its transaction, every testimony of the run
whose response is gone, as the erasure's cascade would have.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlite_utils import Database

from pipeline import compute, kept_sums, read
from pipeline.model import CampaignData, CampaignInfo, CampaignResult, TextAnswer
from survey_app.questionnaire.model import Framework

# What a step did for a wave: its state (respondents, generation), its texts, and its result computed
# with them (with none under the minimum group, as the plan does).
Early = tuple[tuple[int, int], tuple[TextAnswer, ...], CampaignResult]
WAVES_PER_STEP = 16  # waves computed in one step: their sums are read together (one step ~10 ms at 1M)


def text_questions(
    campaign: CampaignInfo, framework: Framework, questionnaires: read.Questionnaires
) -> tuple[str, ...]:
    """A wave's text questions, sorted: those whose answers its testimonies are (plan.py reads them)."""
    questionnaire = questionnaires[read.questionnaire_key(campaign)]
    return tuple(sorted(set(compute.question_plan(campaign, questionnaire, framework)[1])))


class Prefetch:
    """Texts and results of waves whose responses have all landed, a few per step, for a batch up
    to one watermark."""

    def __init__(
        self,
        db: Database,
        campaigns: Sequence[CampaignInfo],
        framework: Framework,
        questionnaires: read.Questionnaires,
        min_group: int,
    ) -> None:
        self.db, self.framework, self.questionnaires, self.min_group = db, framework, questionnaires, min_group
        last = dict(db.execute("SELECT campaign_id, MAX(id) FROM response GROUP BY campaign_id").fetchall())
        self.waves = sorted(campaigns, key=lambda c: (last.get(c.id, 0), c.id))  # in the order they land
        self.last = [last.get(c.id, 0) for c in self.waves]
        self.questions = {c.id: text_questions(c, framework, questionnaires) for c in campaigns}
        self.high: int | None = None
        self.done = 0  # waves[:done] are in `early`
        self.early: dict[int, Early] = {}  # by campaign id

    def step(self, high: int, landed: int) -> bool:
        """Compute up to WAVES_PER_STEP waves of the batch up to `high` whose responses are at or
        below `landed` (they have landed); whether the next step has any such wave. A batch to
        another `high` (a second batch) starts again: what was read was read to another bound."""
        if self.high != high:
            self.high, self.done, self.early = high, 0, {}
        ready = self.done
        while ready < len(self.waves) and ready - self.done < WAVES_PER_STEP and self.last[ready] <= landed:
            ready += 1
        if ready > self.done:
            self._compute(self.waves[self.done : ready], high)
            self.done = ready
        return self.done < len(self.waves) and self.last[self.done] <= landed

    def _compute(self, waves: Sequence[CampaignInfo], high: int) -> None:
        """Read the waves' state, kept sums and texts in one snapshot, and compute them."""
        ids = [c.id for c in waves]
        self.db.conn.execute("BEGIN")
        try:
            marks = ", ".join("?" for _ in ids)
            state = {
                row[0]: (row[1], row[2])
                for row in self.db.execute(
                    f"SELECT campaign_id, responses, generation FROM score_campaign WHERE campaign_id IN ({marks})", ids
                )
            }
            sums_of, options_of = kept_sums.load_sums(self.db, ids), kept_sums.load_options(self.db, ids)
            texts = {c.id: read.read_texts(self.db, c.id, self.questions[c.id], high) for c in waves}
        finally:
            self.db.conn.execute("COMMIT")
        for c in waves:
            st = state.get(c.id, (0, 0))
            data = CampaignData(
                c, st[0], tuple(sums_of.get(c.id, ())), tuple(options_of.get(c.id, ())),
                texts[c.id] if st[0] >= self.min_group else None,
            )  # fmt: skip
            questionnaire = self.questionnaires[read.questionnaire_key(c)]
            self.early[c.id] = (
                st,
                texts[c.id],
                compute.compute_campaign(data, questionnaire, self.framework, self.min_group),
            )

    def _early(self, campaign_id: int, state: tuple[int, int], watermark: int) -> Early | None:
        """What a step did for the wave, if it did it to this watermark and in this state."""
        early = self.early.get(campaign_id)
        return early if early is not None and watermark == self.high and early[0] == state else None

    def texts_for(
        self, campaign_id: int, state: tuple[int, int], question_ids: Iterable[str], watermark: int, above: int
    ) -> tuple[TextAnswer, ...] | None:
        """The texts `read.read_texts(db, campaign_id, question_ids, watermark, above)` gives for a
        wave in `state` (respondents, generation), if they were read so; None if not (the caller
        reads them)."""
        early = self._early(campaign_id, state, watermark)
        if early is None or above or tuple(sorted(set(question_ids))) != self.questions.get(campaign_id):
            return None
        return early[1]

    def result_for(self, campaign_id: int, state: tuple[int, int], texts: str, watermark: int) -> CampaignResult | None:
        """The wave's result as the plan computes it in `texts` mode ("read" or "none") from kept
        sums in `state`, up to `watermark`, if it was computed so; None if not (the caller computes it)."""
        early = self._early(campaign_id, state, watermark)
        if early is None or texts not in ("read", "none") or (texts == "read") != (state[0] >= self.min_group):
            return None
        return early[2]
