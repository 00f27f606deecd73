"""Scoring time grows linearly with the copy's size (issue 12, cause 2).

A copy pasted over and over against a one-page reference is mostly insertions; the old
bookkeeping walked back to the previous aligned token for every insertion (quadratic: 50 KB
0.95 s, 100 KB 2.2 s, 200 KB 6.4 s). Timings are not asserted: the CPU time of a copy four
times bigger, measured in the same test, must stay far below 16 times (quadratic), near 4.
"""

import random
import time

from transcribe.exercise import find_exercise
from transcribe.scoring import score_texts

MISTAKES = {"présente": "presente", "cardiaque": "cardiaques", "gauche": "droite", "mg": "mgr"}


def pasted_copy(reference: str, size: int, one_line: bool) -> str:
    """About ``size`` bytes: the reference typed again and again, with a few mistakes."""
    rng = random.Random(size)
    parts, length = [], 0
    while length < size:
        words = [MISTAKES.get(w, w) if rng.random() < 0.3 else w for w in reference.split() if rng.random() > 0.03]
        part = " ".join(words)
        parts.append(part)
        length += len(part.encode()) + 1
    return (" " if one_line else "\n").join(parts)


def cpu_seconds(copy: str, reference: str, exercise) -> float:
    start = time.process_time()
    score_texts(copy, reference, exercise)
    return time.process_time() - start


def test_scoring_time_is_linear_in_the_copy_size():
    exercise = find_exercise("01-cardiologie-consultation")
    reference = exercise.reference_text()
    for one_line in (False, True):
        small = cpu_seconds(pasted_copy(reference, 50_000, one_line), reference, exercise)
        large = cpu_seconds(pasted_copy(reference, 200_000, one_line), reference, exercise)
        assert large / small < 8, (one_line, small, large)
