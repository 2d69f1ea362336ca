"""The methodology in plain words (FR/NL/EN): a summary of docs/methodology.md for managers and
readers of the report. One source for the methodology page, the report appendix and the PDF.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _

from pipeline.paired import MIN_CHANGE
from survey_app.questionnaire.instruments import Instrument
from survey_app.results import instrument_methodology
from survey_app.web.i18n import current_language


def sections(min_group: int, min_peers: int, instruments: Sequence[Instrument] = ()) -> list[tuple[str, str]]:
    """(heading, paragraph) pairs in the current language, with the configured thresholds, then the
    validated instruments given (their citation and published scoring)."""
    return _product_sections(min_group, min_peers) + instrument_methodology.sections(instruments, current_language())


def _product_sections(min_group: int, min_peers: int) -> list[tuple[str, str]]:
    return [
        (
            _("Scores from 0 to 100"),
            _(
                "Each answer to a rating question becomes a score from 0 (least favourable) to 100 (most "
                "favourable), in a straight line over the answer scale: on a five-point agreement scale, "
                '"strongly disagree" is 0, "agree" 75 and "strongly agree" 100. Questions asked the other '
                'way round count the other way. "Don\'t know" never counts as zero: it is left out.'
            ),
        ),
        (
            _("Indicators and dimensions"),
            _(
                "A person's score for an indicator is the mean of their answers to its questions, when they "
                "answered at least half of them. The indicator shows the mean of these scores, how many people "
                "it is based on (n), a %(pct)d%% confidence interval and the favourable share: the share of "
                "people scoring 75 or more. A dimension is the plain mean of its indicators.",
                pct=95,
            ),
        ),
        (
            _("Reading a confidence interval"),
            _(
                "With few answers, a mean is uncertain. The interval gives the range in which the value for "
                "everyone concerned probably lies: narrow with many answers, wide with few. Two figures whose "
                "intervals overlap a lot may not really differ."
            ),
        ),
        (
            _("Net Promoter Score"),
            _(
                'For the question "would you recommend..." (0 to 10): the percentage of people answering 9 or '
                "10 minus the percentage answering 0 to 6, from -100 to +100."
            ),
        ),
        (
            _("Small groups stay anonymous"),
            _(
                'No figure based on fewer than %(n)d people is shown, exported or drawn: it reads "fewer than '
                '%(n)d answers". Testimonies are shown only when at least %(n)d people answered, and the '
                "enterprise can leave any quote out of the report.",
                n=min_group,
            ),
        ),
        (
            _("Rounded figures"),
            _(
                "Figures are published as whole numbers on the dashboard, in charts, in the report and in the "
                "digest, and with one decimal at most in the open data API. Finer figures would let someone "
                "who compares two successive results work out the answers of the person who answered in "
                "between."
            ),
        ),
        (
            _("Change since the previous wave"),
            _(
                "Waves of the same stakeholder group are compared in the order they closed. A change is marked "
                "significant when a statistical test (Welch's t-test, p < 0.05) says that a difference that "
                "large would be rare if nothing had really changed."
            ),
        ),
        (
            _("Comparison with similar enterprises"),
            _(
                "An enterprise is compared with enterprises of the same sector group that agreed to share their "
                "results, for the same stakeholder group, using each one's latest wave closed in the last 24 "
                "months. The comparison is shown only with at least %(n)d such enterprises, as their median "
                "and middle half. They are never named. On the dashboard a dot shows the enterprise's score, a "
                'box the middle half of similar enterprises and a line their median; "better than 7 of the 9" '
                "counts the similar enterprises with a lower score.",
                n=min_peers,
            ),
        ),
        (
            _("Open waves move in steps"),
            _(
                "While a wave is open, its figures change only once at least %(n)d more people have answered "
                "since they were last shown, so that no one's answers can be worked out by comparing two "
                "versions of the figures. When the wave closes, its final figures are shown.",
                n=min_group,
            ),
        ),
        (
            _("Response rate"),
            _(
                "Answers through personal links divided by the personal links handed out, and answers through "
                "the open link divided by the expected number of people, shown apart and together: all answers "
                "divided by the links handed out plus the expected number. When open-link answers have no "
                "expected number, the rate together is not known."
            ),
        ),
        (
            _("Distance travelled"),
            _(
                "In a follow-up series, people who agree link their answers of one wave to the next with a code "
                "only they hold (answers to a few stable questions, or a code card); no name, no e-mail and no "
                "code is kept, only a scrambled form of it. For each indicator, the table compares the same "
                "people before and after: their mean score in each wave, the mean change with its %(pct)d%% "
                "confidence interval, and a paired test, flagged when the change is unlikely to be chance "
                "(p < 0.05). The shares of people who improved, stayed the same or worsened count a change of "
                "%(change)d points or more, are shown only from %(twice)d pairs and rounded to the nearest 10%%. "
                "Nothing is shown from fewer than %(n)d pairs, and only closed waves are compared.",
                pct=95,
                change=int(MIN_CHANGE),
                twice=2 * min_group,
                n=min_group,
            ),
        ),
        (
            _("Reading the distance travelled"),
            _(
                "The people who link their answers may differ from the others: those who stay, or who agree to "
                "be followed, are often those for whom things go better. A change is that of the linked people, "
                "not of everyone. The match rate says how many follow-up answers could be linked. A code typed "
                "with one different answer is matched only when no one else could be meant; such matches are "
                "counted apart. When a code appears twice in one wave, those answers are left out."
            ),
        ),
        (
            _("Numbers and words together"),
            _(
                "Following the VISES approach, figures are read beside testimonies and the enterprise's own "
                "questions: the impact of an enterprise cannot be summed up in one number."
            ),
        ),
    ]
