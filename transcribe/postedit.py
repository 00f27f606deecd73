"""Post-editing a speech-recognition draft: which errors the learner corrected, left or made.

The learner's final text is graded exactly like any submission (same barème, same criteria,
same note for the same final text: post-editing changes nothing in the grade). Beside the
grade, the draft is scored against the same reference, and the two lists of errors are
compared.

**The same error.** Every error sits on the reference: an error with reference items covers
the span ``[first, last + 1)`` of reference items; an error with none (an addition, an
added mark) is anchored at the reference position where it was typed (after the last
reference item aligned before it), an empty span ``[p, p)``. The *typed text* of an error
is its typed items (words and marks) joined by a space; nothing typed for an omission. An
error of the final text **is** an error of the draft when both have the same span and the
same typed text, compared exactly: case, accents and punctuation count (« Hypocondre »
retyped « HYPOCONDRE » is a change made by the learner, and a wrong one). Two tolerances
keep this robust where errors are passages:

- an omission of the final text inside a passage the draft omitted (the learner restored
  some of the missing words, not all) is still the draft's omission;
- an addition of the final text at the same anchor whose typed items are a contiguous part
  of the draft's added passage (the learner deleted part of it) is still the draft's.

Errors of the final text that match a draft error have origin ``brouillon``, the others
``apprenant``.

**Each draft error** is then exactly one of:

- *corrected* (``corrected``): the final text has no error on its span (for an addition:
  no added text left at its anchor);
- *missed* (``missed``): an error of the final text is this draft error, in whole or in part;
- *miscorrected* (``miscorrected``): the learner changed the passage, but the final text is
  still wrong there — the new error counts among the ``introduced`` ones, and is listed in
  ``miscorrecting`` (the reports label it « mal corrigée »).

So ``draft_errors = corrected + missed + miscorrected``; ``introduced`` counts the final
text's errors of origin ``apprenant``; ``correction_rate = corrected / draft_errors``
(``None`` when the draft has no error). ``missed_critical`` lists the final text's errors
of origin ``brouillon`` flagged ``valeur_critique`` or ``identite``: the dangerous ones a
proof-reader must catch (each is already an IDV failure of the grade). Counts are of errors
(an omitted passage is one error), not of barème points.

Layout is not an error of the alignment: MEF judges the final text's lines only.

**The template.** A draft holds what was dictated, never the template's letterhead or
signature. The draft is compared with the final text on the same reference items: the given
lines the final text keeps are, in the draft, omitted words (draft errors that completing the
document from the template corrects); a given line the final text deleted (graded « ligne du
modèle supprimée », ``grading``) is left out of both, and counts as one draft error, *missed*,
when the draft lacked it too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .classify import Error
from .reading import Document, document_from_text, read_document
from .scoring import Score, score_documents

CRITICAL_FLAGS = ("valeur_critique", "identite")
CORRECTED, MISSED, MISCORRECTED = "corrigee", "oubliee", "mal_corrigee"


@dataclass(frozen=True)
class ErrorKey:
    """Where an error sits on the reference, and what was typed there."""

    start: int
    end: int  # start == end: an addition anchored before reference item ``start``
    typed: tuple[str, ...]

    def overlaps(self, other: "ErrorKey") -> bool:
        if self.start == self.end or other.start == other.end:
            return self.start == self.end == other.start == other.end
        return self.start < other.end and other.start < self.end


@dataclass
class PostEdit:
    """The post-editing figures of a final text against its draft."""

    draft: Score  # the draft, scored against the same reference
    status: list[str]  # per draft error: corrigee | oubliee | mal_corrigee
    origins: list[str]  # per final error: brouillon | apprenant
    left: list[tuple[Error, Error]] = field(default_factory=list)  # (final error, its draft error)
    miscorrecting: list[Error] = field(default_factory=list)  # final errors where a draft error was changed, still wrong

    @property
    def draft_errors(self) -> int:
        return len(self.status)

    @property
    def corrected(self) -> int:
        return self.status.count(CORRECTED)

    @property
    def missed(self) -> int:
        return self.status.count(MISSED)

    @property
    def miscorrected(self) -> int:
        return self.status.count(MISCORRECTED)

    @property
    def introduced(self) -> int:
        return self.origins.count("apprenant")

    @property
    def correction_rate(self) -> float | None:
        return round(self.corrected / self.draft_errors, 4) if self.draft_errors else None

    def left_errors(self) -> list[Error]:
        """Final-text errors left from the draft, critical ones first, then in reading order."""
        errors = [final for final, _ in self.left]
        return sorted(errors, key=lambda e: (not is_critical(e), errors.index(e)))

    def missed_critical(self) -> list[Error]:
        return [e for e in self.left_errors() if is_critical(e)]

    def to_dict(self) -> dict:
        return {
            "draft_errors": self.draft_errors, "corrected": self.corrected, "missed": self.missed,
            "introduced": self.introduced, "miscorrected": self.miscorrected,
            "correction_rate": self.correction_rate,
            "missed_critical": [{"ref": e.ref, "hyp": e.hyp, "flags": list(e.flags), "line": e.line}
                                for e in self.missed_critical()],
        }


def is_critical(error: Error) -> bool:
    return any(f in error.flags for f in CRITICAL_FLAGS)


def _anchors(score: Score) -> list[int]:
    """For each typed item, the reference position it was typed at (after the last
    reference item aligned at or before it)."""
    last_ref = [-1] * len(score.hyp_items)
    for edit in score.edits:
        if edit.ref and edit.hyp:
            j = min(edit.hyp)
            last_ref[j] = max(last_ref[j], max(edit.ref))
    anchors, running = [], -1
    for value in last_ref:
        running = max(running, value)
        anchors.append(running + 1)
    return anchors


def error_keys(score: Score) -> list[ErrorKey]:
    """The key of each of the score's errors (see the module doc)."""
    anchors = _anchors(score)
    keys = []
    for e in score.errors:
        typed = tuple(score.hyp_items[j].surface for j in e.hyp_items)
        if e.ref_items:
            keys.append(ErrorKey(min(e.ref_items), max(e.ref_items) + 1, typed))
        else:
            position = anchors[min(e.hyp_items)] if e.hyp_items else 0
            keys.append(ErrorKey(position, position, typed))
    return keys


def _contiguous_part(part: tuple[str, ...], whole: tuple[str, ...]) -> bool:
    n = len(part)
    return 0 < n <= len(whole) and any(whole[k:k + n] == part for k in range(len(whole) - n + 1))


def _remnant_of(final: ErrorKey, draft: ErrorKey) -> bool:
    """A final error that is what is left of a draft passage (omission or addition)."""
    if not final.typed and not draft.typed:  # omitted in both: inside the draft's omitted span
        return final.start < final.end and draft.start <= final.start and final.end <= draft.end
    if final.start == final.end == draft.start == draft.end:  # added at the same anchor
        return _contiguous_part(final.typed, draft.typed)
    return False


def compare(final: Score, draft: Score, lines_left: int = 0) -> PostEdit:
    """Sets each final error's ``origin`` and says what became of each draft error;
    ``lines_left``: the given lines the draft lacked and the final text still lacks."""
    final_keys, draft_keys = error_keys(final), error_keys(draft)
    matched: dict[int, int] = {}  # final error → draft error
    free: dict[ErrorKey, list[int]] = {}
    for d, key in enumerate(draft_keys):
        free.setdefault(key, []).append(d)
    for f, key in enumerate(final_keys):
        if free.get(key):
            matched[f] = free[key].pop(0)
    for f, key in enumerate(final_keys):
        if f not in matched:
            d = next((d for d, dk in enumerate(draft_keys) if _remnant_of(key, dk)), None)
            if d is not None:
                matched[f] = d
    origins = ["brouillon" if f in matched else "apprenant" for f in range(len(final_keys))]
    for error, origin in zip(final.errors, origins):
        error.origin = origin
    left_from = set(matched.values())
    status = [MISSED] * lines_left
    miscorrecting: set[int] = set()
    for d, dk in enumerate(draft_keys):
        if d in left_from:
            status.append(MISSED)
        elif overlapping := [f for f, fk in enumerate(final_keys) if fk.overlaps(dk)]:
            status.append(MISCORRECTED)
            miscorrecting.update(f for f in overlapping if origins[f] == "apprenant")
        else:
            status.append(CORRECTED)
    left = [(final.errors[f], draft.errors[d]) for f, d in sorted(matched.items())]
    return PostEdit(draft=draft, status=status, origins=origins, left=left,
                    miscorrecting=[final.errors[f] for f in sorted(miscorrecting)])


def score_post_edit_documents(final: Document, draft: Document, reference: Document, exercise=None,
                              bareme=None, elapsed_minutes: float | None = None) -> Score:
    """The final text graded like any copy (criteria, note), with ``post_edit`` and each
    error's ``origin`` filled in against the draft."""
    from .grading import grade

    from .scoring import deleted_given_lines

    score = grade(score_documents(final, reference, exercise), bareme, elapsed_minutes)
    draft_score = score_documents(draft, reference, exercise, template=False, skipped=score.skipped)
    lacked = {g.reference_line for g in deleted_given_lines(exercise, draft, reference)[0] or []}
    lines_left = sum(g.reference_line in lacked for g in score.template_deleted or [])
    score.post_edit = compare(score, draft_score, lines_left)
    return score


def score_post_edit(final: str, draft: str, reference: str, exercise=None, bareme=None,
                    elapsed_minutes: float | None = None) -> Score:
    """`score_post_edit_documents` on plain texts (the browser workspace's entry point)."""
    return score_post_edit_documents(document_from_text(final), document_from_text(draft),
                                     document_from_text(reference), exercise, bareme, elapsed_minutes)


def score_post_edit_files(final: str | Path, reference: str | Path, draft: str | Path | None = None,
                          bareme=None, elapsed_minutes: float | None = None) -> Score:
    """A corrected draft file against a reference ``.txt`` (its ``.toml`` read) and a draft file
    (default: the reference's bundled ``<id>.brouillon.txt``)."""
    from .drafts import draft_path
    from .errors import TranscribeError
    from .exercise import load_exercise

    exercise = load_exercise(reference)
    if draft is not None and not Path(draft).is_file():
        raise TranscribeError("brouillon introuvable.", draft)
    if draft is None:
        draft = draft_path(exercise.reference_path)
        if not draft.is_file():
            raise TranscribeError(f"l'exercice « {exercise.id} » n'a pas de brouillon fourni "
                                  "(donnez-en un avec --draft FICHIER).", draft)
    reference_doc = document_from_text(exercise.reference_text(), exercise.reference_path)
    return score_post_edit_documents(read_document(final), read_document(draft), reference_doc, exercise,
                                     bareme, elapsed_minutes)
