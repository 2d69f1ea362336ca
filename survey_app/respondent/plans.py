"""Survey pages rendered once, filled in per request.

Rendering a survey page with Jinja and WTForms cost most of a request (a field macro per question,
a lazy translation per label). Yet for a given questionnaire version, page and language the HTML
is always the same but for a few per-request parts: the chosen answers, the error messages, the
CSRF token, the page's own address. So the templates are rendered once with `hole()` markers in
those places, the result is cut into a `Plan` (fixed HTML and hole names alternating), and each
request only fills the holes: every value is escaped (markupsafe) unless it is Markup we rendered.

A page plan holds one hole per question; each question has its own plan (one without an error,
one with), so a question hidden by an answer on an earlier page is simply left out.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping

from markupsafe import Markup, escape

# A marker no questionnaire text can contain (a NUL byte and a random tag), so cutting is exact.
_TAG = f"\x00{secrets.token_hex(4)}:"
_HOLE = re.compile(re.escape(_TAG) + "([^\x00]*)\x00")
CHECKED = Markup(" checked")
MAX_PLANS = 512  # a few hundred campaigns with their own custom questions, three languages


def hole(*name: object) -> Markup:
    """A per-request part of a template rendered for a plan (`{{ hole("checked", value) }}`)."""
    return Markup(f"{_TAG}{':'.join(str(part) for part in name)}\x00")


def hole_name(*name: object) -> str:
    """The name under which `hole(*name)` is filled in."""
    return ":".join(str(part) for part in name)


# Template indentation: a run of white space that spans a line break, outside <textarea> and <pre>.
_INDENT = re.compile(r"(<textarea\b.*?</textarea>|<pre\b.*?</pre>)|[ \t\r\n]*\n[ \t\r\n]*", re.S)


def compact(html: str) -> str:
    """The same page with each run of template indentation cut to one line break: HTML shows any
    run of white space as one space, so a browser renders it alike, and a page is ~7% smaller.
    Text areas and preformatted text keep theirs (their white space is content)."""
    return _INDENT.sub(lambda found: found.group(1) or "\n", html)


class Plan:
    """Rendered HTML cut at its holes, ready to be filled in: the fixed parts with an empty slot
    for each hole, and where each hole's slots are (a hole may appear more than once)."""

    def __init__(self, parts: tuple[str, ...]):  # parts[0], name, parts[2], name, ... parts[-1]
        self.parts = parts
        self._slots = [part if index % 2 == 0 else "" for index, part in enumerate(parts)]
        self._where: dict[str, list[int]] = {}
        for index in range(1, len(parts), 2):
            self._where.setdefault(parts[index], []).append(index)

    @classmethod
    def cut(cls, html: str) -> Plan:
        return cls(tuple(_HOLE.split(compact(html))))

    @property
    def holes(self) -> tuple[str, ...]:
        return self.parts[1::2]

    def fill(self, values: Mapping[str, object]) -> Markup:
        """The page with each hole replaced by its value (escaped; absent values leave it empty).

        Only the values given are looked at: a page has dozens of holes (every option may be
        checked) and a request fills a handful of them."""
        out, where = list(self._slots), self._where
        for name, value in values.items():
            if value is not None and name in where:
                text = value if isinstance(value, Markup) else escape(value)
                for index in where[name]:
                    out[index] = text
        return Markup("".join(out))


class PlanCache:
    """Plans by key, shared by the server's threads; beyond `size` the oldest are dropped.

    Reads take no lock (a dict read is atomic); a miss renders outside the lock, so two threads
    may both render the same plan once, and the second simply replaces the first."""

    def __init__(self, size: int = MAX_PLANS):
        self.size, self._plans, self._lock = size, OrderedDict[Hashable, Plan](), threading.Lock()

    def get(self, key: Hashable, render: Callable[[], str]) -> Plan:
        plan = self._plans.get(key)
        if plan is None:
            plan = Plan.cut(render())
            with self._lock:
                self._plans[key] = plan
                while len(self._plans) > self.size:
                    self._plans.popitem(last=False)
        return plan

    def peek(self, key: Hashable, _render: object = None) -> Plan | None:
        """The plan if it was rendered already (the fast path never renders: it needs Flask)."""
        return self._plans.get(key)

    def __len__(self) -> int:
        return len(self._plans)
