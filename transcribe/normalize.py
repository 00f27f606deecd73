"""Text normalisation shared by every view: Unicode NFC, one kind of space, one apostrophe.

Whatever the keyboard or the word processor produced — « é » typed as e + combining accent,
NBSP or narrow NBSP before « : ; ? ! % », thin spaces, the typographic apostrophe ’ — the
same text comes out, so that a perfect copy is a perfect copy.
"""

from __future__ import annotations

import re
import unicodedata

# Every Unicode space separator (Zs) and the zero-width ones, mapped to a plain space.
_SPACES = {
    "\u00a0", "\u1680", "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006",
    "\u2007", "\u2008", "\u2009", "\u200a", "\u202f", "\u205f", "\u3000", "\t",
}
_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}
# Bidirectional controls (marks, embeddings, overrides, isolates): invisible, and able to
# show a text in another order than the one it is read in (« Trojan source »).
_BIDI = {"\u200e", "\u200f", "\u061c", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
         "\u2066", "\u2067", "\u2068", "\u2069"}
_APOSTROPHES = {"\u2019", "\u2018", "\u02bc", "\u02b9", "\u00b4", "\u0060", "\u2032"}
_DASHES = {"\u2010": "-", "\u2011": "-"}  # hyphen and non-breaking hyphen inside words

_TABLE = {ord(c): " " for c in _SPACES}
_TABLE.update({ord(c): None for c in _ZERO_WIDTH | _BIDI})
_TABLE.update({ord(c): "'" for c in _APOSTROPHES})
_TABLE.update({ord(k): v for k, v in _DASHES.items()})


def normalize_text(text: str) -> str:
    """NFC, every space a plain space, every apostrophe ', line ends as \\n; lines kept."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = text.translate(_TABLE)
    text = re.sub(r"[ ]+", " ", text)
    return "\n".join(line.strip() for line in text.split("\n"))


def strip_accents(word: str) -> str:
    """« Échographie » → « Echographie »; œ and æ are kept (they are letters, not accents)."""
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def fold_ligatures(word: str) -> str:
    """« cœur » → « coeur », « æ » → « ae » (French admits both spellings)."""
    return word.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")


def loose_key(word: str) -> str:
    """Case, accents and ligatures folded: the key two spellings of one word share."""
    return fold_ligatures(strip_accents(word)).lower()
