"""Guards on a decoded transcript: text the audio cannot hold, speech left without text.

Whisper's failure modes on dictation reach the drafts unless something reads the output
against the audio. After the first decoding, `find_problems` looks for four signs, each
measured on the bundled dictations (`docs/asr.md`, « Garde-fous »):

- ``comprime`` (squeezed words): at least `SQUEEZE_RUN` consecutive words that the word
  alignment (cross-attention DTW, 20 ms steps) gives no duration: text written beyond the
  window's audio, or invented by repetition (the clip read four times, beam 1 with a word
  list: a fifth and a sixth reading squeezed at 27.38 s and 37.00 s). On the 15 dictations,
  no correct transcript has more than 2 such words in a row.
- ``boucle`` (loop): an n-gram repeated beyond what `biasing.collapse_repeats` allows
  (« poin, poin, poin… »).
- ``parole_sans_texte`` (speech without text): at least `UNHEARD_SECONDS` of speech (Silero
  VAD, fine settings) between two consecutive words, or before the first, after the last (a
  word covers at most `MAX_WORD_SECONDS`: the alignment stretches the last word written over
  the speech the model did not write): a window skipped because the previous text already
  "said" it, or a reading dropped. On the corpus, correct transcripts leave at most 0.7 s.
- ``texte_sur_silence`` (text over silence): at least `SILENCE_RUN` consecutive words where
  the VAD hears no speech.

Each problem becomes a *region* (the segments it touches, snapped out to the pauses around
them), cut at pauses into pieces of at most `PIECE_SECONDS`, and each piece is re-decoded
alone with safer settings, each level only if problems remain in that piece: the previous
text replaced by the words kept before the piece (level 1: a text written beyond its window
made the next window skip what it "already said"; the checked text keeps the context, numbers
and units, that a window alone loses), then no previous text at all (level 2: a loop carried
from one window to the next), then no vocabulary either (level 3: a prompt or hot-word list
is the classic cause of repetition). Each piece keeps the least damaged of its decodings (`damage`: words
squeezed, looped or over silence, plus speech without text at `WORDS_PER_SECOND`), the first
decoding on a tie; squeezed words left after that are removed (they are aligned to no
audio). What was done is returned as plain records for the transcript's options
(``redecoded``: each region, why, what was tried, what each piece kept).

The re-decoding itself is the engine's (`engines.py` passes its runner): this module only
reads timings and audio.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from .audio import SAMPLE_RATE
from .biasing import collapse_repeats
from .transcript import Segment, Word

SQUEEZE_SECONDS = 0.021  # a word shorter than one DTW step (20 ms) was aligned to no audio
SQUEEZE_RUN = 3  # consecutive squeezed words that make a problem (correct transcripts: at most 2)
UNHEARD_SECONDS = 1.5  # speech between two words with no text (correct transcripts: at most 0.7 s)
WORD_PAD = 0.2  # speech this close to a word belongs to the word (timings are approximate)
MAX_WORD_SECONDS = 2.0  # a word covers at most this much speech (the corpus's longest: 1.6 s)
SILENCE_RUN = 3  # consecutive words with no speech under them
CONTEXT_WORDS = 8  # words on each side of a piece when checking it (a loop of 8-grams still shows)
PIECE_SECONDS = 20.0  # re-decoded pieces end at a pause, well inside Whisper's 30 s window
WORDS_PER_SECOND = 2.0  # dictation pace: speech without text counts as this many missing words
VAD_OPTIONS = {"min_silence_duration_ms": 300, "speech_pad_ms": 100}  # pauses between utterances
# Each level drops more of what the model is given: the previous text but the words kept before
# the piece, then all previous text, then the vocabulary as well.
LEVELS = ("texte_precedent_verifie", "sans_texte_precedent", "sans_vocabulaire")
PREVIOUS_WORDS = 60  # of the text kept before a piece, given to its first level
KINDS = {"comprime": "mots sans durée dans l'audio", "boucle": "boucle", "parole_sans_texte": "parole sans texte",
         "texte_sur_silence": "texte sur un silence"}


@dataclass
class Problem:
    kind: str  # a key of KINDS
    start: float
    end: float
    words: int = 0  # words squeezed, looped or over silence
    speech: float = 0.0  # seconds of speech without text

    @property
    def damage(self) -> float:
        return self.words + self.speech * WORDS_PER_SECOND


@dataclass
class Redecoded:
    """One re-decoded region: why, how, and whether the new text was kept."""

    start: float
    end: float
    reasons: list[str]
    level: str = ""  # the safest LEVELS key kept in a piece ("" when the first decoding was kept everywhere)
    kept: bool = False
    damage_before: float = 0.0
    damage_after: float = 0.0
    tried: list[str] = field(default_factory=list)
    pieces: list[dict] = field(default_factory=list)  # each piece: its span and the decoding kept

    def to_dict(self) -> dict:
        return {"debut": round(self.start, 2), "fin": round(self.end, 2), "raisons": self.reasons,
                "essais": self.tried, "retenu": self.level if self.kept else "premier décodage",
                "dommage_avant": round(self.damage_before, 1), "dommage_apres": round(self.damage_after, 1),
                "morceaux": self.pieces}


def speech_intervals(audio: np.ndarray) -> list[tuple[float, float]]:
    """Speech (start, end) seconds by Silero VAD (faster-whisper's), split at pauses of 0.3 s."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if len(audio) == 0:
        return []
    chunks = get_speech_timestamps(audio, VadOptions(**VAD_OPTIONS))
    return [(c["start"] / SAMPLE_RATE, c["end"] / SAMPLE_RATE) for c in chunks]


def _is_text(word: Word) -> bool:
    return bool(re.search(r"\w", word.word))


def _units(words: list[Word]) -> list[Word]:
    """Words as a reader counts them: « l » + « 'électrocardiogramme » is one; punctuation alone is none."""
    out: list[Word] = []
    for w in words:
        if out and (w.word.startswith("'") or out[-1].word.endswith("'")):
            out[-1] = Word(out[-1].start, w.end, out[-1].word + w.word, min(out[-1].probability, w.probability))
        elif _is_text(w):
            out.append(Word(w.start, w.end, w.word, w.probability))
    return out


def _runs(flags: list[bool], minimum: int) -> list[tuple[int, int]]:
    """(first, last + 1) of each run of at least ``minimum`` consecutive True."""
    runs, start = [], None
    for i, flag in enumerate(flags + [False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start >= minimum:
                runs.append((start, i))
            start = None
    return runs


def _speech_between(speech: list[tuple[float, float]], a: float, b: float) -> float:
    """Seconds of speech inside (a, b); ``speech`` sorted and disjoint."""
    if b <= a:
        return 0.0
    first = max(0, bisect_right(speech, (a, float("inf"))) - 1)
    total = 0.0
    for s, e in speech[first:]:
        if s >= b:
            break
        total += max(0.0, min(e, b) - max(s, a))
    return total


def _heard(w: Word, speech: list[tuple[float, float]]) -> bool:
    """Some speech lies under the word (give or take `WORD_PAD`)."""
    k = bisect_left(speech, (w.end + WORD_PAD,))
    return k > 0 and speech[k - 1][1] > w.start - WORD_PAD


def find_problems(segments: list[Segment], speech: list[tuple[float, float]], duration: float,
                  within: tuple[float, float] | None = None) -> list[Problem]:
    """Every sign, in the transcript, of text the audio cannot hold or of speech left without text.

    ``within``: only around that span (its words and `CONTEXT_WORDS` on each side), the
    cheap check of one re-decoded piece."""
    units = _units([w for seg in segments for w in seg.words])
    low, high = 0.0, duration
    if within is not None:
        first = max(0, bisect_left([w.end for w in units], within[0]) - CONTEXT_WORDS)
        last = min(len(units), bisect_right([w.start for w in units], within[1]) + CONTEXT_WORDS)
        if first > 0:
            low = units[first].start
        if last < len(units):
            high = min(units[last - 1].end, units[last - 1].start + MAX_WORD_SECONDS)
        units = units[first:last]
    problems: list[Problem] = []
    for i, j in _runs([w.end - w.start < SQUEEZE_SECONDS for w in units], SQUEEZE_RUN):
        problems.append(Problem("comprime", units[i].start, units[j - 1].end, words=j - i))
    for i, j in _runs([not _heard(w, speech) for w in units], SILENCE_RUN):
        problems.append(Problem("texte_sur_silence", units[i].start, units[j - 1].end, words=j - i))
    keep = set(collapse_repeats([w.word for w in units]))
    for i, j in _runs([i not in keep for i in range(len(units))], 1):
        problems.append(Problem("boucle", units[i].start, units[j - 1].end, words=j - i))
    edges = [low] + [x for w in units for x in (w.start, min(w.end, w.start + MAX_WORD_SECONDS))] + [high]
    for a, b in zip(edges[::2], edges[1::2]):
        unheard = _speech_between(speech, a + WORD_PAD, b - WORD_PAD)
        if unheard >= UNHEARD_SECONDS:
            problems.append(Problem("parole_sans_texte", a, b, speech=round(unheard, 2)))
    return sorted(problems, key=lambda p: (p.start, p.end))


def damage(problems: list[Problem]) -> float:
    return sum(p.damage for p in problems)


def _snap_out(t: float, speech: list[tuple[float, float]], backwards: bool) -> float:
    """A time moved out of any speech chunk it falls in, to that chunk's edge."""
    for s, e in speech:
        if s < t < e:
            return s if backwards else e
    return t


def regions(problems: list[Problem], segments: list[Segment], speech: list[tuple[float, float]],
            duration: float) -> list[tuple[float, float, list[str]]]:
    """(start, end, problem kinds) to re-decode: the segments each problem touches (a squeezed or
    looped text also the segment after it, whose audio it may have taken), snapped out of the
    speech around them, overlapping ones merged."""
    spans = []
    for p in problems:
        start, end = p.start, p.end
        touched = [s for s in segments if s.start <= p.end + 0.05 and s.end >= p.start - 0.05]
        if touched:
            start = min(start, min(s.start for s in touched))
            end = max(end, max(s.end for s in touched))
        if p.kind in ("comprime", "boucle"):
            after = [s for s in segments if s.start >= end - 0.05]
            if after:
                end = max(end, min(after, key=lambda s: s.start).end)
        start = max(0.0, _snap_out(start, speech, True) - 0.05)
        end = min(duration, _snap_out(end, speech, False) + 0.05)
        spans.append([start, end, [p.kind]])
    merged: list[list] = []
    for span in sorted(spans):
        if merged and span[0] <= merged[-1][1] + 0.5:
            merged[-1][1] = max(merged[-1][1], span[1])
            merged[-1][2] += [k for k in span[2] if k not in merged[-1][2]]
        else:
            merged.append(span)
    return [(round(a, 2), round(b, 2), kinds) for a, b, kinds in merged]


def pieces(start: float, end: float, speech: list[tuple[float, float]],
           limit: float = PIECE_SECONDS) -> list[tuple[float, float]]:
    """``[start, end]`` cut into pieces of at most ``limit`` seconds, each cut in the middle of a pause."""
    cuts = [(a[1] + b[0]) / 2 for a, b in zip(speech, speech[1:]) if start < (a[1] + b[0]) / 2 < end]
    out, begin = [], start
    while end - begin > limit:
        inside = [c for c in cuts if begin + 1.0 < c <= begin + limit]
        cut = inside[-1] if inside else begin + limit
        out.append((begin, cut))
        begin = cut
    out.append((begin, end))
    return out


def splice(segments: list[Segment], start: float, end: float, new: list[Segment]) -> list[Segment]:
    """``segments`` with the words whose middle lies in [start, end] replaced by ``new``'s segments."""
    def middle(w: Word) -> float:
        return (w.start + w.end) / 2

    before: list[Segment] = []
    after: list[Segment] = []
    for seg in segments:
        words = seg.words or [Word(seg.start, seg.end, seg.text, 1.0)]
        left = [w for w in words if middle(w) < start]
        right = [w for w in words if middle(w) > end]
        if len(left) == len(words):
            before.append(seg)
        elif len(right) == len(words):
            after.append(seg)
        elif seg.words:  # a segment across the border keeps its words outside the region
            if left:
                before.append(replace(seg, end=left[-1].end, words=left, text="".join(w.word for w in left)))
            if right:
                after.append(replace(seg, start=right[0].start, words=right, text="".join(w.word for w in right)))
    return before + new + after


def shift(segments: list[Segment], offset: float) -> list[Segment]:
    """Segments decoded from a slice, moved to the slice's place in the whole audio."""
    def r(x: float) -> float:
        return round(x + offset, 2)

    return [replace(s, start=r(s.start), end=r(s.end),
                    words=[Word(r(w.start), r(w.end), w.word, w.probability) for w in s.words]) for s in segments]


def drop_squeezed(segments: list[Segment]) -> tuple[list[Segment], list[str]]:
    """The segments without their runs of squeezed words (aligned to no audio); the texts removed."""
    kept: list[Segment] = []
    dropped: list[str] = []
    for seg in segments:
        runs = _runs([w.end - w.start < SQUEEZE_SECONDS for w in seg.words], SQUEEZE_RUN)
        gone = {k for i, j in runs for k in range(i, j) if _is_text(seg.words[k])}
        if len(gone) < SQUEEZE_RUN:
            kept.append(seg)
            continue
        dropped.append("".join(seg.words[k].word for k in sorted(gone)).strip())
        words = [w for k, w in enumerate(seg.words) if k not in gone]
        if words:
            kept.append(replace(seg, start=words[0].start, end=words[-1].end, words=words,
                                text="".join(w.word for w in words)))
    return kept, dropped


def previous_text(segments: list[Segment], t: float, limit: int = PREVIOUS_WORDS) -> str:
    """The last ``limit`` words that end before ``t``: what was said before a piece, as kept."""
    words = [w.word for seg in segments for w in seg.words if w.end <= t]
    return "".join(words[-limit:]).strip()


Decoder = Callable[[np.ndarray, dict], list[Segment]]


def guard(audio: np.ndarray, segments: list[Segment], decode: Decoder, opts: dict,
          speech: list[tuple[float, float]] | None = None) -> tuple[list[Segment], list[Redecoded], list[str]]:
    """The transcript's segments after re-decoding each problem region with safer settings.

    ``decode(samples, options)`` runs the engine on a slice (times from the slice's start).
    Each piece of a region keeps the least damaged of its first decoding (on a tie), its
    decoding without the previous text, and (only if that one still has problems) its decoding
    without the vocabulary either. Returns (segments, what was re-decoded, texts of squeezed
    words removed at the end)."""
    duration = len(audio) / SAMPLE_RATE
    if speech is None:
        speech = speech_intervals(audio)
    if not any(seg.words for seg in segments) and not speech:
        return segments, [], []

    def damage_in(segs: list[Segment], a: float, b: float) -> float:
        return damage([p for p in find_problems(segs, speech, duration, within=(a, b)) if p.end >= a and p.start <= b])

    records: list[Redecoded] = []
    for start, end, kinds in regions(find_problems(segments, speech, duration), segments, speech, duration):
        record = Redecoded(start, end, [KINDS[k] for k in kinds], damage_before=damage_in(segments, start, end))
        for a, b in pieces(start, end, speech):
            piece = audio[int(a * SAMPLE_RATE):int(b * SAMPLE_RATE)]
            best, best_damage, best_level = segments, damage_in(segments, a, b), ""
            before = previous_text(segments, a)
            for level in LEVELS:
                if best_damage == 0:
                    break
                if level == "texte_precedent_verifie" and not before:
                    continue  # the piece opens the file: nothing was said before it
                safer = dict(opts, condition_on_previous_text=False, vad=False, previous_text=None)
                if level == "texte_precedent_verifie":
                    safer["previous_text"] = before
                if level == "sans_vocabulaire":
                    safer.update(hotwords=None, initial_prompt=None)
                candidate = splice(segments, a, b, shift(decode(piece, safer), a))
                score = damage_in(candidate, a, b)
                if level not in record.tried:
                    record.tried.append(level)
                if score < best_damage:
                    best, best_damage, best_level = candidate, score, level
            segments = best
            record.pieces.append({"debut": round(a, 2), "fin": round(b, 2),
                                  "retenu": best_level or "premier décodage"})
        levels = [p["retenu"] for p in record.pieces if p["retenu"] != "premier décodage"]
        record.kept = bool(levels)
        record.level = max(levels, key=LEVELS.index) if levels else ""
        record.damage_after = damage_in(segments, start, end)
        records.append(record)
    segments, dropped = drop_squeezed(segments)
    return segments, records, dropped
