"""Aligning a submission with its reference: jiwer does the alignment, we read it.

Items are aligned on their *loose* key (case, accents and ligatures folded, numbers and units
normalised) by ``jiwer.process_words``, so that « Echographie » lines up with
« échographie » and can be typed as an accent error rather than as an unrelated word.

Words are aligned among themselves. Between two runs of equal words, jiwer's
substitutions, deletions and insertions form a *region*, which we resolve into edits:

- with as many words on each side, words are paired in order;
- otherwise a character alignment of the region (``jiwer.process_characters``) says which
  typed words carry which reference word's letters, so that a word the ASR or the learner
  split or merged (« col et doc » for « cholédoque ») is one group, one error — and words
  left over on one side are omitted or added.

Punctuation is then aligned, again by jiwer, among the marks that follow the same reference
word in both texts.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from dataclasses import dataclass

import jiwer

from .views import Item

_SPACE = "▁"


@dataclass(frozen=True)
class Edit:
    """One step of the alignment: ``op`` is equal, pair (1:1 differing), group (n:m),
    delete (reference items missing) or insert (typed items not in the reference)."""

    op: str
    ref: tuple[int, ...]
    hyp: tuple[int, ...]


def _as_ids(sequences: list[list[str]]) -> list[str]:
    """Encode token sequences as space-separated ids, so that any token (even one holding
    a space, like « 15 000 ») is one word for jiwer."""
    vocabulary = {tok: f"w{k}" for k, tok in enumerate({tok for seq in sequences for tok in seq})}
    return [" ".join(map(vocabulary.__getitem__, seq)) for seq in sequences]


def align_keys(ref: list[str], hyp: list[str]) -> list[jiwer.AlignmentChunk]:
    """jiwer's alignment chunks of two key sequences (either may be empty)."""
    if not ref and not hyp:
        return []
    if not ref:
        return [jiwer.AlignmentChunk("insert", 0, 0, 0, len(hyp))]
    if not hyp:
        return [jiwer.AlignmentChunk("delete", 0, len(ref), 0, 0)]
    if len(ref) == 1 and len(hyp) == 1:  # one item each: nothing to align
        return [jiwer.AlignmentChunk("equal" if ref[0] == hyp[0] else "substitute", 0, 1, 0, 1)]
    ref_ids, hyp_ids = _as_ids([ref, hyp])
    return jiwer.process_words(ref_ids, hyp_ids).alignments[0]


def align_items(ref: list[Item], hyp: list[Item]) -> list[Edit]:
    """The edits turning the reference items into the typed ones, in reading order.

    Words are aligned first, on their own, so that a missing comma cannot pull a word out of
    place; then each punctuation mark is compared with those that follow the same reference
    word in the submission.
    """
    r_words = [i for i, it in enumerate(ref) if not it.is_punct]
    h_words = [j for j, it in enumerate(hyp) if not it.is_punct]
    edits: list[Edit] = []
    pending_ref: list[int] = []
    pending_hyp: list[int] = []
    for chunk in align_keys([ref[i].loose for i in r_words], [hyp[j].loose for j in h_words]):
        if chunk.type == "equal":
            if pending_ref or pending_hyp:
                edits += _resolve_region(ref, hyp, pending_ref, pending_hyp)
                pending_ref, pending_hyp = [], []
            for k in range(chunk.ref_end_idx - chunk.ref_start_idx):
                edits.append(Edit("equal", (r_words[chunk.ref_start_idx + k],),
                                  (h_words[chunk.hyp_start_idx + k],)))
        else:
            pending_ref += r_words[chunk.ref_start_idx:chunk.ref_end_idx]
            pending_hyp += h_words[chunk.hyp_start_idx:chunk.hyp_end_idx]
    if pending_ref or pending_hyp:
        edits += _resolve_region(ref, hyp, pending_ref, pending_hyp)
    edits += _align_punctuation(ref, hyp, edits)
    anchors = _hyp_anchors(len(hyp), edits)
    return sorted(edits, key=lambda e: (min(e.ref), min(e.hyp) if e.hyp else -1) if e.ref
                  else (anchors[min(e.hyp)] + 0.5, min(e.hyp)))


def _hyp_anchors(n_hyp: int, edits: list[Edit]) -> list[int]:
    """For each typed item, the last reference item aligned at or before it (-1 at start)."""
    best_at = [-1] * (n_hyp + 1)
    for e in edits:
        if e.ref and e.hyp:
            j = min(e.hyp)
            best_at[j] = max(best_at[j], max(e.ref))
    anchors, running = [], -1
    for j in range(n_hyp):
        running = max(running, best_at[j])
        anchors.append(running)
    return anchors


def _align_punctuation(ref: list[Item], hyp: list[Item], word_edits: list[Edit]) -> list[Edit]:
    by_anchor: dict[int, tuple[list[int], list[int]]] = {}
    last_word = -1
    for i, it in enumerate(ref):
        if it.is_punct:
            by_anchor.setdefault(last_word, ([], []))[0].append(i)
        else:
            last_word = i
    hyp_to_ref: dict[int, int] = {}
    for e in word_edits:
        if e.ref:
            for j in e.hyp:
                hyp_to_ref[j] = max(e.ref)
    anchor = -1
    for j, it in enumerate(hyp):
        if it.is_punct:
            by_anchor.setdefault(anchor, ([], []))[1].append(j)
        elif j in hyp_to_ref:
            anchor = hyp_to_ref[j]
    edits: list[Edit] = []
    for rs, hs in by_anchor.values():
        if [ref[i].surface for i in rs] == [hyp[j].surface for j in hs]:
            edits += [Edit("equal", (i,), (j,)) for i, j in zip(rs, hs)]
            continue
        # Marks differ after this word: jiwer aligns the two short sequences of marks.
        for chunk in align_keys([ref[i].surface for i in rs], [hyp[j].surface for j in hs]):
            r_part = rs[chunk.ref_start_idx:chunk.ref_end_idx]
            h_part = hs[chunk.hyp_start_idx:chunk.hyp_end_idx]
            if chunk.type in ("equal", "substitute"):
                op = "equal" if chunk.type == "equal" else "pair"
                edits += [Edit(op, (i,), (j,)) for i, j in zip(r_part, h_part)]
            elif chunk.type == "delete":
                edits += [Edit("delete", (i,), ()) for i in r_part]
            else:
                edits += [Edit("insert", (), (j,)) for j in h_part]
    return _rematch_marks_across_omissions(edits, ref, hyp, hyp_to_ref)


def _rematch_marks_across_omissions(edits: list[Edit], ref: list[Item], hyp: list[Item],
                                    hyp_to_ref: dict[int, int]) -> list[Edit]:
    """« bombé et congestif, tympan » typed « bombé, tympan »: the comma followed an omitted
    word in the reference and a kept one in the submission. A mark left over on each side
    between the same two kept words, with the same surface, is the same mark.

    Each deleted mark takes the first unused inserted mark (in edit order) of its gap with the
    same surface: one queue per (gap, surface), so the whole pass is linear."""
    deleted = [e for e in edits if e.op == "delete"]
    inserted = [e for e in edits if e.op == "insert"]
    if not deleted or not inserted:
        return edits
    kept = sorted(set(hyp_to_ref.values()))  # reference items that have a typed word
    typed = sorted(hyp_to_ref)  # typed items aligned with a reference word

    def gap(i: int) -> int:
        """The last kept reference item before reference item ``i`` (-1 at start)."""
        k = bisect_left(kept, i)
        return kept[k - 1] if k else -1

    def hyp_gap(j: int) -> int:
        """The reference item of the last aligned typed item before typed item ``j``."""
        k = bisect_left(typed, j)
        return hyp_to_ref[typed[k - 1]] if k else -1

    queues: dict[tuple[int, str], deque[Edit]] = {}
    for e in inserted:
        queues.setdefault((hyp_gap(e.hyp[0]), hyp[e.hyp[0]].surface), deque()).append(e)
    used: set[Edit] = set()
    replaced: dict[Edit, Edit] = {}
    for d in deleted:
        queue = queues.get((gap(d.ref[0]), ref[d.ref[0]].surface))
        if queue:
            e = queue.popleft()
            used.add(e)
            replaced[d] = Edit("equal", d.ref, e.hyp)
    return [replaced.get(e, e) for e in edits if e not in used]


def _resolve_region(ref: list[Item], hyp: list[Item], r_words: list[int], h_words: list[int]) -> list[Edit]:
    if len(r_words) == len(h_words) or not r_words or not h_words:
        return _pair_in_order(r_words, h_words)
    return _group_by_letters(ref, hyp, r_words, h_words)


def _pair_in_order(r: list[int], h: list[int]) -> list[Edit]:
    n = min(len(r), len(h))
    edits = [Edit("pair", (r[k],), (h[k],)) for k in range(n)]
    edits += [Edit("delete", (i,), ()) for i in r[n:]]
    edits += [Edit("insert", (), (j,)) for j in h[n:]]
    return edits


def _group_by_letters(ref: list[Item], hyp: list[Item], r_words: list[int], h_words: list[int]) -> list[Edit]:
    """Group reference and typed words of a region by the letters they share."""
    r_text, r_owner = _spell_out([ref[i].loose for i in r_words])
    h_text, h_owner = _spell_out([hyp[j].loose for j in h_words])
    shared: dict[tuple[int, int], int] = {}
    for chunk in align_keys(r_text, h_text):
        if chunk.type != "equal":
            continue
        for k in range(chunk.ref_end_idx - chunk.ref_start_idx):
            a, b = r_owner[chunk.ref_start_idx + k], h_owner[chunk.hyp_start_idx + k]
            if a >= 0 and b >= 0:
                shared[(a, b)] = shared.get((a, b), 0) + 1
    # Union-find over reference (0..n-1) and typed (n..n+m-1) words sharing enough letters.
    n, m = len(r_words), len(h_words)
    parent = list(range(n + m))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for (a, b), count in shared.items():
        shortest = min(len(ref[r_words[a]].loose), len(hyp[h_words[b]].loose))
        if count >= max(1, 0.5 * shortest):
            parent[find(a)] = find(n + b)
    groups: dict[int, tuple[list[int], list[int]]] = {}
    for a in range(n):
        groups.setdefault(find(a), ([], []))[0].append(r_words[a])
    for b in range(m):
        groups.setdefault(find(n + b), ([], []))[1].append(h_words[b])
    edits: list[Edit] = []
    loose_r: list[int] = []
    loose_h: list[int] = []
    for rs, hs in groups.values():
        if rs and hs:
            op = "pair" if len(rs) == 1 and len(hs) == 1 else "group"
            edits.append(Edit(op, tuple(rs), tuple(hs)))
        else:
            loose_r += rs
            loose_h += hs
    # Leftovers with no shared letters: paired in order between the same grouped neighbours.
    # A leftover's gap is the number of groups that start before it, on its own side.
    r_starts = sorted(e.ref[0] for e in edits)
    h_starts = sorted(min(e.hyp) for e in edits)
    by_gap: dict[int, tuple[list[int], list[int]]] = {}
    for i in sorted(loose_r):
        by_gap.setdefault(bisect_left(r_starts, i), ([], []))[0].append(i)
    for j in sorted(loose_h):
        by_gap.setdefault(bisect_left(h_starts, j), ([], []))[1].append(j)
    for rs, hs in by_gap.values():
        edits += _pair_in_order(rs, hs)
    return edits


def _spell_out(words: list[str]) -> tuple[list[str], list[int]]:
    """Characters of the words, joined by a space marker, and which word owns each."""
    chars: list[str] = []
    owner: list[int] = []
    for k, word in enumerate(words):
        if k:
            chars.append(_SPACE)
            owner.append(-1)
        chars += list(word)
        owner += [k] * len(word)
    return chars, owner
