"""Two views of one text, as keyed items ready for alignment.

Tokens become *items*: usually one token each, but a run of number words (« cent
quarante-cinq ») or a spoken unit (« millimètres de mercure ») becomes one item, so that
« cinq milligrammes » and « 5 mg » line up item for item. Each item carries three keys:

- ``surface``: the text as typed (strict view: case, accents, punctuation);
- ``lenient``: lower-case, ligatures folded (œ = oe), numbers as digits, units as symbols;
  the view for WER comparable with published numbers (punctuation items are left out);
- ``loose``: the lenient key without accents: what the strict alignment pairs on, so that
  an accent or case error is a near match to type, not an unrelated word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from text_to_num import alpha2digit

from .normalize import fold_ligatures, strip_accents
from .tokenize import Token, tokenize

NUMBER_WORDS = {
    "zéro", "un", "une", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix",
    "onze", "douze", "treize", "quatorze", "quinze", "seize", "vingt", "vingts", "trente",
    "quarante", "cinquante", "soixante", "septante", "huitante", "octante", "nonante", "cent",
    "cents", "mille", "million", "millions", "milliard", "milliards",
}
_NUMBER_JOINERS = {"et", "virgule"}

UNIT_WORDS = {
    "milligramme": "mg", "milligrammes": "mg", "gramme": "g", "grammes": "g",
    "microgramme": "µg", "microgrammes": "µg", "kilogramme": "kg", "kilogrammes": "kg",
    "kilo": "kg", "kilos": "kg", "millilitre": "ml", "millilitres": "ml", "litre": "l",
    "litres": "l", "centilitre": "cl", "centilitres": "cl", "décilitre": "dl", "décilitres": "dl",
    "centimètre": "cm", "centimètres": "cm", "millimètre": "mm", "millimètres": "mm",
    "millimole": "mmol", "millimoles": "mmol", "micromole": "µmol", "micromoles": "µmol",
    "pourcent": "%",
}
UNIT_PHRASES = {
    ("millimètres", "de", "mercure"): "mmhg", ("millimètre", "de", "mercure"): "mmhg",
    ("centimètres", "de", "mercure"): "cmhg", ("pour", "cent"): "%",
    ("degrés", "celsius"): "°c", ("degré", "celsius"): "°c",
    ("millimètres", "cubes"): "mm³", ("millimètre", "cube"): "mm³",
    ("unités", "internationales"): "ui", ("battements", "par", "minute"): "bpm",
    ("battement", "par", "minute"): "bpm",
}
# Unit symbols typed as words: a unit changed (« mm » for « cm ») changes the value.
UNIT_SYMBOLS = {
    "mg", "g", "kg", "µg", "mcg", "ng", "ml", "l", "cl", "dl", "µl", "cm", "mm", "km", "mmol",
    "µmol", "mol", "mmhg", "cmhg", "ui", "bpm", "mm³", "cm³", "mm3", "cm3", "cm²", "m²", "meq",
    "mosm", "mui", "kcal", "°c", "%", "‰", "g/l", "mg/l", "mmol/l",
}
_PHRASES_BY_FIRST: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _phrase, _symbol in UNIT_PHRASES.items():
    _PHRASES_BY_FIRST.setdefault(_phrase[0], []).append((_phrase, _symbol))
MONTHS = {
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
}


@dataclass(frozen=True)
class Item:
    tokens: tuple[Token, ...]
    surface: str
    lenient: str
    loose: str
    kind: str  # word | number | unit | punct

    @property
    def line(self) -> int:
        return self.tokens[0].line

    @property
    def is_punct(self) -> bool:
        return self.kind == "punct"


def _is_number_word(lower: str) -> bool:
    return bool(lower) and all(part in NUMBER_WORDS for part in lower.split("-") if part)


@lru_cache(maxsize=4096)
def _spoken_number(words: str) -> str | None:
    """« cent quarante-cinq » → « 145 »; None when it is not one number."""
    converted = alpha2digit(words, "fr", threshold=0)
    return converted if " " not in converted and re.fullmatch(r"\d[\d,]*", converted) else None


@lru_cache(maxsize=65536)
def _lenient_word(text: str) -> str:
    text = fold_ligatures(text.lower())
    return UNIT_WORDS.get(text, text)


def _lenient_key(token: Token) -> str:
    if token.kind != "number":
        return _lenient_word(token.text)
    text = fold_ligatures(token.text.lower())
    if token.kind == "number":
        return text.replace(" ", "")
    return UNIT_WORDS.get(text, text)


_strip_accents = lru_cache(maxsize=65536)(strip_accents)


def _item(tokens: list[Token], lenient: str, kind: str) -> Item:
    surface = tokens[0].text if len(tokens) == 1 else " ".join(t.text for t in tokens)
    return Item(tuple(tokens), surface, lenient, _strip_accents(lenient), kind)


def items_from_tokens(tokens: list[Token]) -> list[Item]:
    """Group and key tokens (see module docstring)."""
    items: list[Item] = []
    i = 0
    n = len(tokens)
    while i < n:
        token = tokens[i]
        lower = token.text.lower()
        # A run of number words, possibly joined by « et » / « virgule ».
        if token.kind == "word" and _is_number_word(lower) and lower not in {"un", "une"} or (
            lower in {"un", "une"} and i + 1 < n and _is_number_word(tokens[i + 1].text.lower())
            and tokens[i + 1].text.lower() not in {"un", "une"}
        ):
            j = i + 1
            while j < n:
                nxt = tokens[j].text.lower()
                if tokens[j].kind == "word" and _is_number_word(nxt):
                    j += 1
                elif nxt in _NUMBER_JOINERS and j + 1 < n and _is_number_word(tokens[j + 1].text.lower()):
                    j += 2
                else:
                    break
            spoken = _spoken_number(" ".join(t.text.lower() for t in tokens[i:j]))
            if spoken is not None:
                items.append(_item(tokens[i:j], spoken, "number"))
                i = j
                continue
        # A spoken unit of several words.
        for phrase, symbol in _PHRASES_BY_FIRST.get(lower, ()):
            k = len(phrase)
            if tuple(t.text.lower() for t in tokens[i:i + k]) == phrase:
                items.append(_item(tokens[i:i + k], symbol, "unit"))
                i += k
                break
        else:
            key = _lenient_key(token)
            kind = token.kind
            if kind == "word" and (lower in UNIT_WORDS or lower in UNIT_SYMBOLS):
                kind = "unit"
            items.append(_item([token], key, kind))
            i += 1
    return _fold_dates_and_ratios(items)


def _fold_dates_and_ratios(items: list[Item]) -> list[Item]:
    """« 14 septembre 1951 » → 14/09/1951 and « 145 sur 90 » → 145/90, as single items."""
    out: list[Item] = []
    i = 0
    while i < len(items):
        a = items[i]
        if a.kind == "number" and i + 2 < len(items) and items[i + 2].kind == "number":
            b, c = items[i + 1], items[i + 2]
            if b.lenient == "sur":
                key = f"{a.lenient}/{c.lenient}"
                out.append(Item(a.tokens + b.tokens + c.tokens, f"{a.surface} {b.surface} {c.surface}",
                                key, key, "number"))
                i += 3
                continue
            if b.lenient in MONTHS and a.lenient.isdigit() and re.fullmatch(r"\d{4}", c.lenient):
                key = f"{int(a.lenient):02d}/{MONTHS[b.lenient]:02d}/{c.lenient}"
                out.append(Item(a.tokens + b.tokens + c.tokens, f"{a.surface} {b.surface} {c.surface}",
                                key, key, "number"))
                i += 3
                continue
        if a.lenient in {"degré", "degrés"} and out and out[-1].kind == "number":
            a = Item(a.tokens, a.surface, "°c", "°c", "unit")
        out.append(a)
        i += 1
    return out


SENTENCE_ENDS = {".", "!", "?", "…", "...", ":"}


LIST_MARKS = {"-", "–", "—", "•", "*"}


def starts_sentence(i: int, items: list[Item]) -> bool:
    """Item ``i`` opens the text, a line (after a list mark: « - ésoméprazole »), a sentence
    or what follows a colon."""
    k = i - 1
    while k >= 0 and items[k].surface in LIST_MARKS and items[k].line == items[i].line:
        k -= 1
    return k < 0 or items[k].surface in SENTENCE_ENDS or items[k].line != items[i].line


def text_items(text: str) -> list[Item]:
    return items_from_tokens(tokenize(text))


def lenient_words(items: list[Item]) -> list[str]:
    """The lenient view: lower-case keys of every non-punctuation item."""
    return [it.lenient.replace(" ", "") for it in items if not it.is_punct]


def lenient_text(text: str) -> str:
    return " ".join(lenient_words(text_items(text)))
