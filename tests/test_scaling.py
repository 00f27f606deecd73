"""Scoring time grows linearly with the copy's size (issue 12, cause 2).

The old bookkeeping was quadratic in places: every inserted mark walked back to the previous
aligned word, every deleted mark scanned all inserted ones (a 1 MB copy took 22 s of CPU).
Timings are not asserted: the CPU time of a copy four times bigger, measured in the same test,
must stay well below 16 times (quadratic), near 4 (linear): below 8. Measured: today 4.7x and
3.5x for the two copies below; on the code before the fix, 12.6x and 12x.
"""

import gc
import random
import re
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


def test_scoring_time_is_linear_in_the_copy_size():
    exercise = find_exercise("01-cardiologie-consultation")
    reference = exercise.reference_text()
    cpu_seconds(reference, reference, exercise)  # lexicon, dictionary and caches loaded, untimed
    for make, words in ((marks_moved, 2500), (pasted_copy, 8000)):
        small = cpu_seconds(make(reference, words), reference, exercise)
        large = cpu_seconds(make(reference, 4 * words), reference, exercise)
        assert large / small < 8, (make.__name__, small, large)
