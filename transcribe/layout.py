"""The layout criterion (MEF): does the submission have the reference's structure?

Four checks, each a share between 0 and 1, weighted into one structure score:

- **sections** (weight 0.45): the section headings (the exercise's ``sections``, else the
  reference lines that start with a short label followed by « : ») found at the start of a
  line of the submission, in the same order;
- **line breaks** (0.25): the reference's line starts that are line starts in the submission
  too (read through the word alignment);
- **header** (0.15): the patient line is a line of its own near the top;
- **closing** (0.15): the signature (the reference's last line) is the submission's last line.

A submission typed as one block (at most two non-empty lines) where the reference has
several sections is not acceptable whatever its score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz.distance import Indel

from .normalize import loose_key
from .views import Item

WEIGHTS = {"sections": 0.45, "breaks": 0.25, "header": 0.15, "closing": 0.15}
_HEADING = re.compile(r"^([A-ZÀ-ÖØ-Þ][^:.;!?]{1,60}?)\s*:(\s|$)")


@dataclass
class Layout:
    score: float
    sections_expected: list[str]
    sections_found: list[str]
    sections_missing: list[str]
    sections_out_of_order: list[str]
    breaks_ratio: float
    header_ok: bool
    closing_ok: bool
    one_block: bool
    notes: list[str] = field(default_factory=list)


def detect_sections(lines: list[str]) -> list[str]:
    """Section labels of a document: lines opening with a short capitalised label and « : »."""
    labels = []
    for line in lines:
        m = _HEADING.match(line.strip())
        if m and len(m.group(1).split()) <= 6 and not m.group(1).lower().startswith(("patient", "dr ")):
            labels.append(m.group(1).strip())
    return labels


def _key(text: str) -> str:
    return re.sub(r"[^\w]+", " ", loose_key(text)).strip()


def _similar(a: str, b: str) -> bool:
    """The same line, give or take a few typing errors (a misspelt name is IDV's business)."""
    return Indel.normalized_similarity(_key(a), _key(b)) >= 0.8


def _find_sections(expected: list[str], lines: list[str]) -> tuple[list[str], list[str], list[str]]:
    keys = [_key(line) for line in lines]
    heads = [_key(line.split(":", 1)[0]) if ":" in line else key for line, key in zip(lines, keys)]
    positions = {}
    for label in expected:
        k = _key(label)
        for n, (line_key, head) in enumerate(zip(keys, heads)):
            # A misspelt heading (« Examen complémentaires ») is still the heading: the
            # spelling is ORT's business, MEF looks at the structure.
            if line_key == k or line_key.startswith(k + " ") or (
                    head and Indel.normalized_similarity(head, k) >= 0.85):
                positions[label] = n
                break
    found = [label for label in expected if label in positions]
    missing = [label for label in expected if label not in positions]
    out_of_order = []
    last = -1
    for label in found:
        if positions[label] < last:
            out_of_order.append(label)
        else:
            last = positions[label]
    return found, missing, out_of_order


def _line_starts(items: list[Item]) -> set[int]:
    starts, last_line = set(), 0
    for i, it in enumerate(items):
        if it.line != last_line:
            starts.add(i)
            last_line = it.line
    return starts


def compare_layout(ref_lines: list[str], hyp_lines: list[str], ref_items: list[Item],
                   hyp_items: list[Item], edits, sections: list[str] | None = None,
                   patient_values: list[str] | None = None) -> Layout:
    ref_nonempty = [l for l in ref_lines if l.strip()]
    hyp_nonempty = [l for l in hyp_lines if l.strip()]
    expected = list(sections or detect_sections(ref_lines))
    found, missing, out_of_order = _find_sections(expected, hyp_lines)
    sections_share = (len(found) - len(out_of_order)) / len(expected) if expected else 1.0

    # Line breaks, through the alignment: reference line starts kept as line starts.
    ref_starts, hyp_starts = _line_starts(ref_items), _line_starts(hyp_items)
    kept = total = 0
    for edit in edits:
        if len(edit.ref) == 1 and edit.ref[0] in ref_starts and edit.ref[0] != 0:
            total += 1
            kept += bool(edit.hyp) and edit.hyp[0] in hyp_starts
    breaks_ratio = kept / total if total else 1.0

    # Header: the patient line (the line holding the first identity value) stands alone near the top.
    header_ok = True
    values = [v for v in (patient_values or []) if v.strip()]
    if values:
        ref_line = next((l for l in ref_nonempty if any(v.lower() in l.lower() for v in values)), None)
        if ref_line is not None:
            header_ok = any(_similar(ref_line, h) for h in hyp_nonempty[:6])
    closing_ok = bool(hyp_nonempty) and bool(ref_nonempty) and _similar(ref_nonempty[-1], hyp_nonempty[-1])

    score = (WEIGHTS["sections"] * sections_share + WEIGHTS["breaks"] * breaks_ratio
             + WEIGHTS["header"] * header_ok + WEIGHTS["closing"] * closing_ok)
    one_block = len(hyp_nonempty) <= 2 and (len(expected) >= 2 or len(ref_nonempty) >= 5)
    notes = []
    if one_block:
        notes.append("texte saisi d'un seul bloc, sans retour à la ligne")
    if missing:
        notes.append("rubriques absentes : " + ", ".join(f"« {m} »" for m in missing))
    if out_of_order:
        notes.append("rubriques dans le désordre : " + ", ".join(f"« {m} »" for m in out_of_order))
    if breaks_ratio < 0.8 and not one_block:
        notes.append(f"retours à la ligne respectés : {breaks_ratio:.0%}".replace("%", " %"))
    if not header_ok:
        notes.append("ligne d'identification du patient absente ou noyée dans le texte")
    if not closing_ok:
        notes.append("bloc de signature absent ou mal placé")
    return Layout(round(score, 4), expected, found, missing, out_of_order, round(breaks_ratio, 4),
                  header_ok, closing_ok, one_block, notes)
