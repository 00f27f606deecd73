"""Corpus statistics over dictations: bootstrap confidence intervals, paired bootstrap, sign test.

Rates are micro-averaged (sum of errors / sum of reference units), and the bootstrap resamples
whole dictations with replacement (Koehn 2004; Bisani & Ney 2004), with a fixed seed so that a
re-run gives the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import comb

import numpy as np

DEFAULT_SAMPLES = 1000
DEFAULT_SEED = 0


def ratio(errors, totals) -> float | None:
    """Micro-average: total errors over total reference units (None when there is no reference unit)."""
    total = float(np.sum(totals))
    return float(np.sum(errors)) / total if total else None


def _resample(n: int, samples: int, seed: int) -> np.ndarray:
    """``samples`` × ``n`` dictation indices drawn with replacement (reproducible for a seed)."""
    return np.random.default_rng(seed).integers(0, n, size=(samples, n))


def _ratios(values: np.ndarray, totals: np.ndarray, idx: np.ndarray) -> np.ndarray:
    num, den = values[idx].sum(axis=1), totals[idx].sum(axis=1)
    return np.divide(num, den, out=np.zeros_like(num, dtype=float), where=den > 0)


def bootstrap_ci(errors, totals, samples: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED,
                 level: float = 0.95) -> tuple[float, float] | None:
    """Percentile confidence interval of the micro-averaged rate, resampling dictations."""
    errors, totals = np.asarray(errors, dtype=float), np.asarray(totals, dtype=float)
    if len(errors) == 0 or not totals.sum():
        return None
    stats = _ratios(errors, totals, _resample(len(errors), samples, seed))
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(stats, [tail, 100 - tail])
    return float(low), float(high)


@dataclass
class PairedBootstrap:
    difference: float  # rate(A) − rate(B) on the corpus: negative when A makes fewer errors
    ci: tuple[float, float]
    p_a_better: float  # share of resamples where A's rate is strictly lower
    p_b_better: float
    samples: int
    seed: int


def paired_bootstrap(errors_a, errors_b, totals, samples: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED,
                     level: float = 0.95) -> PairedBootstrap | None:
    """Paired bootstrap of two systems on the same dictations (same resampled indices for both)."""
    a, b = np.asarray(errors_a, dtype=float), np.asarray(errors_b, dtype=float)
    totals = np.asarray(totals, dtype=float)
    if len(a) == 0 or len(a) != len(b) or not totals.sum():
        return None
    idx = _resample(len(a), samples, seed)
    diff = _ratios(a, totals, idx) - _ratios(b, totals, idx)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(diff, [tail, 100 - tail])
    return PairedBootstrap(ratio(a, totals) - ratio(b, totals), (float(low), float(high)),
                           float(np.mean(diff < 0)), float(np.mean(diff > 0)), samples, seed)


@dataclass
class SignTest:
    a_better: int  # dictations where A has fewer errors
    b_better: int
    ties: int
    p_value: float  # exact two-sided binomial p-value (ties left out), 1.0 when no dictation differs
    p_exact: Fraction


def sign_test(errors_a, errors_b) -> SignTest:
    """Exact two-sided sign test over dictations (sclite's sc_stats « Sign Test », ties dropped)."""
    a_better = sum(1 for x, y in zip(errors_a, errors_b) if x < y)
    b_better = sum(1 for x, y in zip(errors_a, errors_b) if x > y)
    ties = len(list(zip(errors_a, errors_b))) - a_better - b_better
    n, k = a_better + b_better, min(a_better, b_better)
    if n == 0:
        p = Fraction(1)
    else:
        p = min(Fraction(1), 2 * Fraction(sum(comb(n, i) for i in range(k + 1)), 2 ** n))
    return SignTest(a_better, b_better, ties, float(p), p)


@dataclass
class Wilcoxon:
    statistic: float  # W+ : sum of the ranks of the dictations where B has the larger value
    n: int  # dictations with a non-zero difference
    p_value: float  # exact two-sided p-value (enumerating sign patterns on the ranks)


def wilcoxon_signed_rank(values_a, values_b) -> Wilcoxon:
    """Exact Wilcoxon signed-rank test on paired values (zeros dropped, tied ranks averaged)."""
    diffs = [float(y) - float(x) for x, y in zip(values_a, values_b) if float(y) != float(x)]
    n = len(diffs)
    if n == 0:
        return Wilcoxon(0.0, 0, 1.0)
    order = sorted(range(n), key=lambda i: abs(diffs[i]))
    ranks = [0.0] * n
    i = 0
    while i < n:  # average ranks over ties of |difference|
        j = i
        while j + 1 < n and abs(diffs[order[j + 1]]) == abs(diffs[order[i]]):
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    doubled = [int(round(2 * r)) for r in ranks]  # half ranks become integers
    w_plus = sum(r for r, d in zip(doubled, diffs) if d > 0)
    counts = {0: 1}  # distribution of the doubled W+ over the 2^n sign patterns
    for r in doubled:
        nxt = dict(counts)
        for s, c in counts.items():
            nxt[s + r] = nxt.get(s + r, 0) + c
        counts = nxt
    total, mean = 2 ** n, sum(doubled) / 2
    extreme = abs(w_plus - mean)
    tail = sum(c for s, c in counts.items() if abs(s - mean) >= extreme - 1e-9)
    return Wilcoxon(w_plus / 2, n, min(1.0, tail / total))
