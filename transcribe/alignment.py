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
from rapidfuzz import process
from rapidfuzz.distance import Indel

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


# --- Omitted (or added) blocks ---------------------------------------------------------------
# Levenshtein counts a substitution as one step, like a deletion: to skip a missing block,
# jiwer may pair its words one by one with the next typed line, around a chance « du » or
# « de » (« Ordonnance[Dr] [−Vincent LAMBERT…] du 4[Marché] »). Each stretch of the alignment
# between two sure anchors (``ANCHOR_WORDS`` equal words) where one side has a block of words
# more is aligned a second way: on the longest common subsequence (rapidfuzz's Indel,
# jiwer's own engine) of its words, a misspelt word (``SIMILAR`` of its letters) counting as
# its reference word; jiwer again between these anchors. The second way is kept when it
# costs less — a pair of words with few letters in common costing what it is, a deletion and
# an insertion — or as much, in fewer separate passages.

ANCHOR_WORDS = 3  # an equal run this long bounds a stretch; shorter ones may be chance matches
BLOCK_WORDS = 2  # a stretch is looked at again when one side has this many words more
SIMILAR = 0.75  # a typed word this close to a reference word is that word, misspelt…
SIMILAR_LETTERS = 5  # …when both have this many letters (« et » is not « est » misspelt)
MAX_STRETCH_CELLS = 4_000_000  # beyond ref × hyp words, jiwer's alignment is kept as it is
PAIR = "pair"  # chunk type of a misspelt word matched by the second way (a pair, never regrouped)


@dataclass(frozen=True)
class Chunk:
    """jiwer's ``AlignmentChunk`` fields; ``type`` may also be ``PAIR``."""

    type: str
    ref_start_idx: int
    ref_end_idx: int
    hyp_start_idx: int
    hyp_end_idx: int


def _pair_cost(r: str, h: str) -> int:
    """A substitution: one step for a misspelling, two for another word (few letters shared)."""
    return 1 if Indel.normalized_similarity(r, h) >= 0.5 else 2


def _cost(chunks, ref: list[str], hyp: list[str]) -> tuple[int, int]:
    """(steps, passages): the steps of an alignment, and its runs of differing chunks."""
    total = passages = 0
    previous_equal = True
    for c in chunks:
        if c.type == "delete":
            total += c.ref_end_idx - c.ref_start_idx
        elif c.type == "insert":
            total += c.hyp_end_idx - c.hyp_start_idx
        elif c.type in ("substitute", PAIR):
            total += sum(_pair_cost(ref[c.ref_start_idx + k], hyp[c.hyp_start_idx + k])
                         for k in range(c.ref_end_idx - c.ref_start_idx))
        passages += previous_equal and c.type != "equal"
        previous_equal = c.type == "equal"
    return total, passages


def _shifted(chunks, r0: int, h0: int) -> list[Chunk]:
    return [Chunk(c.type, c.ref_start_idx + r0, c.ref_end_idx + r0,
                                 c.hyp_start_idx + h0, c.hyp_end_idx + h0) for c in chunks]


def _as_reference_words(ref: list[str], hyp: list[str]) -> list[str]:
    """Each typed word, or the reference word of the stretch it is a misspelling of."""
    known = set(ref)
    candidates = sorted(w for w in known if len(w) >= SIMILAR_LETTERS)
    out = []
    for word in hyp:
        if word not in known and len(word) >= SIMILAR_LETTERS:
            match = process.extractOne(word, candidates, scorer=Indel.normalized_similarity, score_cutoff=SIMILAR)
            word = match[0] if match else word
        out.append(word)
    return out


def _by_common_subsequence(ref: list[str], hyp: list[str]) -> list[Chunk]:
    """The stretch aligned on its longest common subsequence (misspelt words matching their
    reference word, as ``PAIR`` chunks); jiwer between these anchors."""
    chunks: list[Chunk] = []
    r = h = 0
    for op in [*Indel.opcodes(ref, _as_reference_words(ref, hyp)), None]:
        if op is not None and op.tag != "equal":
            continue
        end_r, end_h = (op.src_start, op.dest_start) if op is not None else (len(ref), len(hyp))
        if end_r > r or end_h > h:
            chunks += _shifted(align_keys(ref[r:end_r], hyp[h:end_h]), r, h)
        if op is None:
            break
        for k in range(op.src_end - op.src_start):
            i, j = op.src_start + k, op.dest_start + k
            kind = "equal" if ref[i] == hyp[j] else PAIR
            if chunks and chunks[-1].type == kind == "equal" and chunks[-1].ref_end_idx == i:
                last = chunks.pop()
                chunks.append(Chunk(kind, last.ref_start_idx, i + 1, last.hyp_start_idx, j + 1))
            else:
                chunks.append(Chunk(kind, i, i + 1, j, j + 1))
        r, h = op.src_end, op.dest_end
    return [_fixed_if_beside_block(chunks, k) for k in range(len(chunks))]


def _fixed_if_beside_block(chunks: list[Chunk], k: int) -> Chunk:
    """A misspelt word found by the common subsequence stays paired with its reference word
    (``PAIR``) when it borders a missing or added block; elsewhere it is left to the letters
    of its region (« Tabacée agisme » is « Tabagisme » split, one error)."""
    c = chunks[k]
    if c.type != PAIR:
        return c

    def block(other: Chunk) -> bool:
        size = max(other.ref_end_idx - other.ref_start_idx, other.hyp_end_idx - other.hyp_start_idx)
        return other.type in ("delete", "insert") and size >= BLOCK_WORDS

    beside = [chunks[x] for x in (k - 1, k + 1) if 0 <= x < len(chunks)]
    return c if any(block(o) for o in beside) else Chunk("substitute", c.ref_start_idx, c.ref_end_idx,
                                                          c.hyp_start_idx, c.hyp_end_idx)


def _stretches(chunks) -> list[tuple[int, int]]:
    """[first, last) chunk indices of the runs of chunks between strong equal anchors."""
    out, start = [], None
    for k, c in enumerate(chunks):
        strong = c.type == "equal" and c.ref_end_idx - c.ref_start_idx >= ANCHOR_WORDS
        if strong:
            if start is not None:
                out.append((start, k))
            start = None
        elif start is None:
            start = k
    if start is not None:
        out.append((start, len(chunks)))
    return out


def _whole_units(chunks: list[Chunk], r0: int, h0: int, units: tuple[set[int], set[int]], missing: bool) -> bool:
    """Does the alignment leave out (``missing``; else add) blocks, each made of whole
    sentences or lines? ``units``: the word positions, on that side, that start, and that
    end, a sentence or a line."""
    blocks = 0
    starts, ends = units
    for c in chunks:
        if c.type != ("delete" if missing else "insert"):
            continue
        start, end = (r0 + c.ref_start_idx, r0 + c.ref_end_idx) if missing else (h0 + c.hyp_start_idx,
                                                                                 h0 + c.hyp_end_idx)
        if end - start >= BLOCK_WORDS:
            if start not in starts or end - 1 not in ends:
                return False
            blocks += 1
    return blocks > 0


def repair_blocks(chunks, ref: list[str], hyp: list[str], ref_units: tuple[set[int], set[int]] | None = None,
                  hyp_units: tuple[set[int], set[int]] | None = None) -> list:
    """jiwer's chunks, each stretch where a block of words is missing (or added) aligned again
    on the common subsequence when that is better (see above). ``*_units``: the word positions
    that start and end a sentence or a line (``sentence_bounds``); without them, any block."""
    everything = (set(range(len(ref))), set(range(len(ref))))
    ref_units = ref_units or everything
    hyp_units = hyp_units or (set(range(len(hyp))), set(range(len(hyp))))
    out: list = []
    done = 0
    for first, last in _stretches(chunks):
        part = chunks[first:last]
        r0, r1 = part[0].ref_start_idx, part[-1].ref_end_idx
        h0, h1 = part[0].hyp_start_idx, part[-1].hyp_end_idx
        n, m = r1 - r0, h1 - h0
        if (abs(n - m) < BLOCK_WORDS or not n or not m or n * m > MAX_STRETCH_CELLS
                or all(c.type in ("equal", "delete", "insert") for c in part)):
            continue
        sub_ref, sub_hyp = ref[r0:r1], hyp[h0:h1]
        other = _by_common_subsequence(sub_ref, sub_hyp)
        if (_cost(other, sub_ref, sub_hyp) < _cost(_shifted(part, -r0, -h0), sub_ref, sub_hyp)
                and _whole_units(other, r0, h0, ref_units if n > m else hyp_units, n > m)):
            out += chunks[done:first] + _shifted(other, r0, h0)
            done = last
    return out + chunks[done:] if done else list(chunks)


def align_items(ref: list[Item], hyp: list[Item], skip: frozenset[int] | set[int] = frozenset()) -> list[Edit]:
    """The edits turning the reference items into the typed ones, in reading order.

    Words are aligned first, on their own, so that a missing comma cannot pull a word out of
    place; then each punctuation mark is compared with those that follow the same reference
    word in the submission. Reference items in ``skip`` (the given lines a copy deleted) are
    left out: no edit holds them.
    """
    if skip:
        kept = [i for i in range(len(ref)) if i not in skip]
        return [Edit(e.op, tuple(kept[i] for i in e.ref), e.hyp)
                for e in align_items([ref[i] for i in kept], hyp)]
    r_words = [i for i, it in enumerate(ref) if not it.is_punct]
    h_words = [j for j, it in enumerate(hyp) if not it.is_punct]
    edits: list[Edit] = []
    pending_ref: list[int] = []
    pending_hyp: list[int] = []
    r_keys, h_keys = [ref[i].loose for i in r_words], [hyp[j].loose for j in h_words]
    chunks = repair_blocks(align_keys(r_keys, h_keys), r_keys, h_keys, sentence_bounds(ref, r_words),
                           sentence_bounds(hyp, h_words))
    for chunk in chunks:
        if chunk.type in ("equal", PAIR):
            if pending_ref or pending_hyp:
                edits += _resolve_region(ref, hyp, pending_ref, pending_hyp)
                pending_ref, pending_hyp = [], []
            for k in range(chunk.ref_end_idx - chunk.ref_start_idx):
                edits.append(Edit("equal" if chunk.type == "equal" else "pair", (r_words[chunk.ref_start_idx + k],),
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


SENTENCE_ENDS = {".", "!", "?", "…", ";", ":"}


def sentence_bounds(items: list[Item], words: list[int]) -> tuple[set[int], set[int]]:
    """The positions (in ``words``, item indices of the words) of the words that start, and
    that end, a sentence or a line."""
    starts, ends = set(), set()
    for k, i in enumerate(words):
        previous = words[k - 1] if k else None
        if previous is None or items[previous].line != items[i].line or any(
                items[j].surface in SENTENCE_ENDS for j in range(previous + 1, i)):
            starts.add(k)
            if k:
                ends.add(k - 1)
    if words:
        ends.add(len(words) - 1)
    return starts, ends


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
