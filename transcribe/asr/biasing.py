"""Medical vocabulary biasing (a comma-separated term list as prompt) and its guards.

Measured on the bundled dictations: a prompt that *lists* vocabulary (« amlodipine,
metformine, cholécystectomie ») lowers WER; a prompt written like a document makes Whisper
recite it instead of the audio. So the prompt is only ever a list, and segments that
reproduce it (prompt echo) or loop on the same words (repetition) are removed afterwards.
Which words go into the list is `vocabulary.py`'s job.
"""

from __future__ import annotations

import re
import unicodedata

from .transcript import Segment

MAX_PROMPT_CHARS = 600  # ≈ 180 tokens: stays under Whisper's 223-token prompt half-window
ECHO_MIN_WORDS = 4
ECHO_SHARE = 0.85
LOOP_MIN_REPEATS = {1: 4}  # a single word must repeat 4 times in a row; longer n-grams 3 times
LOOP_DEFAULT_REPEATS = 3
LOOP_MAX_N = 8


def fold(text: str) -> str:
    """Lower-case, accents kept, punctuation dropped: the comparison form of a phrase."""
    text = unicodedata.normalize("NFC", text).lower().replace("’", "'")
    return " ".join(re.findall(r"[\w']+", text))


def build_prompt(vocabulary: list[str] | None, max_chars: int = MAX_PROMPT_CHARS) -> str | None:
    """« terme1, terme2, … »: de-duplicated (case-insensitive), in order, cut to fit the prompt window."""
    seen, kept, length = set(), [], 0
    for term in vocabulary or []:
        term = " ".join(str(term).split())
        if not term or fold(term) in seen:
            continue
        if length + len(term) + 2 > max_chars:
            break
        seen.add(fold(term))
        kept.append(term)
        length += len(term) + 2
    return ", ".join(kept) if kept else None


def exercise_vocabulary(exercise) -> list[str]:
    """An exercise's terms first, then its specialty's words (the ``exercice`` mode of
    ``vocabulary.vocabulary_for``)."""
    from .vocabulary import vocabulary_for

    return vocabulary_for("exercice", exercise) or []


def is_prompt_echo(text: str, prompt: str | None) -> bool:
    """True when a segment mostly recites the prompt's vocabulary rather than dictated speech."""
    if not prompt:
        return False
    words = fold(text).split()
    if len(words) < ECHO_MIN_WORDS:
        return False
    prompt_words = set(fold(prompt).split())
    return sum(w in prompt_words for w in words) / len(words) >= ECHO_SHARE


def collapse_repeats(items: list[str], key=fold) -> list[int]:
    """Indices to keep once runs of a repeated n-gram (a decoding loop) are cut to one occurrence."""
    keys = [key(x) for x in items]
    keep = list(range(len(items)))
    changed = True
    while changed:
        changed = False
        seq = [keys[i] for i in keep]
        for n in range(1, LOOP_MAX_N + 1):
            need = LOOP_MIN_REPEATS.get(n, LOOP_DEFAULT_REPEATS)
            i = 0
            while i + n * need <= len(seq):
                gram = seq[i:i + n]
                if not any(gram):
                    i += 1
                    continue
                reps = 1
                while seq[i + reps * n:i + (reps + 1) * n] == gram:
                    reps += 1
                if reps >= need:
                    keep = keep[:i + n] + keep[i + reps * n:]
                    changed = True
                    break
                i += 1
            if changed:
                break
    return keep


def clean_segments(segments: list[Segment], prompt: str | None,
                   timed: bool = False) -> tuple[list[Segment], list[str]]:
    """Drop prompt echoes and repeated segments, collapse looping n-grams across segment borders.

    ``timed``: the words were checked against the audio (`guards.py`, which removed the words
    aligned to no audio), so a segment equal to the previous one was spoken twice (a clip read
    again) and is kept when it has word timings.
    Returns (kept segments, renumbered; texts of what was removed)."""
    kept: list[Segment] = []
    dropped: list[str] = []
    for seg in segments:
        if is_prompt_echo(seg.text, prompt):
            dropped.append(seg.text.strip())
        elif (kept and len(fold(seg.text).split()) >= 3 and fold(seg.text) == fold(kept[-1].text)
              and not (timed and seg.words)):
            dropped.append(seg.text.strip())
        else:
            kept.append(seg)
    if kept and all(seg.words for seg in kept):
        owners = [(n, w) for n, seg in enumerate(kept) for w in seg.words]
        keep = collapse_repeats([w.word for _, w in owners])
        if len(keep) < len(owners):
            survivors: dict[int, list] = {}
            for i in keep:
                survivors.setdefault(owners[i][0], []).append(owners[i][1])
            removed = [w for i, (_, w) in enumerate(owners) if i not in set(keep)]
            dropped.append("".join(w.word for w in removed).strip())
            for n, seg in enumerate(kept):
                seg.words = survivors.get(n, [])
                seg.text = "".join(w.word for w in seg.words)
            kept = [seg for seg in kept if seg.words]
    else:  # no word timings everywhere: segment by segment
        for seg in kept:
            parts = [w.word for w in seg.words] if seg.words else seg.text.split()
            idx = collapse_repeats(parts)
            if len(idx) < len(parts):
                dropped.append(" ".join(parts[i].strip() for i in range(len(parts)) if i not in set(idx)))
                if seg.words:
                    seg.words = [seg.words[i] for i in idx]
                    seg.text = "".join(w.word for w in seg.words)
                else:
                    seg.text = " " + " ".join(parts[i] for i in idx)
    for n, seg in enumerate(kept):
        seg.id = n
    return kept, dropped
