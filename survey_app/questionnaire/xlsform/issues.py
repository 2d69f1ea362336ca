"""What an import finds: refusals, unsupported features, warnings and notes, each naming its place.

Texts are message templates marked with `N_` (extracted into the catalogs) and formatted with
their parameters: in English for the CLI, in the admin's language in the back office, which
passes its `gettext`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from survey_app.questionnaire.rules import Problem, QuestionnaireError

Gettext = Callable[[str], str]

# Severities: a refusal always stops the import; an unsupported feature stops it unless the
# admin drops those questions (--skip-unsupported); warnings and notes never stop it.
REFUSAL, UNSUPPORTED, WARNING, NOTE = "refusal", "unsupported", "warning", "note"


def N_(text: str) -> str:
    """Marks a template for the catalogs; it is translated where it is shown."""
    return text


def _same(text: str) -> str:
    return text


@dataclass(frozen=True)
class Place:
    sheet: str = ""
    row: int | None = None
    column: str = ""

    def text(self, gettext: Gettext = _same) -> str:
        if self.row is not None and self.column:
            return gettext(N_("sheet “%(sheet)s”, row %(row)s, column “%(column)s”")) % self.__dict__
        if self.row is not None:
            return gettext(N_("sheet “%(sheet)s”, row %(row)s")) % self.__dict__
        if self.sheet:
            return gettext(N_("sheet “%(sheet)s”")) % self.__dict__
        return gettext(N_("workbook"))


@dataclass(frozen=True)
class Issue:
    severity: str
    place: Place
    message: str
    fix: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    question: str | None = None  # XLSForm name of the question concerned, if any
    dropped: bool = False  # an unsupported row left out under --skip-unsupported

    def parts(self, gettext: Gettext = _same) -> tuple[str, str, str]:
        """(place, message, fix) in the language of `gettext`."""
        params = {k: gettext(v) if k in TRANSLATED_PARAMS else v for k, v in self.params.items()}
        message = gettext(self.message) % params
        if self.dropped:
            return self.place.text(gettext), gettext(N_("left out: %(reason)s")) % {"reason": message}, ""
        fix = gettext(self.fix) % params if self.fix else ""
        return self.place.text(gettext), message, fix

    def text(self, gettext: Gettext = _same) -> str:
        place, message, fix = self.parts(gettext)
        return f"{place}: {message}" + (f". {gettext(N_('Fix'))}: {fix}." if fix else ".")

    def left_out(self) -> Issue:
        """The same problem, now a warning: its question was left out (--skip-unsupported)."""
        return Issue(WARNING, self.place, self.message, self.fix, self.params, self.question, dropped=True)


# Parameters that are themselves template texts (feature names), translated before formatting.
TRANSLATED_PARAMS = ("feature",)


class XLSFormError(QuestionnaireError):
    """A workbook the import refuses; one problem per issue, so the CLI prints one line each."""

    def __init__(self, source: str, issues: list[Issue]):
        self.issues = issues
        super().__init__([Problem(source, *_problem_parts(issue)) for issue in issues])


def _problem_parts(issue: Issue) -> tuple[str, str, str]:
    place, message, fix = issue.parts()
    return place, message, fix.rstrip(".") or "see the message"


# The fix of every unsupported feature.
FIX_SKIP = N_("remove the row, or import with --skip-unsupported to drop this question with a warning")
