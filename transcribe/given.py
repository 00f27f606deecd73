"""The given lines of a copy: which lines of the exercise's template the copy kept.

The learner starts from the template (``exercise.Given``): letterhead, signature block. A
copy that keeps them is graded word by word like any copy (an altered given line too). A
given line the copy no longer has *at all* is not a run of omitted words but one layout
matter, « ligne du modèle supprimée », that costs the barème's ``ligne_modele`` points and
the MEF criterion; its words are left out of the alignment, so that they are never paired
with the dictated words around the gap.

A given line is **deleted** when both views agree:

- no line of the copy resembles it (``unmatched_lines``): a copy line resembles a given line
  with ``KEPT_SIMILARITY`` of its characters (case, accents and punctuation folded: an
  altered line is still the line), or holds several given lines that follow each other in
  the reference, written on one line (``JOINED_SIMILARITY``);
- and fewer than half of its words are found, the same, in the word alignment of the whole
  reference (``found_words``): a copy typed as one block still holds its letterhead. Lines are matched in document
order, each copy line to one given line or run; among equally many matches, the one where
each given line sits nearest its place in the reference (« Dr Vincent LAMBERT » heads the
letterhead and signs the letter: the copy's last line is the signature).
"""

from __future__ import annotations

import re

from rapidfuzz.distance import Indel

from .alignment import Edit
from .exercise import GivenLine
from .normalize import loose_key
from .views import Item

KEPT_SIMILARITY = 0.7  # below, another line (an altered given line stays above; « Neurologue » is not « Examen neurologique »)
JOINED_SIMILARITY = 0.85  # several given lines typed on one line: nearly all their text is there


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", " ", loose_key(text)).strip()


def _runs(lines: tuple[GivenLine, ...]) -> list[tuple[int, int]]:
    """[first, last) indices of the runs of given lines that follow each other in the reference."""
    runs = []
    for end in range(1, len(lines) + 1):
        start = end - 1
        while start > 0 and lines[start].reference_line == lines[start - 1].reference_line + 1:
            start -= 1
        runs += [(first, end) for first in range(start, end)]
    return runs


def unmatched_lines(lines: tuple[GivenLine, ...], copy_lines: list[str], reference_lines: int) -> list[GivenLine]:
    """The given lines (``exercise.given.lines``) that no line of the copy (its lines, in
    order) resembles; ``reference_lines``: how many lines the reference has."""
    if not lines:
        return []
    rows = [(n, _key(text)) for n, text in enumerate(copy_lines) if _key(text)]
    keys = [_key(g.text) for g in lines]
    runs_ending: dict[int, list[int]] = {}
    for first, end in _runs(lines):
        runs_ending.setdefault(end, []).append(first)
    joined = {(first, end): " ".join(keys[first:end]) for end, firsts in runs_ending.items() for first in firsts}
    count = max(len(copy_lines), 1)

    def place(k: int, n: int) -> float:
        return abs((lines[k].reference_line - 1) / max(reference_lines, 1) - n / count)

    # best[i][j]: (matches, -distance, choice) over given lines [:i] and copy rows [:j]
    best = [[(0, 0.0, None)] * (len(rows) + 1) for _ in range(len(lines) + 1)]
    for i in range(len(lines) + 1):
        for j in range(len(rows) + 1):
            if not i and not j:
                continue
            options = []
            if i:
                options.append((best[i - 1][j][0], best[i - 1][j][1], ("skip_given",)))
            if j:
                options.append((best[i][j - 1][0], best[i][j - 1][1], ("skip_row",)))
            if i and j:
                n, row_key = rows[j - 1]
                for first in runs_ending.get(i, ()):
                    cutoff = KEPT_SIMILARITY if i - first == 1 else JOINED_SIMILARITY
                    if Indel.normalized_similarity(joined[(first, i)], row_key, score_cutoff=cutoff) >= cutoff:
                        matches, distance, _ = best[first][j - 1]
                        spread = sum(place(k, n) for k in range(first, i))
                        options.append((matches + i - first, distance - spread, ("match", first)))
            best[i][j] = max(options, key=lambda o: (o[0], o[1]))
    kept: set[int] = set()
    i, j = len(lines), len(rows)
    while i or j:
        choice = best[i][j][2]
        if choice[0] == "skip_given":
            i -= 1
        elif choice[0] == "skip_row":
            j -= 1
        else:
            kept.update(range(choice[1], i))
            i, j = choice[1], j - 1
    return [g for k, g in enumerate(lines) if k not in kept]


def found_words(line: GivenLine, ref_items: list[Item], edits: list[Edit]) -> bool:
    """Are at least half of the given line's words aligned, unchanged, with typed words?"""
    words = {i for i, it in enumerate(ref_items) if it.line == line.reference_line and not it.is_punct}
    same = {i for e in edits if e.op == "equal" for i in e.ref} & words
    return bool(words) and 2 * len(same) >= len(words)
