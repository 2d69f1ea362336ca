"""Paired statistics and matching, against figures computed by hand (pipeline/paired.py, pairs.py)."""

from __future__ import annotations

import math

import pytest

from pipeline.overlap import hide_close_means
from pipeline.paired import MIN_CHANGE, PairedStats, paired_stats
from pipeline.pairs import Linked, Pair, match
from survey_app.core.published import tens, whole

# Changes 10, 10, 0, 20, -10: mean 6; squared deviations 16+16+36+196+256 = 520; variance 520/4 = 130;
# standard error sqrt(130/5) = 5.0990; t = 6/5.0990 = 1.1767 with 4 degrees of freedom;
# t(0.975, 4) = 2.7764 (tables) so the interval is 6 +/- 14.157; two-sided p = 0.3046 (tables).
FIVE = [(40.0, 50.0), (50.0, 60.0), (60.0, 60.0), (70.0, 90.0), (80.0, 70.0)]


def test_five_pairs_by_hand():
    s = paired_stats(FIVE, matched=5, fuzzy_pairs=1, follow_ups=8, min_group=5)
    assert not s.suppressed and s.pairs == 5 and s.fuzzy_pairs == 1
    assert s.mean_before == 60.0 and s.mean_after == 66.0 and s.mean_change == 6.0
    assert s.ci_low == pytest.approx(6 - 2.776445 * math.sqrt(26), abs=1e-5)
    assert s.ci_high == pytest.approx(20.1571, abs=1e-4)
    assert s.p_value == pytest.approx(0.30456, abs=1e-5) and s.significant is False
    assert s.match_rate == 62.5  # 5 pairs of 8 follow-up responses
    assert (s.improved, s.unchanged, s.worsened) == (None, None, None)  # fewer than 2 * 5 pairs
    assert (whole(s.mean_change), whole(s.ci_low), whole(s.ci_high)) == (6, -8, 20)


def test_four_pairs_are_suppressed_five_are_not():
    four = paired_stats(FIVE[:4], matched=4, fuzzy_pairs=0, follow_ups=8, min_group=5)
    assert four.suppressed and four.pairs == 4
    assert (four.mean_change, four.ci_low, four.p_value, four.match_rate, four.improved) == (None,) * 5
    assert not paired_stats(FIVE, matched=5, fuzzy_pairs=0, follow_ups=8, min_group=5).suppressed


def test_ties_at_the_minimum_change_and_shares_from_ten_pairs():
    changes = [10, 10, 10, 0, 0, 5, -5, -10, 20, -9.99]  # +10 is improved, -10 worsened, -9.99 unchanged
    assert MIN_CHANGE == 10.0
    s = paired_stats([(50.0, 50.0 + c) for c in changes], matched=10, fuzzy_pairs=0, follow_ups=10, min_group=5)
    assert (s.improved, s.unchanged, s.worsened) == (40, 50, 10)
    # mean change 3.001: sum 30.01 / 10; one more "worsened" person would move a share by 10 points
    assert s.mean_change == pytest.approx(3.001)


def test_a_significant_change_is_flagged():
    # Changes 8, 10, 12, 9, 11: mean 10, variance (4+0+4+1+1)/4 = 2.5, t = 10 / sqrt(0.5) = 14.14, p < 0.001.
    s = paired_stats([(40.0, 40.0 + c) for c in (8, 10, 12, 9, 11)], 5, 0, 5, 5)
    assert s.significant is True and s.p_value < 0.001


def test_all_differences_equal_gives_no_interval_and_no_test():
    s = paired_stats([(40.0 + i, 45.0 + i) for i in range(6)], 6, 0, 6, 5)
    assert s.mean_change == 5.0 and (s.ci_low, s.ci_high, s.p_value, s.significant) == (None, None, None, None)


def test_tens_rounds_halves_up():
    assert [tens(v) for v in (44.9, 45.0, 55.0, 4.0, 100.0, None)] == [40, 50, 60, 0, 100, None]


def test_exact_matches_and_unmatched_responses():
    before = [Linked(1, "a"), Linked(2, "b"), Linked(3, "c")]
    after = [Linked(11, "b"), Linked(12, "a"), Linked(13, "z")]
    assert match(before, after) == [Pair(1, 12), Pair(2, 11)]


def test_a_code_twice_in_one_wave_drops_every_response_with_it():
    before = [Linked(1, "a"), Linked(2, "a"), Linked(3, "b")]
    after = [Linked(11, "a"), Linked(12, "b"), Linked(13, "b")]
    assert match(before, after) == []  # "a" twice before, "b" twice after: neither can be told apart


def test_one_differing_element_matches_when_unambiguous_and_is_counted_as_fuzzy():
    # Codes E|3|2 (before) and F|3|2 (after) share the mask "*|3|2"; G|5|1 shares none.
    before = [Linked(1, "E32", ("m0:*32", "m1:E*2", "m2:E3*")), Linked(2, "G51", ("m0:*51", "m1:G*1", "m2:G5*"))]
    after = [Linked(11, "F32", ("m0:*32", "m1:F*2", "m2:F3*")), Linked(12, "G51", ("m0:*51", "m1:G*1", "m2:G5*"))]
    assert match(before, after) == [Pair(1, 11, True), Pair(2, 12)]


def test_an_ambiguous_fuzzy_match_is_refused():
    # E|3|2 and F|3|2 before, H|3|2 after: both are one element away, so neither is chosen.
    before = [Linked(1, "E32", ("m0:*32", "m1:E*2", "m2:E3*")), Linked(2, "F32", ("m0:*32", "m1:F*2", "m2:F3*"))]
    after = [Linked(11, "H32", ("m0:*32", "m1:H*2", "m2:H3*"))]
    assert match(before, after) == []
    # ...and two follow-ups one element away from the same baseline: neither either.
    after2 = [Linked(11, "H32", ("m0:*32", "m1:H*2", "m2:H3*")), Linked(12, "K32", ("m0:*32", "m1:K*2", "m2:K3*"))]
    assert match(before[:1], after2) == []


def test_card_codes_have_no_masks_and_never_match_fuzzily():
    assert match([Linked(1, "card-a")], [Linked(11, "card-b")]) == []


def stats(n: int) -> PairedStats:
    return paired_stats([(40.0, 50.0 + i) for i in range(n)], n, 0, n, 5)


def test_means_over_almost_the_same_people_as_another_mean_of_the_wave_are_hidden():
    ids = frozenset(range(1, 13))
    results = {(1, 2): {"x": stats(11)}, (1, 3): {"x": stats(12)}, (2, 3): {"x": stats(12)}}
    groups = {
        (1, 2): {"x": (frozenset(range(1, 12)), frozenset(range(101, 112)))},  # 11 of wave 1's 12
        (1, 3): {"x": (ids, frozenset(range(201, 213)))},  # all of wave 1: the same group, same mean
        (2, 3): {"x": (frozenset(range(101, 113)), frozenset(range(201, 207)) | frozenset(range(301, 307)))},
    }
    whole = {(1, "x"): ids, (2, "x"): frozenset(range(101, 117)), (3, "x"): frozenset(range(201, 213))}
    shown = hide_close_means(results, groups, whole, 5)
    assert shown[(1, 2)]["x"].mean_before is None and shown[(1, 2)]["x"].mean_after is None  # 12 - 11 = 1
    assert shown[(1, 2)]["x"].mean_change == results[(1, 2)]["x"].mean_change  # the change stays
    assert shown[(1, 3)]["x"] == results[(1, 3)]["x"]  # equal groups reveal nothing
    # (2, 3): 12 of wave 2's 16 (4 apart: hidden), even though 6 of 12 differ from wave 3's group
    assert shown[(2, 3)]["x"].mean_before is None


def test_groups_five_apart_keep_their_means():
    results = {(1, 2): {"x": stats(10)}}
    groups = {(1, 2): {"x": (frozenset(range(10)), frozenset(range(100, 110)))}}
    whole = {(1, "x"): frozenset(range(15)), (2, "x"): frozenset(range(100, 110))}
    assert hide_close_means(results, groups, whole, 5) == results
