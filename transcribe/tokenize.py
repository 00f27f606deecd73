"""French tokenisation: words, elisions, numbers with their units, dates, punctuation.

Rules, in the order they are tried at each position:

- dates ``14/09/1951``, ratios ``145/90``, numbers with thousands ``15 000`` and decimal
  comma ``2,5`` are one token each (kind ``number``);
- ``°C``, ``%`` and ``‰`` are units (kind ``unit``); word units (mg, mmHg, mm³) are words;
- an elision (l', d', qu', jusqu'…) is its own token, except in whole words such as
  « aujourd'hui » or « quelqu'un »;
- hyphenated words (« quatre-vingt-dix », « c'est-à-dire » after its elision) stay whole;
- every punctuation mark is a token (kind ``punct``); « ... » is one token.

Every token keeps its line number (1-based) and character span in the text it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ELISION_EXCEPTIONS = {
    "aujourd'hui", "quelqu'un", "quelqu'une", "presqu'île", "presqu'îles", "prud'homme",
    "prud'hommes", "prud'homal", "entr'ouvert", "entr'ouverte", "grand'mère", "main-d'œuvre",
}

_WORD = r"[^\W\d_][\w³²µ]*(?:[-'][\w³²µ]+)*"
_TOKEN_RE = re.compile(
    r"""
    (?P<date>\d{1,2}/\d{1,2}/\d{2,4}(?!\d))
  | (?P<ratio>\d+(?:,\d+)?/\d+(?:,\d+)?(?![\d/]))
  | (?P<thousands>\d{1,3}(?:\ \d{3})+(?:,\d+)?(?!\d))
  | (?P<number>\d+(?:[,.]\d+)*(?:(?:er|re|ère|ème|e|nde?)\b)?)
  | (?P<unit>°\ ?[CF]\b|°|%|‰)
  | (?P<elision>(?:jusqu|lorsqu|puisqu|quoiqu|qu|[ldjmnstc])'(?=[^\W\d_]))
  | (?P<word>""" + _WORD + r""")
  | (?P<punct>\.\.\.|…|[.,;:!?()\[\]{}«»"“”/—–\-*•+=<>])
    """,
    re.VERBOSE | re.IGNORECASE,
)


@dataclass(frozen=True)
class Token:
    text: str
    kind: str  # word | number | unit | punct
    line: int
    start: int
    end: int

    @property
    def is_punct(self) -> bool:
        return self.kind == "punct"


_ANY_RE = re.compile(_TOKEN_RE.pattern + r"|(?P<other>\S)", re.VERBOSE | re.IGNORECASE)
_KINDS = {"date": "number", "ratio": "number", "thousands": "number", "elision": "word",
          "other": "punct"}
_WORD_RE = re.compile(_WORD, re.IGNORECASE)


def tokenize(text: str) -> list[Token]:
    """Split normalised text into tokens (see module docstring)."""
    tokens: list[Token] = []
    line = 1
    next_newline = text.find("\n")
    pos = 0
    while True:
        match = _ANY_RE.search(text, pos)
        if match is None:
            break
        start, end, kind = match.start(), match.end(), match.lastgroup
        if kind == "elision":
            whole = _WORD_RE.match(text, start)
            if whole and whole.group(0).lower() in ELISION_EXCEPTIONS:
                kind, end = "word", whole.end()
        while 0 <= next_newline < start:
            line += 1
            next_newline = text.find("\n", next_newline + 1)
        surface = text[start:end]
        kind = _KINDS.get(kind, kind)
        if kind == "unit" and " " in surface:
            surface = surface.replace(" ", "")
        tokens.append(Token(surface, kind, line, start, end))
        pos = end
    return tokens
