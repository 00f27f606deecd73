"""Dictated punctuation and layout commands (« virgule », « point à la ligne »…) → written text.

Commands (case-insensitive, Whisper's own punctuation around them tolerated)::

    virgule ,             point / point final .       point à la ligne .⏎
    à la ligne / retour à la ligne / nouvelle ligne ⏎   nouveau paragraphe ⏎⏎
    deux points :         point-virgule ;             point d'interrogation ?
    point d'exclamation ! points de suspension …      tiret -  (at a line start: list dash « - »)
    ouvrez/ouvrir la parenthèse (    fermez/fermer la parenthèse )
    ouvrez/ouvrir les guillemets «   fermez/fermer les guillemets »

Ambiguity rules (a command word is left as text when):

1. it follows a determiner or article: « un point », « le point », « ce point », « au point »,
   « la virgule », « les deux points », « un tiret », « un nouveau paragraphe »;
2. « point » / « deux points » is followed by « de/d'/du/des » (« point de suture »,
   « deux points de suture », « point d'appui ») or by a qualifying word (« point fort »,
   « point douloureux »…); a plural « points » is never « . » (« trois points »);
3. « à la ligne » is followed by « de/du/des » or an anatomical adjective (« à la ligne médiane »);
4. Whisper often hears « point » as « poing », « poigne(s) », « poin » (« virgule » as
   « virgules », « paragraphe » as « paragraph », « paragrafe », « paragrave »):
   these are read as the command under the same rules (« le poing », « une poigne » stay text);
5. « virgule » between two numbers in digits is a decimal comma, written without spaces (« 38 virgule 5 » → « 38,5 »).

Line breaks in the input are plain spaces (a dictation's layout comes from its commands only;
Whisper writes none anyway). Writing rules: the command replaces the punctuation Whisper put next to it (no « ,, »), French
spacing (a space before « : ; ? ! » » and after « « », none before « , . ) … »), a capital after
« . ? ! » and after a line break; when Whisper ended a sentence where the dictation put a comma,
the word Whisper capitalised after it is lowered (« hypertendu. Virgule. Traité » → « hypertendu,
traité »; a proper noun there would be lowered too, a known limit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TOKEN_RE = re.compile(
    r"(?P<num>\d+(?:[.,/:]\d+)*)"
    r"|(?P<elision>(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)['’](?=\w))"
    r"|(?P<word>\w+(?:[-'’]\w+)*)"
    r"|(?P<ellipsis>\.\.\.|…)"
    r"|(?P<punct>[.,;:!?()«»\"“”\[\]–—-])"
    r"|(?P<space>\s+)"
    r"|(?P<other>\S)",
    re.IGNORECASE,
)

DETERMINERS = {
    "le", "la", "les", "l'", "un", "une", "des", "du", "au", "aux", "ce", "cet", "cette", "ces",
    "mon", "ma", "mes", "ton", "ta", "tes", "son", "sa", "ses", "notre", "nos", "votre", "vos", "leur",
    "leurs", "chaque", "quel", "quelle", "quels", "quelles", "aucun", "aucune", "premier", "première",
    "dernier", "dernière", "même", "seul", "seule", "plusieurs", "quelques", "certains", "certaines",
    "nouveau", "nouvelle", "autre",
}
FOLLOWERS_DE = {"de", "d'", "du", "des"}
POINT_QUALIFIERS = {
    "fort", "forts", "faible", "faibles", "positif", "négatif", "douloureux", "culminant", "mort", "noir",
    "clé", "essentiel", "important", "commun", "précis", "particulier", "majeur", "gâchette", "par",
}
LINE_QUALIFIERS = FOLLOWERS_DE | {
    "médiane", "blanche", "axillaire", "médio-claviculaire", "mamelonnaire", "épineuse", "droite",
    "gauche", "pectinée", "âpre", "articulaire", "moyenne", "antérieure", "postérieure",
}

OPEN, CLOSE = ("ouvrez", "ouvrir", "ouvre", "ouvrer", "ouvert"), ("fermez", "fermer", "ferme", "fermé", "fermée")
A = ("à", "a")
PARAGRAPH_VARIANTS = ("paragraph", "paragrafe", "paragrave")  # Whisper's spellings of what it heard
P = ("point", "poing", "poings", "poigne", "poignes", "poin")  # Whisper's mishearings of a dictated « point »


def _phrases() -> list[tuple[tuple[tuple[str, ...], ...], str, str]]:
    """(pattern: one tuple of accepted words per position, output symbol, rule family)."""
    paren, quotes = ("parenthèse", "parenthèses"), ("guillemets", "guillemet")
    table = [
        ((P, A, ("la",), ("ligne",)), ".\n", "point"),
        ((P, ("final",)), ".", "point"),
        ((P, ("virgule",)), ";", "command"),
        ((("point-virgule",),), ";", "command"),
        ((P, ("d'",), ("interrogation",)), "?", "command"),
        ((P, ("d'",), ("exclamation",)), "!", "command"),
        ((("points", "point"), ("de",), ("suspension",)), "…", "command"),
        ((("deux", "2"), ("points",) + P), ":", "deux-points"),
        ((("deux-points",),), ":", "deux-points"),
        ((("nouveau", "nouvel"), ("paragraphe",) + PARAGRAPH_VARIANTS), "\n\n", "command"),
        ((("retour",), A, ("la",), ("ligne",)), "\n", "ligne"),
        ((A, ("la",), ("ligne",)), "\n", "ligne"),
        ((("nouvelle",), ("ligne",)), "\n", "command"),
        ((OPEN, ("la", "une"), paren), "(", "open"),
        ((OPEN, paren), "(", "open"),
        ((CLOSE, ("la",), paren), ")", "close"),
        ((CLOSE, paren), ")", "close"),
        ((OPEN, ("les", "des"), quotes), "«", "open"),
        ((OPEN, quotes), "«", "open"),
        ((CLOSE, ("les", "des"), quotes), "»", "close"),
        ((CLOSE, quotes), "»", "close"),
        ((("virgule", "virgules"),), ",", "virgule"),
        ((P,), ".", "point"),
        ((("tiret",),), "-", "tiret"),
    ]
    return sorted(table, key=lambda item: -len(item[0]))


PHRASES = _phrases()
WHISPER_PUNCT = {",", ".", ";", ":", "!", "?", "…", "..."}
SENTENCE_END = {".", "?", "!"}


@dataclass
class Token:
    text: str
    kind: str  # word | num | punct | other
    space_before: bool

    @property
    def norm(self) -> str:
        return self.text.lower().replace("’", "'")


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    space = False
    for m in TOKEN_RE.finditer(text):
        kind = m.lastgroup
        if kind == "space":
            space = True
            continue
        value = m.group()
        if kind == "elision":
            kind = "word"
        elif kind == "ellipsis":
            kind, value = "punct", "…"
        tokens.append(Token(value, kind, space))
        space = False
    return tokens


def _match(tokens: list[Token], i: int):
    """The command starting at token i: (end index, symbol, family), skipping Whisper punctuation inside."""
    for pattern, symbol, family in PHRASES:
        j, ok = i, True
        for pos, accepted in enumerate(pattern):
            if pos > 0:
                while j < len(tokens) and tokens[j].kind == "punct" and tokens[j].text in {",", "."}:
                    j += 1
            if j < len(tokens) and tokens[j].kind in ("word", "num") and tokens[j].norm in accepted:
                j += 1
            else:
                ok = False
                break
        if ok:
            return j, symbol, family
    return None


def _prev_word(tokens: list[Token], i: int) -> Token | None:
    """The token right before i when it is a word (punctuation in between breaks adjacency)."""
    return tokens[i - 1] if i > 0 and tokens[i - 1].kind in ("word", "num") else None


def _next_word(tokens: list[Token], j: int) -> Token | None:
    return tokens[j] if j < len(tokens) and tokens[j].kind in ("word", "num") else None


def _stays_text(tokens: list[Token], i: int, j: int, family: str) -> bool:
    prev, nxt = _prev_word(tokens, i), _next_word(tokens, j)
    if prev is not None and prev.norm in DETERMINERS:
        return True
    if family in ("point", "deux-points") and nxt is not None and (
            nxt.norm in FOLLOWERS_DE or (family == "point" and nxt.norm in POINT_QUALIFIERS)):
        return True
    if family == "ligne" and nxt is not None and nxt.norm in LINE_QUALIFIERS:
        return True
    return False


class _Writer:
    """Accumulates output with French spacing, capitals and de-duplicated punctuation."""

    def __init__(self) -> None:
        self.out = ""
        self.capitalize = True
        self.lower_next = False
        self.glue_next = False
        self.whisper_tail = False  # the output ends with punctuation Whisper wrote

    def at_line_start(self) -> bool:
        return self.out == "" or self.out.endswith("\n")

    def word(self, tok: Token, glued: bool) -> None:
        text = tok.text
        if self.capitalize and text[:1].isalpha():
            text = text[0].upper() + text[1:]
        elif self.lower_next and len(text) > 1 and text[0].isupper() and text[1:].islower():
            text = text[0].lower() + text[1:]
        if self.out and not (glued or self.glue_next or self.out.endswith(("\n", "(", "[", "“", "'", "’"))):
            self.out += " "
        self.out += text
        self.capitalize = self.lower_next = self.glue_next = False
        self.whisper_tail = False

    def drop_whisper_tail(self) -> bool:
        """Remove punctuation Whisper wrote just before a command; True if it ended a sentence."""
        ended = False
        while self.whisper_tail:
            stripped = self.out.rstrip(" ")
            if stripped and stripped[-1] in ",.;:!?…":
                ended = ended or stripped[-1] in SENTENCE_END
                self.out = stripped[:-1].rstrip(" ")
                self.capitalize = self.at_line_start()
            else:
                self.whisper_tail = False
        return ended

    def punct(self, symbol: str, from_whisper: bool) -> None:
        if symbol == "\n" or symbol == "\n\n":
            self.out = self.out.rstrip(" ")
            if symbol == "\n\n" and self.out.endswith("\n") and not self.out.endswith("\n\n"):
                self.out += "\n"
            elif self.out and not self.out.endswith("\n\n"):
                self.out += symbol
            self.capitalize = True
        elif symbol in ",.)…":
            stripped = self.out.rstrip(" ")
            if stripped.endswith(symbol) and symbol != ")":
                return  # no double punctuation
            self.out = stripped + symbol
        elif symbol in ":;?!»":
            stripped = self.out.rstrip(" ")
            if stripped.endswith(" " + symbol) or stripped == symbol:
                return
            self.out = stripped + ("" if self.at_line_start() or stripped.endswith("\n") else " ") + symbol
        elif symbol in "(«“[":
            if self.out and not self.out.endswith((" ", "\n")):
                self.out += " "
            self.out += symbol
        else:  # dashes and anything else, spaced
            if self.out and not self.out.endswith((" ", "\n")):
                self.out += " "
            self.out += symbol
        if symbol in SENTENCE_END:
            self.capitalize = True
        self.whisper_tail = from_whisper and symbol in WHISPER_PUNCT


def apply_commands(text: str) -> str:
    """Replace dictated punctuation/layout commands in a Whisper transcript by written symbols."""
    tokens = tokenize(text)
    w = _Writer()
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        found = _match(tokens, i) if tok.kind in ("word", "num") else None
        if found:
            j, symbol, family = found
            prev, nxt = _prev_word(tokens, i), _next_word(tokens, j)
            if family == "virgule" and prev is not None and prev.kind == "num" and nxt is not None and (
                    nxt.kind == "num"):
                w.out = w.out.rstrip(" ") + ","  # decimal comma: 38 virgule 5 → 38,5
                w.glue_next = True
                i = j
                continue
            if not _stays_text(tokens, i, j, family):
                ended = w.drop_whisper_tail() if symbol not in ("(", "«") else False
                while j < len(tokens) and tokens[j].kind == "punct" and tokens[j].text in WHISPER_PUNCT:
                    ended = ended or tokens[j].text in SENTENCE_END
                    j += 1
                line_start = w.at_line_start()
                if line_start and symbol in (",", ".", ";", ":", ")", "…", "»", "?", "!", ".\n"):
                    i = j  # punctuation dictated before any word: nothing to attach it to
                    continue
                if symbol == "-":
                    if line_start:
                        w.out += "-"
                    else:
                        w.punct("-", False)
                elif symbol == ".\n":
                    w.punct(".", False)
                    w.punct("\n", False)
                else:
                    w.punct(symbol, False)
                if symbol in (",", ";", ":", ")", "»") or (symbol == "-" and not line_start):
                    w.capitalize = False
                    w.lower_next = ended
                i = j
                continue
        if tok.kind in ("word", "num", "other"):
            glued = not tok.space_before and i > 0 and tokens[i - 1].kind in ("word", "num") and (
                tokens[i - 1].text.endswith(("'", "’")) or tok.kind == "other")
            w.word(tok, glued)
        else:
            w.punct(tok.text, True)
        i += 1
    return w.out.strip(" ")
