"""When each reference word is spoken: the reference aligned to Whisper's word timestamps.

The learner report's ▶ buttons replay the dictation from just before a wrong passage. The
exercise audio is transcribed by the embedded Whisper (word timestamps on, the exercise's
vocabulary as prompt, the transcript cache reused); the reference and Whisper's raw words are
turned into items and aligned by the toolkit's own alignment (`alignment.align_items`,
jiwer). A reference item aligned with a spoken item takes its start time; the others (missed
by the ASR, or never dictated: the letterhead, the signature, punctuation) take the time of
the last timed item before them, so a replay never starts after the passage. Only equal
words, or paired words whose letters mostly agree, give a time.

Timings are keyed by *character offsets in the normalised reference text*, not by item
index, so that they survive changes of tokenisation. The file records a hash of that text:
timings of an edited reference are stale and are computed again.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import Indel

from ..alignment import align_items
from ..exercise import Exercise
from ..reading import document_from_text
from ..tokenize import tokenize
from ..views import items_from_tokens
from .transcript import Transcript

TIMINGS_VERSION = 1
TIMINGS_SUFFIX = ".timings.json"
SAME_WORD_SIMILARITY = 0.7


@dataclass
class Timings:
    """Start time (seconds) of each reference item, by its character offset in the reference."""

    reference_sha256: str
    starts: list[int]  # character offsets, increasing
    times: list[float]
    duration: float = 0.0
    matched: int = 0  # items timed by the alignment itself (the rest are carried forward)
    source: str = ""  # engine and model that gave the word timestamps

    def time_at(self, offset: int) -> float:
        """Time of the reference item at (or last before) character ``offset``; 0 before the first."""
        k = bisect.bisect_right(self.starts, offset) - 1
        return self.times[k] if k >= 0 else 0.0

    def to_dict(self) -> dict:
        return {"version": TIMINGS_VERSION, "reference_sha256": self.reference_sha256,
                "duration": self.duration, "matched": self.matched, "source": self.source,
                "items": [[s, t] for s, t in zip(self.starts, self.times)]}

    @classmethod
    def from_dict(cls, data: dict) -> "Timings":
        if data.get("version") != TIMINGS_VERSION:
            raise ValueError("unknown timings version")
        items = data["items"]
        return cls(str(data["reference_sha256"]), [int(s) for s, _ in items], [float(t) for _, t in items],
                   float(data.get("duration", 0.0)), int(data.get("matched", 0)), str(data.get("source", "")))


def reference_text(exercise: Exercise) -> str:
    """The reference as scoring sees it (normalised): the text the offsets refer to."""
    return document_from_text(exercise.reference_text(), exercise.reference_path).text


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def spoken_items(transcript: Transcript):
    """Whisper's raw words as items, each with the start time of the word it begins in."""
    text, word_starts, word_times = "", [], []
    for word in transcript.words:
        piece = word.word if text else word.word.lstrip()  # Whisper's words carry their leading space
        word_starts.append(len(text))
        word_times.append(float(word.start))
        text += piece
    items = items_from_tokens(tokenize(text))
    times = []
    for item in items:
        k = bisect.bisect_right(word_starts, item.tokens[0].start) - 1
        times.append(word_times[max(k, 0)] if word_times else 0.0)
    return items, times


def _alike(edit, ref_items, hyp_items) -> bool:
    """A paired or grouped edit whose letters mostly agree (« amlo dipine » for « amlodipine »):
    the same word misheard, so its time holds. Unrelated words paired by the alignment
    (the undictated letterhead against the first spoken words) do not time anything."""
    ref = "".join(ref_items[i].loose for i in edit.ref)
    hyp = "".join(hyp_items[j].loose for j in edit.hyp)
    return Indel.normalized_similarity(ref, hyp) >= SAME_WORD_SIMILARITY


def align_timings(reference: str, transcript: Transcript) -> Timings:
    """Timings of every item of ``reference`` from a transcript with word timestamps."""
    ref_items = items_from_tokens(tokenize(reference))
    hyp_items, hyp_times = spoken_items(transcript)
    known: dict[int, int] = {}  # reference item → spoken item
    for edit in align_items(ref_items, hyp_items):
        if edit.ref and edit.hyp and (edit.op == "equal" or _alike(edit, ref_items, hyp_items)):
            for i in edit.ref:
                known[i] = min(edit.hyp)
    _match_between_anchors(known, ref_items, hyp_items)
    starts, times, last = [], [], 0.0
    for i, item in enumerate(ref_items):
        if i in known and not item.is_punct:
            last = max(last, hyp_times[known[i]])  # never go back in time: the replay must not jump behind
        starts.append(item.tokens[0].start)
        times.append(round(last, 2))
    matched = sum(1 for i in known if not ref_items[i].is_punct)
    return Timings(text_sha256(reference), starts, times, round(transcript.duration, 2), matched,
                   f"{transcript.engine} · {transcript.model}")


def _match_between_anchors(known: dict[int, int], ref_items, hyp_items) -> None:
    """Between two timed words, untimed reference words take the time of the same word spoken
    there, in order (the alignment may have paired « Patiente » with the « points » of a
    dictated « deux points » because the letterhead before it was not dictated)."""
    anchors = [(-1, -1)] + sorted(known.items()) + [(len(ref_items), len(hyp_items))]
    for (i0, j0), (i1, j1) in zip(anchors, anchors[1:]):
        j = j0 + 1
        for i in range(i0 + 1, i1):
            if ref_items[i].is_punct:
                continue
            for k in range(j, j1):
                if hyp_items[k].loose == ref_items[i].loose:
                    known[i] = k
                    j = k + 1
                    break


def transcribe_for_timings(exercise: Exercise, engine: str = "faster-whisper", model=None) -> Transcript:
    """The exercise audio through the embedded Whisper, word timestamps on (cached)."""
    from .biasing import exercise_vocabulary
    from .cache import transcribe_cached

    transcript, _ = transcribe_cached(exercise.audio_path, engine=engine, model=model,
                                      vocabulary=exercise_vocabulary(exercise), word_timestamps=True)
    return transcript


def compute_timings(exercise: Exercise, engine: str = "faster-whisper", model=None) -> Timings:
    return align_timings(reference_text(exercise), transcribe_for_timings(exercise, engine, model))


def shipped_timings_path(exercise: Exercise) -> Path | None:
    """``<audio stem>.timings.json`` beside the exercise's audio (how bundled exercises ship them)."""
    audio = exercise.audio_path
    return audio.with_name(audio.name.rsplit(".", 1)[0] + TIMINGS_SUFFIX) if audio else None


def load_timings(path: Path, reference: str) -> Timings | None:
    """The timings stored in ``path`` if they are for this reference text, else None."""
    try:
        timings = Timings.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return timings if timings.reference_sha256 == text_sha256(reference) else None
