"""Grading a copy typed in the workspace, and where each error is in the dictation.

The copy goes through the toolkit's pipeline unchanged (``scoring.score_documents`` then
``grading.grade`` with the time taken; a corrected draft through
``postedit.score_post_edit_documents``); the learner report's context is the batch report's
(``report.html.learner_context``). Each error also gets the character offset, in the
reference, of the passage to replay: its first reference word, or for an added word the
reference word it follows. ``replay_times`` turns offsets into seconds with the exercise's
word timings.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from ..asr.timings import Timings, text_sha256
from ..exercise import Exercise
from ..grading import grade, load_bareme
from ..reading import Document, document_from_text
from ..report.html import learner_context
from ..postedit import score_post_edit_documents
from ..scoring import Score, score_documents

REPLAY_LEAD_SECONDS = 1.5  # start a little before the passage, to hear it in context
LEARNER_LABEL = "vous"
FILE_LABEL = "saisie dans l'espace de dictée"


@lru_cache(maxsize=64)
def _reference(path: str, versions: tuple) -> tuple[Exercise, Document]:
    from ..exercise import load_exercise

    exercise = load_exercise(path)
    return exercise, document_from_text(exercise.reference_text(), exercise.reference_path)


def _version(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_mtime_ns, stat.st_size


def reference_of(exercise: Exercise) -> tuple[Exercise, Document]:
    """The exercise and its reference document, read once per version of its files (the
    reference, its metadata and its template)."""
    from ..exercise import template_path

    path = Path(exercise.reference_path)
    files = (path, path.with_suffix(".toml"), template_path(path))
    return _reference(str(path), tuple(_version(p) for p in files))


def replay_offsets(score: Score) -> list[int]:
    """For each error, the reference character offset its replay starts from."""
    anchor_of_hyp: dict[int, int] = {}
    last_ref = None
    for edit in score.edits:
        if edit.ref:
            last_ref = max(edit.ref)
        else:
            for j in edit.hyp:
                anchor_of_hyp[j] = last_ref if last_ref is not None else -1
    offsets = []
    for error in score.errors:
        if error.ref_items:
            index = min(error.ref_items)
        else:
            index = min((anchor_of_hyp.get(j, -1) for j in error.hyp_items), default=-1)
        offsets.append(score.ref_items[index].tokens[0].start if index >= 0 else 0)
    return offsets


_warm = threading.Event()
_warm_lock = threading.Lock()


def warm_up() -> None:
    """Load the dictionary, the lexicon and the barème once, before the first copy arrives.

    Without it, the first copies submitted at the same moment would each load them (their
    caches are filled by the first call to finish), multiplying a second of work.
    """
    if _warm.is_set():
        return
    with _warm_lock:
        if not _warm.is_set():
            grade(score_documents(document_from_text("Patiente vue ce jour, traitée par amlodipine."),
                                  document_from_text("Patient vu ce jour, traité par amlodipine 5 mg.")),
                  load_bareme(), None)
            _warm.set()


def grade_copy(exercise: Exercise, text: str, elapsed_minutes: float | None,
               draft: str | None = None) -> tuple[dict, dict, str, str]:
    """(score contract, report context, exercise title, reference hash) of a typed copy; with
    ``draft`` (correction mode) the copy is a corrected draft and gets the post-editing figures."""
    warm_up()
    exercise, reference = reference_of(exercise)
    if draft is None:
        score = grade(score_documents(document_from_text(text), reference, exercise), load_bareme(), elapsed_minutes)
    else:
        score = score_post_edit_documents(document_from_text(text), document_from_text(draft), reference, exercise,
                                          load_bareme(), elapsed_minutes)
    context = learner_context(score, LEARNER_LABEL, exercise.id, FILE_LABEL, elapsed_minutes)
    for error, offset in zip(context["errors"], replay_offsets(score)):
        error["ref_offset"] = offset
    return score.to_dict(), context, context["exercise_title"], text_sha256(reference.text)


def replay_times(report: dict, timings: Timings | None, reference_sha256: str) -> dict[int, float]:
    """Error number → second to replay from; empty without timings for this very reference."""
    if timings is None or timings.reference_sha256 != reference_sha256:
        return {}
    return {e["n"]: round(max(0.0, timings.time_at(e["ref_offset"]) - REPLAY_LEAD_SECONDS), 2)
            for e in report.get("errors", []) if "ref_offset" in e}
