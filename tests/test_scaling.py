"""Scoring time grows linearly with the copy's size (issue 12, cause 2).

The old bookkeeping was quadratic in places: every inserted mark walked back to the previous
aligned word, every deleted mark scanned all inserted ones (a 1 MB copy took 22 s of CPU).
No time is asserted (the speed itself is `benchmarks/bench_scoring.py`'s): what is asserted is
a ratio that a machine's load cannot flip. A copy eight times bigger must cost well below 64
times the CPU (quadratic), near 8 (linear): below 20. Each size is measured five times, small
and large in turn, and the medians compared: a load that comes and goes weighs on both, and a
slow outlier (the collector, another process) is not the median. Measured on 2 shared cores:
10x and 8x for the two copies today, 33x and 45x on the code before the fix (commit 50f1697^).
Operation counts would not show it: the quadratic loops were generator expressions, whose
iterations a profiler's call count misses (3.9x at four times the size, before and after).
"""

import gc
import random
import re
import statistics
import time

from transcribe.exercise import find_exercise
from transcribe.scoring import score_texts

MISTAKES = {"présente": "presente", "cardiaque": "cardiaques", "gauche": "droite", "mg": "mgr"}


def marks_moved(reference: str, words: int) -> str:
    """The reference without its punctuation, then ``words`` added words each followed by a comma:
    every reference mark is deleted and every comma inserted."""
    return re.sub(r"[,.;:]", "", reference) + "\n" + ", ".join(["ajouté"] * words)


def pasted_copy(reference: str, words: int) -> str:
    """The reference typed again and again on one line, with a few mistakes, about ``words`` words."""
    rng = random.Random(words)
    out: list[str] = []
    while len(out) < words:
        out += [MISTAKES.get(w, w) if rng.random() < 0.3 else w for w in reference.split() if rng.random() > 0.03]
    return " ".join(out)


def cpu_seconds(copy: str, reference: str, exercise) -> float:
    """CPU time of one scoring, the garbage collector off: in a full run the heap other tests
    left alive makes its collections cost in proportion, not the scoring (measured: 4x becomes
    7x with three million objects alive, on the code before and after issue 21 alike)."""
    gc.collect()
    gc.disable()
    try:
        start = time.process_time()
        score_texts(copy, reference, exercise)
        return time.process_time() - start
    finally:
        gc.enable()


SIZE_RATIO = 8
REPEATS = 5
BOUND = 20  # linear: about SIZE_RATIO; quadratic: SIZE_RATIO ** 2


def test_scoring_time_is_linear_in_the_copy_size():
    exercise = find_exercise("01-cardiologie-consultation")
    reference = exercise.reference_text()
    cpu_seconds(reference, reference, exercise)  # lexicon, dictionary and caches loaded, untimed
    for make, words in ((marks_moved, 1500), (pasted_copy, 4000)):
        small_copy, large_copy = make(reference, words), make(reference, SIZE_RATIO * words)
        small, large = [], []
        for _ in range(REPEATS):
            small.append(cpu_seconds(small_copy, reference, exercise))
            large.append(cpu_seconds(large_copy, reference, exercise))
        ratio = statistics.median(large) / statistics.median(small)
        assert ratio < BOUND, (make.__name__, small, large)
