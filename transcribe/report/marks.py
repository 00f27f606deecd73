"""Where each error sits in the submitted text: character spans shared by every report."""

from __future__ import annotations

from dataclasses import dataclass

from ..classify import Error
from ..scoring import Score


@dataclass
class Mark:
    """One error located in the submission: ``start == end`` for an omission."""

    start: int
    end: int
    index: int  # position of the error in ``score.errors``
    error: Error

    @property
    def is_omission(self) -> bool:
        return self.end == self.start


def omission_position(score: Score, error: Error) -> int:
    """Character offset in the submission where an omitted item would have been."""
    first = error.ref_items[0]
    best = 0
    for edit in score.edits:
        if edit.hyp and edit.ref and max(edit.ref) < first:
            best = max(best, score.hyp_items[max(edit.hyp)].tokens[-1].end)
    return best


def error_marks(score: Score) -> list[Mark]:
    """Every error as a span of the submission text, in reading order, overlaps dropped."""
    marks = []
    for index, error in enumerate(score.errors):
        if error.hyp_items:
            start = score.hyp_items[error.hyp_items[0]].tokens[0].start
            end = score.hyp_items[error.hyp_items[-1]].tokens[-1].end
        else:  # an omission: shown where it is missing
            start = end = omission_position(score, error)
        marks.append(Mark(start, end, index, error))
    marks.sort(key=lambda m: (m.start, m.end))
    kept, pos = [], 0
    for mark in marks:
        if mark.start < pos:
            continue
        kept.append(mark)
        pos = mark.end
    return kept


def text_pieces(score: Score) -> list[tuple[str, Mark | None]]:
    """The submission cut into plain pieces and marked pieces (empty text for an omission)."""
    text = score.submission.text
    pieces: list[tuple[str, Mark | None]] = []
    pos = 0
    for mark in error_marks(score):
        if mark.start > pos:
            pieces.append((text[pos:mark.start], None))
        pieces.append((text[mark.start:mark.end], mark))
        pos = mark.end
    if pos < len(text):
        pieces.append((text[pos:], None))
    return pieces
