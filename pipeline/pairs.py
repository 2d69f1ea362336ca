"""Matching the linked answers of two waves of a series, from keyed hashes only (pure).

Rules, in this order (docs/methodology.md, "Distance travelled"):
1. A code hash found more than once in one wave (a shared card, a sibling with the same answers, a
   second answer) drops every response carrying it in that wave: we cannot tell which is whose.
2. Exact: a follow-up and a baseline response with the same code hash are a pair.
3. Fuzzy (question codes only): a response left unmatched in each wave that share the hash of the
   code with one element masked are a pair when that is unambiguous: each is the other's only
   candidate. Fuzzy pairs are counted separately.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Linked:
    response_id: int
    code_hash: str
    masks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, order=True)
class Pair:
    before: int
    after: int
    fuzzy: bool = False


def _unique(wave: Sequence[Linked]) -> list[Linked]:
    counts = Counter(r.code_hash for r in wave)
    return [r for r in wave if counts[r.code_hash] == 1]


def match(before: Sequence[Linked], after: Sequence[Linked]) -> list[Pair]:
    """The pairs between two waves, exact first, then unambiguous one-element fuzzy matches."""
    first, second = _unique(before), _unique(after)
    by_hash = {r.code_hash: r for r in first}
    pairs = [Pair(by_hash[r.code_hash].response_id, r.response_id) for r in second if r.code_hash in by_hash]
    paired_before = {p.before for p in pairs}
    paired_after = {p.after for p in pairs}
    left_before = [r for r in first if r.response_id not in paired_before and r.masks]
    left_after = [r for r in second if r.response_id not in paired_after and r.masks]
    by_mask: dict[str, set[int]] = defaultdict(set)
    for r in left_before:
        for mask in r.masks:
            by_mask[mask].add(r.response_id)
    candidates = {r.response_id: set().union(*(by_mask.get(m, set()) for m in r.masks)) for r in left_after}
    chosen_by: dict[int, list[int]] = defaultdict(list)
    for after_id, found in candidates.items():
        for before_id in found:
            chosen_by[before_id].append(after_id)
    fuzzy = [
        Pair(next(iter(found)), after_id, True)
        for after_id, found in candidates.items()
        if len(found) == 1 and len(chosen_by[next(iter(found))]) == 1
    ]
    return sorted(pairs + fuzzy)
