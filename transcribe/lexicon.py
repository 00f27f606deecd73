"""The medical terminology: the bundled lexicon plus an exercise's own terms, and term matching.

The lexicon (``data/lexique_medical.tsv``, provenance in ``data/README.md``) holds drugs,
anatomy, diseases, signs, procedures, exams and abbreviations, accents preserved. Terms of
several words are matched as one unit, longest first.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .normalize import normalize_text
from .tokenize import tokenize

_LEXICON = resources.files("transcribe") / "data" / "lexique_medical.tsv"


@dataclass(frozen=True)
class Term:
    term: str
    category: str = ""
    source: str = ""

    @property
    def words_lower(self) -> tuple[str, ...]:
        return tuple(t.text.lower() for t in tokenize(self.term) if not t.is_punct)


@dataclass(frozen=True)
class TermMatch:
    term: Term
    start: int  # index of the first token (in the token list matched against)
    end: int    # one past the last


@dataclass
class Lexicon:
    entries: list[Term]

    def __post_init__(self):
        # Abbreviations (« PAS », « IPP ») match only in capitals: « pas » is not a term.
        self._index: dict[tuple[str, ...], Term] = {}
        self._exact: dict[tuple[str, ...], Term] = {}
        for entry in self.entries:
            if _is_abbreviation(entry.term):
                self._exact.setdefault(tuple(entry.term.split()), entry)
                continue
            key = entry.words_lower
            if key and key not in self._index:
                self._index[key] = entry
        self.max_words = max((len(k) for k in [*self._index, *self._exact]), default=1)

    def with_terms(self, extra: list[str], category: str = "exercice") -> "Lexicon":
        """This lexicon plus an exercise's own terms (they win on a tie)."""
        own = [Term(normalize_text(t), category, "exercice") for t in extra if t.strip()]
        return Lexicon(own + self.entries)

    def match(self, words: list[str]) -> list[TermMatch]:
        """Non-overlapping term occurrences in a word sequence, longest match first."""
        lowered = [w.lower() for w in words]
        matches = []
        i = 0
        while i < len(lowered):
            for k in range(min(self.max_words, len(lowered) - i), 0, -1):
                term = self._index.get(tuple(lowered[i:i + k])) or self._exact.get(tuple(words[i:i + k]))
                if term is not None:
                    matches.append(TermMatch(term, i, i + k))
                    i += k
                    break
            else:
                i += 1
        return matches


def _is_abbreviation(term: str) -> bool:
    letters = [c for c in term if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 2 and " " not in term.strip()


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The bundled lexicon (empty if the data file is missing)."""
    entries = []
    if _LEXICON.is_file():
        with _LEXICON.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                if row.get("term"):
                    entries.append(Term(normalize_text(row["term"]), row.get("category", ""),
                                        row.get("source", "")))
    return Lexicon(entries)
