"""No differencing between the means of one wave over overlapping groups (pure).

A wave's mean for an indicator is published over all its respondents, and again, as "before" or
"after", over the matched respondents of each pair of waves it belongs to. Two such groups that
differ by fewer than `min_group` people would let a reader work out those people's scores by
subtraction (12 respondents, 11 of them matched: the twelfth's score). So the before and after
means of a pair of waves are hidden (the mean change stays) when either group differs from the
whole wave, or from a group already published for that wave, by 1 to min_group - 1 people. Equal
groups give equal means and reveal nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from pipeline.paired import PairedStats

Group = frozenset[int]
WavePair = tuple[int, int]


def _too_close(group: Group, published: list[Group], min_group: int) -> bool:
    return any(0 < len(group ^ other) < min_group for other in published)


def hide_close_means(
    results: Mapping[WavePair, Mapping[str, PairedStats]],
    groups: Mapping[WavePair, Mapping[str, tuple[Group, Group]]],
    whole_waves: Mapping[tuple[int, str], Group],
    min_group: int,
) -> dict[WavePair, dict[str, PairedStats]]:
    """The results with mean_before / mean_after set to None where they would allow differencing.

    Wave pairs are taken in order (earlier pairs keep their means first), so the outcome does not
    depend on the order of a dictionary.
    """
    published: dict[tuple[int, str], list[Group]] = {key: [group] for key, group in whole_waves.items()}
    out: dict[WavePair, dict[str, PairedStats]] = {}
    for pair in sorted(results):
        out[pair] = {}
        for indicator, stats in sorted(results[pair].items()):
            if stats.suppressed:
                out[pair][indicator] = stats
                continue
            before, after = groups[pair][indicator]
            keys = ((pair[0], indicator), (pair[1], indicator))
            if any(_too_close(g, published.get(k, []), min_group) for g, k in zip((before, after), keys)):
                out[pair][indicator] = replace(stats, mean_before=None, mean_after=None)
                continue
            for g, k in zip((before, after), keys):
                published.setdefault(k, []).append(g)
            out[pair][indicator] = stats
    return out
