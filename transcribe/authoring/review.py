"""What the trainer must check in a reference Whisper drafted: unsure words and near-misses.

- **Unsure words**: the words Whisper gave a probability under ``UNSURE_BELOW`` (0.5, the
  threshold of ``transcribe asr --review``), each with the time it is spoken, to be heard
  again.
- **Near-misses of medical terms**: a word that is neither French (the Hunspell dictionary of
  ``spelling.py``) nor a word of the medical lexicon, but whose letters are close to a
  lexicon word, gets that word as the proposed spelling (« amylodipine » → « amlodipine ? »).
  Closeness is rapidfuzz's normalised Indel similarity on accent- and case-folded forms
  (``loose_key``), at least ``NEAR_MISS_SIMILARITY`` (85 %: « amylodipine » / « amlodipine »
  is 95 %, « hipertension » / « hypertension » 92 %); only words of at least
  ``NEAR_MISS_MIN_LETTERS`` letters are looked at, and words that look like proper names
  (in capitals, or capitalised inside a sentence) are left alone: a patient's name is not
  a misspelt drug. A word the dictionary or the lexicon knows is never given a proposal.

Nothing here changes the reference: the trainer decides.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache

from ..asr.formats import REVIEW_THRESHOLD
from ..asr.transcript import Transcript
from ..normalize import loose_key

UNSURE_BELOW = REVIEW_THRESHOLD
NEAR_MISS_SIMILARITY = 85.0
NEAR_MISS_MIN_LETTERS = 5
SENTENCE_END = (".", "!", "?", ":", "…")


@dataclass
class UnsureWord:
    word: str
    start: float  # seconds into the recording
    end: float
    probability: float


@dataclass
class NearMiss:
    word: str  # as Whisper wrote it
    proposal: str  # the lexicon's spelling
    similarity: float  # 0..100
    start: float | None  # first time it is spoken, seconds
    count: int = 1  # how many times the word occurs


@dataclass
class Review:
    unsure: list[UnsureWord]
    near_misses: list[NearMiss]

    def to_dict(self) -> dict:
        return {"unsure": [asdict(w) for w in self.unsure], "near_misses": [asdict(m) for m in self.near_misses]}


def unsure_words(transcript: Transcript, threshold: float = UNSURE_BELOW) -> list[UnsureWord]:
    """Whisper's words under ``threshold``, in order, their punctuation stripped."""
    out = []
    for w in transcript.words:
        text = w.word.strip().strip(".,;:!?«»\"()")
        if text and w.probability < threshold:
            out.append(UnsureWord(text, float(w.start), float(w.end), float(w.probability)))
    return out


@lru_cache(maxsize=1)
def _lexicon_words() -> dict[str, str]:
    """Folded form → spelling, for every word of the lexicon's terms (abbreviations left out)."""
    from ..lexicon import _is_abbreviation, load_lexicon
    from ..tokenize import tokenize

    words: dict[str, str] = {}
    for entry in load_lexicon().entries:
        for token in tokenize(entry.term):
            if token.kind == "word" and len(token.text) >= NEAR_MISS_MIN_LETTERS and not _is_abbreviation(token.text):
                words.setdefault(loose_key(token.text), token.text.lower())
    return words


def _candidates(extra: tuple[str, ...]) -> dict[str, str]:
    from ..tokenize import tokenize

    words = dict(_lexicon_words())
    for term in extra:
        for token in tokenize(term):
            if token.kind == "word" and len(token.text) >= NEAR_MISS_MIN_LETTERS:
                words[loose_key(token.text)] = token.text
    return words


def propose(word: str, extra: tuple[str, ...] = ()) -> tuple[str, float] | None:
    """(lexicon spelling, similarity) proposed for a word, or None (see the module's docstring)."""
    from rapidfuzz import fuzz, process

    from ..spelling import is_french_word

    letters = sum(c.isalpha() for c in word)
    if letters < NEAR_MISS_MIN_LETTERS or not word.replace("-", "").isalpha() or is_french_word(word):
        return None
    if word in extra:
        return None
    candidates = _candidates(extra)
    found = process.extractOne(loose_key(word), candidates.keys(), scorer=fuzz.ratio,
                               score_cutoff=NEAR_MISS_SIMILARITY)
    if found is None:
        return None
    spelling = candidates[found[0]]
    if word[:1].isupper():
        spelling = spelling[:1].upper() + spelling[1:]
    return (spelling, round(float(found[1]), 1)) if spelling != word else None


def near_misses(transcript: Transcript, extra: list[str] | None = None) -> list[NearMiss]:
    """The words of Whisper's transcript that look like misspelt lexicon terms, in order of
    first occurrence; ``extra`` (the trainer's vocabulary) counts as lexicon."""
    from ..tokenize import tokenize

    extra_terms = tuple(extra or ())
    found: dict[str, NearMiss] = {}
    previous = ""
    for n, w in enumerate(transcript.words):
        text = w.word.strip()
        for token in tokenize(text):
            if token.kind != "word":
                continue
            word = token.text
            name_like = (len(word) > 1 and word.isupper()) or (
                word[:1].isupper() and n > 0 and not previous.endswith(SENTENCE_END))
            if word.lower() in found:
                found[word.lower()].count += 1
            elif not name_like and (proposal := propose(word, extra_terms)) is not None:
                found[word.lower()] = NearMiss(word, proposal[0], proposal[1], float(w.start))
        previous = text or previous
    return list(found.values())


def review(transcript: Transcript, extra: list[str] | None = None) -> Review:
    return Review(unsure_words(transcript), near_misses(transcript, extra))
