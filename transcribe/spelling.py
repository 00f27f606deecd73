"""Is a typed word French, and are two words forms of one lemma? (Hunspell, Dicollecte.)

The Dicollecte dictionary (MPL-2.0, bundled in ``data/hunspell``) is right on accents:
it rejects « echographie » and « coeur » typed without their accent or ligature and accepts
« l'échographie ». Medical words it lacks (drug names…) come from the bundled lexicon.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from .normalize import fold_ligatures

_DATA = resources.files("transcribe") / "data" / "hunspell"

# 1990 reform spellings and other forms French admits: (typed, expected) pairs are equivalent
# when their variant keys are equal. Only spellings listed by the reform's rules are folded.
_REFORM_EE = {
    "évènement": "événement", "évènements": "événements", "évènementiel": "événementiel",
    "règlementaire": "réglementaire", "règlementaires": "réglementaires",
    "règlementation": "réglementation", "règlementer": "réglementer", "crèmerie": "crémerie",
    "allègement": "allégement", "allègements": "allégements", "allègrement": "allégrement",
    "sècheresse": "sécheresse", "abrègement": "abrégement", "cèleri": "céleri",
    "assèchement": "asséchement", "empiètement": "empiétement",
}
_CIRCUMFLEX_KEPT = {"dû", "due", "mûr", "mûre", "mûrs", "mûres", "sûr", "sûre", "sûrs", "sûres",
                    "jeûne", "jeûnes", "croît", "crûs"}
# Prefixes that make hyphenated compounds freely; any other compound must be in the
# dictionary (« plein-pied » is not a word, though « plein » and « pied » are).
COMPOUND_PREFIXES = {
    "post", "pré", "anti", "sous", "sus", "non", "extra", "intra", "inter", "péri", "para",
    "rétro", "supra", "infra", "néo", "auto", "demi", "semi", "mi", "pseudo", "micro", "macro",
    "poly", "multi", "hyper", "hypo", "médico", "psycho", "socio", "cardio", "broncho", "gastro",
    "uro", "neuro", "trans", "contre", "ex", "vice", "bi", "tri", "pluri", "sur", "co", "radio",
    "écho", "angio", "immuno", "hépato", "néphro", "oto", "rhino", "ophtalmo", "gynéco", "pneumo",
}
_INVERTED = {"je", "tu", "il", "elle", "on", "nous", "vous", "ils", "elles", "t", "moi", "toi",
             "lui", "leur", "le", "la", "les", "en", "y", "ci", "là", "même", "mêmes"}
# Inflections of one word that Hunspell stems apart.
_FAMILIES = ({"tout", "tous", "toute", "toutes"},)
_ARTICLES = {"le", "la", "les", "l'", "un", "une", "des", "du", "de", "d'", "au", "aux", "ce",
             "cet", "cette", "ces", "son", "sa", "ses", "mon", "ma", "mes", "ton", "ta", "tes",
             "leur", "leurs", "notre", "nos", "votre", "vos"}


@lru_cache(maxsize=1)
def _hunspell():
    import hunspell

    with resources.as_file(_DATA) as folder:
        return hunspell.Hunspell("fr", hunspell_data_dir=str(folder))


@lru_cache(maxsize=1)
def _lexicon_words() -> tuple[frozenset[str], frozenset[str]]:
    """Words of the medical lexicon: lower-cased ones, and acronyms (« HTA », « EVA ») that
    are words only in capitals, so that « eva » or « ca » typed for « Éva », « ça » still fail."""
    from .lexicon import _is_abbreviation, load_lexicon
    from .tokenize import tokenize

    lower, exact = set(), set()
    for entry in load_lexicon().entries:
        for token in tokenize(entry.term):
            if token.is_punct:
                continue
            if _is_abbreviation(token.text):
                exact.add(token.text)
            else:
                lower.add(token.text.lower())
    return frozenset(lower), frozenset(exact)


def _in_lexicon(word: str) -> bool:
    lower, exact = _lexicon_words()
    return word.lower() in lower or word in exact


def variant_key(word: str) -> str:
    """Key under which spellings French admits as equivalent coincide (1990 reform, œ/oe)."""
    lower = word.lower()
    lower = _REFORM_EE.get(lower, lower)
    lower = fold_ligatures(lower)
    lower = lower.replace("güe", "guë").replace("güi", "guï")
    if lower not in _CIRCUMFLEX_KEPT:
        lower = re.sub(r"[îû](?=[^aeiouéèêëàâîïôûü]|$)", lambda m: {"î": "i", "û": "u"}[m.group(0)], lower)
    return lower


@lru_cache(maxsize=65536)
def is_french_word(word: str) -> bool:
    """A dictionary word, a medical lexicon word, a number or an elision."""
    if not word or not any(c.isalpha() for c in word):
        return True
    if word.endswith("'") or word.lower() in _ARTICLES:
        return True
    h = _hunspell()
    if "-" in word:
        # Hunspell breaks at hyphens and checks the parts (« plein-pied » passes): a compound
        # is a word when the dictionary knows it whole (it has a stem), or a free prefix
        # compound (« post-opératoire »), or a lexicon term.
        if h.stem(word) or h.stem(word.lower()) or _in_lexicon(word) or word.lower() == "est-à-dire":
            return True
    elif h.spell(word) or h.spell(word.lower()) or _in_lexicon(word):
        return True
    if "-" in word:  # a prefix and words (« post-opératoire »), a verb and its pronoun (« a-t-il »)
        parts = [p for p in word.split("-") if p]
        if len(parts) < 2:
            return False
        if parts[0].lower() in COMPOUND_PREFIXES:
            return all(h.spell(p) or h.spell(p.lower()) or _in_lexicon(p) for p in parts[1:])
        tail = [p.lower() for p in parts[1:]]
        return (h.spell(parts[0]) or h.spell(parts[0].lower())) and all(p in _INVERTED for p in tail)
    return False


@lru_cache(maxsize=65536)
def is_dictionary_form(word: str) -> bool:
    """Known as written, whole: a dictionary word or compound (not just made of known parts)."""
    h = _hunspell()
    if "-" in word:
        return bool(h.stem(word) or h.stem(word.lower())) or _in_lexicon(word)
    return bool(h.spell(word) or h.spell(word.lower())) or _in_lexicon(word)


@lru_cache(maxsize=65536)
def stems(word: str) -> frozenset[str]:
    h = _hunspell()
    found = set(h.stem(word)) | set(h.stem(word.lower()))
    return frozenset(s.lower() for s in found)


def same_lemma(a: str, b: str) -> bool:
    """Two inflections of one word (« examen »/« examens », « opéré »/« opérer »), or two
    articles/determiners (« le »/« les »): what French marking calls an agreement error."""
    la, lb = a.lower(), b.lower()
    if la in _ARTICLES and lb in _ARTICLES:
        return True
    if any(la in family and lb in family for family in _FAMILIES):
        return True
    sa, sb = stems(a), stems(b)
    if sa & sb:
        return True
    # Words unknown to Hunspell (drug names…): a plural or feminine ending added or dropped.
    for x, y in ((la, lb), (lb, la)):
        if y in {x + "s", x + "x", x + "e", x + "es"}:
            return True
    return False
