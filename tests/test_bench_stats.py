"""Bench statistics: bootstrap intervals on a fixed seed, paired bootstrap, exact sign and Wilcoxon tests."""

from fractions import Fraction

import numpy as np
import pytest

from transcribe.bench.stats import bootstrap_ci, paired_bootstrap, ratio, sign_test, wilcoxon_signed_rank


def test_ratio_is_a_micro_average():
    assert ratio([1, 9], [10, 90]) == pytest.approx(0.1)
    assert ratio([1, 0], [2, 98]) == pytest.approx(0.01)  # not the mean of per-dictation rates (0.25)
    assert ratio([], []) is None


def test_bootstrap_of_identical_rates_is_a_point():
    assert bootstrap_ci([1, 2, 3], [10, 20, 30]) == pytest.approx((0.1, 0.1))


def test_bootstrap_two_extreme_dictations_spans_zero_to_one():
    assert bootstrap_ci([0, 10], [10, 10]) == (0.0, 1.0)


def test_bootstrap_fixed_seed_exact_numbers():
    errors, totals = [1, 2, 3, 0], [10, 10, 10, 10]
    low, high = bootstrap_ci(errors, totals, samples=1000, seed=0)
    assert (low, high) == pytest.approx((0.05, 0.25))
    assert bootstrap_ci(errors, totals, seed=0) == (low, high)  # reproducible
    # the same numbers by hand: resample dictations with the same generator, percentile interval
    idx = np.random.default_rng(0).integers(0, 4, size=(1000, 4))
    rates = np.asarray(errors)[idx].sum(axis=1) / np.asarray(totals)[idx].sum(axis=1)
    assert (low, high) == pytest.approx(tuple(np.percentile(rates, [2.5, 97.5])))


def test_paired_bootstrap_fixed_seed_exact_numbers():
    boot = paired_bootstrap([1, 2, 3, 0], [2, 2, 5, 1], [10, 10, 10, 10], samples=1000, seed=0)
    assert boot.difference == pytest.approx(-0.1)
    assert boot.ci == pytest.approx((-0.175, -0.025))
    # A only fails to be better when every draw is the one tied dictation: (1/4)^4 of the time
    assert boot.p_a_better == pytest.approx(0.996)
    assert boot.p_b_better == 0.0


def test_paired_bootstrap_of_a_system_with_itself():
    boot = paired_bootstrap([3, 1], [3, 1], [10, 10])
    assert boot.difference == 0 and boot.ci == (0.0, 0.0) and boot.p_a_better == 0.0


def test_sign_test_exact_p_values():
    assert sign_test([0] * 10, [1] * 10).p_exact == Fraction(2, 1024)
    t = sign_test([1, 1, 5, 5, 5, 5, 5, 5, 5, 5], [2, 2, 1, 1, 1, 1, 1, 1, 1, 1])
    assert (t.a_better, t.b_better, t.ties) == (2, 8, 0)
    assert t.p_exact == Fraction(2 * (1 + 10 + 45), 1024)  # 0.109375
    assert t.p_value == pytest.approx(0.109375)


def test_sign_test_ties_dropped_and_degenerate_cases():
    t = sign_test([1, 2, 3, 4], [1, 2, 3, 5])
    assert (t.a_better, t.b_better, t.ties) == (1, 0, 3) and t.p_exact == 1
    assert sign_test([1, 2], [1, 2]).p_value == 1.0
    assert sign_test([0, 1], [1, 0]).p_value == 1.0
    assert sign_test([0] * 5, [1] * 5).p_exact == Fraction(2, 32)


def test_wilcoxon_exact():
    assert wilcoxon_signed_rank([0] * 5, [1, 2, 3, 4, 5]).p_value == pytest.approx(2 / 32)
    w = wilcoxon_signed_rank([0, 0, 0], [1, -2, 3])
    assert (w.statistic, w.n, w.p_value) == (4.0, 3, pytest.approx(0.75))
    assert wilcoxon_signed_rank([1, 2], [1, 2]).p_value == 1.0
