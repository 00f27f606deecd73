"""Typing every difference: one error type per edit, plus orthogonal flags.

Types (the score contract): ``omission``, ``ajout``, ``substitution`` (another word: a
fidelity error), ``usage`` (a misspelled word), ``homophone`` (a grammatical homophone: a
full grammatical fault), ``accord`` (the same word in another inflection, or another
article), ``accent``, ``majuscule``, ``ponctuation``. ``docs/typologie.md`` explains them to
trainers, with examples that the tests check.

Decision for a reference word *r* paired with a typed word *h*, first rule that applies:

1. same spelling: no error; a punctuation mark on either side: ``ponctuation``;
2. a grammatical homophone of *r* (``homophones.GROUPS``: a/à, ou/où, et/est, ses/ces,
   la/là/l'a, peut-être/peut être…), whatever the case: ``homophone`` — before any accent,
   stem or agreement test, so that a homophone is never ``accent``, ``accord`` or ``usage``;
3. a spelling French admits (1990 reform, « oe » for « œ », digits for number words of the
   same value, a unit symbol for its name, a hyphenation the dictionary knows:
   « postopératoire » for « post-opératoire »): no error;
4. two different numbers: ``substitution`` (always a critical value);
5. only the case differs: ``majuscule``; only the diacritics (and maybe the case): ``accent``;
6. a compound whose parts are the reference's in another inflection (« paquet-années » for
   « paquets-années », « postéro-latéral » for « postéro-latérale »): ``accord``;
7. *h* is not a French word (Hunspell + medical lexicon): ``accord`` when it is *r* with a
   plural mark added (« quatres », « normals » for « normaux »), else ``usage`` when it looks
   like *r* (similarity ≥ 60 %), else ``substitution``; a proper name (a patient field, or a
   capitalised word that is not a common word) typed with other letters is ``usage`` too;
8. *h* is a French word of the same lemma (Hunspell stems, tout/tous/toute/toutes), or both
   are articles: ``accord``;
9. otherwise ``substitution``.

A title written out (« Docteur » for « Dr », « Madame » for « Mme ») is admitted; in lower
case it is a ``majuscule`` error where a sentence or a line starts (« docteur » opening the
signature), and admitted inside a sentence (« Je soussignée, docteur GARNIER »).

A group (words split or merged) is ``homophone`` when the two sides are homophones
(« l'a » for « la », « qu'en » for « quand », « plus tôt » for « plutôt »), ``usage`` when its
letters equal the reference's (« porte monnaie »), else one ``substitution``. An elision and
the word after it are shown together (« c'est » typed « s'est »), and a word the alignment
left beside a homophone's other half is joined to it (« ni » typed « n'y »).

Flags come from the reference side: ``terme_medical`` (the word belongs to a medical term),
``valeur_critique`` (number, dose, unit, date, laterality, or a listed critical value, when
the error changes it: omitted, added or replaced), ``identite`` (a patient field of the
exercise, whatever the error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz.distance import Indel

from .alignment import Edit
from .homophones import is_homophone, join_words
from .normalize import fold_ligatures, loose_key, strip_accents
from .spelling import is_dictionary_form, is_french_word, same_lemma, stems, variant_key
from .views import Item, starts_sentence

ERROR_TYPES = ("omission", "ajout", "substitution", "usage", "homophone", "accord", "accent", "majuscule",
               "ponctuation")
CONTENT_TYPES = ("omission", "ajout", "substitution")
FLAGS = ("terme_medical", "valeur_critique", "identite")
TITLES = {"Dr": "docteur", "Pr": "professeur", "Mme": "madame", "Mlle": "mademoiselle"}
LATERALITY = {
    "droite", "droit", "droits", "droites", "gauche", "gauches", "bilatéral", "bilatérale",
    "bilatéraux", "bilatérales", "homolatéral", "homolatérale", "controlatéral",
    "controlatérale", "ipsilatéral", "ipsilatérale", "unilatéral", "unilatérale",
}


@dataclass
class Error:
    type: str
    ref: str
    hyp: str
    flags: list[str] = field(default_factory=list)
    line: int = 0
    ref_items: tuple[int, ...] = ()
    hyp_items: tuple[int, ...] = ()
    words: int = 1  # words of an omitted or added passage (each one counts)
    origin: str | None = None  # post-editing only: "brouillon" (left from the draft) or "apprenant"

    def to_dict(self) -> dict:
        data = {"type": self.type, "ref": self.ref, "hyp": self.hyp, "flags": list(self.flags),
                "line": self.line}
        if self.origin is not None:
            data["origin"] = self.origin
        return data


def _squash(text: str) -> str:
    return re.sub(r"[\s\-'’]", "", loose_key(text))


def _case_shape(word: str) -> tuple[bool, bool, str]:
    """Capitalised? All capitals? Which capitals, accents folded? (what a case error changes:
    « Hba1c » for « HbA1c » too)."""
    letters = [c for c in word if c.isalpha()]
    capitals = "".join(c for c in fold_ligatures(strip_accents(word)) if c.isupper())
    return (bool(letters) and letters[0].isupper(), bool(letters) and all(c.isupper() for c in letters), capitals)


def _written_unit(item: Item) -> bool:
    """A unit written out in words (« milligrammes », « battements par minute »), not a symbol."""
    from .views import UNIT_SYMBOLS

    return item.kind == "unit" and item.surface.lower() not in UNIT_SYMBOLS and item.surface[:1].isalpha()


def _number_notation(r: str, h: str) -> str | None:
    """Same value, other notation: « 2.5 » for « 2,5 » (ponctuation), « 12/3/2026 » for
    « 12/03/2026 » (usage). None when the values differ. (« 15000 » for « 15 000 » never gets
    here: numbers are keyed without their spaces, an admitted notation.)"""
    if r.replace(",", ".") == h.replace(",", "."):
        return "ponctuation"
    parts_r, parts_h = r.split("/"), h.split("/")
    if len(parts_r) == len(parts_h) > 1 and all(a.isdigit() and b.isdigit() and int(a) == int(b)
                                                 for a, b in zip(parts_r, parts_h)):
        return "usage"
    return None


def _compound_inflection(r: str, h: str) -> bool:
    """Parts of one compound, one or more in another inflection (« pointe-ondes »)."""
    parts_r, parts_h = r.lower().split("-"), h.lower().split("-")
    return (len(parts_r) == len(parts_h) > 1 and parts_r != parts_h
            and all(a == b or same_lemma(a, b) for a, b in zip(parts_r, parts_h)))


def _plural_mark(r: str, h: str) -> bool:
    """« quatres » for « quatre », « normals » for « normaux »: a plural mark added to the word."""
    lr, lh = r.lower(), h.lower()
    if lh[-1:] not in ("s", "x") or len(lh) < 3:
        return False
    base = lh[:-1]
    return is_french_word(lr) and (base == lr or bool(stems(lr) & stems(base)))


def type_pair(r: Item, h: Item) -> str | None:
    """The error type of a reference item paired with a typed one, or None (see module doc)."""
    if r.surface == h.surface:
        return None
    if r.is_punct or h.is_punct:
        return "ponctuation"
    if is_homophone(r.surface, h.surface):
        return "homophone"
    numeric = {r.kind, h.kind} & {"number", "unit"}
    if numeric and r.lenient == h.lenient:
        # « mmhg » for « mmHg » is a case error; « milligrammes » for « mg » is admitted;
        # the unit written out in another inflection (« battement par minute ») is agreement.
        if r.surface.lower() == h.surface.lower():
            return "majuscule"
        return "accord" if _written_unit(r) and _written_unit(h) else None
    if variant_key(r.surface) == variant_key(h.surface) and _case_shape(r.surface) == _case_shape(h.surface):
        return None
    if {r.surface.lower(), h.surface.lower()} in ({"un", "1"}, {"une", "1"}):
        return None
    if r.kind == "number" and h.kind == "number":
        return _number_notation(r.surface, h.surface) or "substitution"
    if r.kind == "unit" and h.kind == "unit":
        return "substitution"
    if r.surface.lower() == h.surface.lower():
        return "majuscule"
    if strip_accents(r.surface).lower() == strip_accents(h.surface).lower():
        # A word typed in capitals: the case is the error (accents on capitals are often dropped).
        if h.surface.isupper() and not r.surface.isupper():
            return "majuscule"
        return "accent"
    if _squash(r.surface) == _squash(h.surface):  # hyphen or apostrophe only
        return None if is_dictionary_form(h.surface) else "usage"
    if _compound_inflection(r.surface, h.surface):
        return "accord"
    if not is_french_word(h.surface):
        if _plural_mark(r.surface, h.surface):
            return "accord"
        similarity = Indel.normalized_similarity(loose_key(r.surface), loose_key(h.surface))
        return "usage" if similarity >= 0.6 else "substitution"
    if same_lemma(r.surface, h.surface):
        return "accord"
    return "substitution"


def type_edit(edit: Edit, ref: list[Item], hyp: list[Item]) -> str | None:
    if edit.op == "equal":
        return type_pair(ref[edit.ref[0]], hyp[edit.hyp[0]])
    if edit.op == "delete":
        return "ponctuation" if ref[edit.ref[0]].is_punct else "omission"
    if edit.op == "insert":
        return "ponctuation" if hyp[edit.hyp[0]].is_punct else "ajout"
    if edit.op == "pair":
        r, h = ref[edit.ref[0]], hyp[edit.hyp[0]]
        if TITLES.get(r.surface) == h.surface.lower() or TITLES.get(h.surface) == r.surface.lower():
            # The title written out (or abbreviated): one word; its capital where a line starts.
            lower = h.surface[:1].islower() and not r.surface[:1].islower()
            return "majuscule" if lower and starts_sentence(edit.ref[0], ref) else None
        return type_pair(r, h)
    ref_text = join_words([ref[i].surface for i in edit.ref])
    hyp_text = join_words([hyp[j].surface for j in edit.hyp])
    if is_homophone(ref_text, hyp_text):
        return "homophone"
    if _squash(ref_text) != _squash(hyp_text):
        return "substitution"
    # Words joined by a hyphen into a compound the dictionary knows (« petit-déjeuner »).
    return None if len(edit.hyp) == 1 and "-" in hyp_text and is_dictionary_form(hyp_text) else "usage"


def flag_spans(ref: list[Item], terms: list[tuple[int, int]], identity_values: list[str],
               critical_values: list[str]) -> dict[int, set[str]]:
    """Which flags each reference item carries."""
    from .views import text_items

    flags: dict[int, set[str]] = {}
    for start, end in terms:
        for i in range(start, end):
            flags.setdefault(i, set()).add("terme_medical")
    for i, it in enumerate(ref):
        if it.kind in ("number", "unit") or it.surface.lower() in LATERALITY:
            flags.setdefault(i, set()).add("valeur_critique")
    surfaces = [it.surface.lower() for it in ref]
    for values, flag in ((identity_values, "identite"), (critical_values, "valeur_critique")):
        for value in values:
            needle = [it.surface.lower() for it in text_items(value)]
            if not needle:
                continue
            for s in range(len(surfaces) - len(needle) + 1):
                if surfaces[s:s + len(needle)] == needle:
                    for i in range(s, s + len(needle)):
                        flags.setdefault(i, set()).add(flag)
    return flags


def _misspelt_name(r: Item, h: Item, identity: bool) -> bool:
    """A proper name typed with other letters (« Tomas » for « Thomas », « DURANT » for
    « DURAND »): a spelling error on the name, even when the typed form happens to be a word."""
    if r.kind != "word" or h.kind != "word" or not r.surface[:1].isupper():
        return False
    if not identity and is_french_word(r.surface.lower()):
        return False
    return Indel.normalized_similarity(loose_key(r.surface), loose_key(h.surface)) >= 0.6


def _inside_omission(i: int, ref: list[Item], omitted: set[int]) -> bool:
    """A reference punctuation mark that belongs to an omitted passage: the word before it
    was omitted, or it opens (« ( », « « ») a passage whose first word was omitted."""
    before = next((k for k in range(i - 1, -1, -1) if not ref[k].is_punct), None)
    if before is not None and before in omitted:
        return True
    after = next((k for k in range(i + 1, len(ref)) if not ref[k].is_punct), None)
    return ref[i].surface in "([«\"“" and after is not None and after in omitted


def classify(edits: list[Edit], ref: list[Item], hyp: list[Item],
             flags: dict[int, set[str]] | None = None, ref_text: str | None = None,
             hyp_text: str | None = None) -> list[Error]:
    """The typed errors of an alignment, in reading order; a run of omitted (or added) words
    is one error holding the passage as written (texts given) and its word count."""
    unmatched_marks = {e.ref[0] for e in edits if e.op == "delete" and ref[e.ref[0]].is_punct}
    edits = _join_homophones(edits, ref, hyp)
    return _merge_passages(_classify_edits(edits, ref, hyp, flags), ref, hyp, ref_text, hyp_text,
                           unmatched_marks)


def _join_homophones(edits: list[Edit], ref: list[Item], hyp: list[Item]) -> list[Edit]:
    """One edit for a homophone the alignment split: « ni » typed « n'y » comes out as the pair
    (ni, n') and the added « y »; « c'est » typed « s'est » as the pair (c', s') before an
    equal « est ». Each becomes one group, typed ``homophone`` and shown whole."""
    def words(op: str, side: str) -> dict[int, Edit]:
        items = ref if side == "ref" else hyp
        return {getattr(e, side)[0]: e for e in edits
                if e.op == op and not items[getattr(e, side)[0]].is_punct}

    inserts, deletes, equals = words("insert", "hyp"), words("delete", "ref"), words("equal", "ref")
    replaced: dict[Edit, Edit | None] = {}
    for e in edits:
        if e.op != "pair" or e in replaced or ref[e.ref[0]].is_punct:
            continue
        r, h = e.ref[0], e.hyp[0]
        if is_homophone(ref[r].surface, hyp[h].surface):
            after = equals.get(r + 1)
            if ref[r].surface.endswith("'") and after is not None and after.hyp == (h + 1,):
                replaced[e], replaced[after] = Edit("group", (r, r + 1), (h, h + 1)), None
            continue
        for other, rs, hs in ((inserts.get(h - 1), (r,), (h - 1, h)), (inserts.get(h + 1), (r,), (h, h + 1)),
                              (deletes.get(r - 1), (r - 1, r), (h,)), (deletes.get(r + 1), (r, r + 1), (h,))):
            if other is None or other in replaced:
                continue
            if is_homophone(join_words([ref[i].surface for i in rs]), join_words([hyp[j].surface for j in hs])):
                replaced[e], replaced[other] = Edit("group", rs, hs), None
                break
    if not replaced:
        return edits
    return [replaced.get(e, e) for e in edits if replaced.get(e, e) is not None]


def _merge_passages(errors: list[Error], ref: list[Item], hyp: list[Item], ref_text: str | None,
                    hyp_text: str | None, unmatched_marks: set[int]) -> list[Error]:
    merged: list[Error] = []
    grown: list[int] = []  # items merged into merged[-1], stored on it once its passage ends
    k = 0
    while k < len(errors):
        e = errors[k]
        last = merged[-1] if merged else None
        # Marks typed inside an added passage (« du tout, vraiment ») belong to it.
        skip = 0
        if last is not None and last.type == "ajout":
            while (k + skip < len(errors) and errors[k + skip].type == "ponctuation"
                   and not errors[k + skip].ref_items):
                skip += 1
            if skip and k + skip < len(errors):
                e = errors[k + skip]
        if last is not None and e.type == last.type and e.type in ("omission", "ajout"):
            items, side = (ref, "ref_items") if e.type == "omission" else (hyp, "hyp_items")
            a, b = grown[-1] if grown else getattr(last, side)[-1], getattr(e, side)[0]
            if b > a and all(items[j].is_punct for j in range(a + 1, b)):
                grown.extend(range(a + 1, b + 1))
                last.words += 1
                last.flags = [f for f in FLAGS if f in set(last.flags) | set(e.flags)]
                k += skip + 1
                continue
        _store_grown(last, grown)
        merged.append(errors[k])
        k += 1
    _store_grown(merged[-1] if merged else None, grown)
    for e in merged:
        if e.type == "omission" and e.words > 1:
            e.ref_items = _with_marks(e.ref_items, ref, unmatched_marks)
            e.ref = _passage(ref, e.ref_items, ref_text)
        elif e.type == "ajout" and e.words > 1:
            e.hyp = _passage(hyp, e.hyp_items, hyp_text)
    return merged


def _store_grown(error: Error | None, grown: list[int]) -> None:
    """Append the items of a merged passage to its error at once (not one tuple per word)."""
    if error is not None and grown:
        side = "ref_items" if error.type == "omission" else "hyp_items"
        setattr(error, side, getattr(error, side) + tuple(grown))
        grown.clear()


def _with_marks(indices: tuple[int, ...], items: list[Item], unmatched: set[int]) -> tuple[int, ...]:
    """An omitted passage takes its opening and closing marks (missing too, not reported on
    their own): « (depuis hier) », « Revoir dans un mois. »."""
    k = indices[0] - 1
    while k >= 0 and k in unmatched and items[k].surface in "([«\"“":
        indices = (k,) + indices
        k -= 1
    k = indices[-1] + 1
    while k < len(items) and k in unmatched and items[k].surface in ")]»\"”.;:!?…,":
        indices += (k,)
        k += 1
    return indices


def _passage(items: list[Item], indices: tuple[int, ...], text: str | None) -> str:
    if text is None:
        return " ".join(items[k].surface for k in indices)
    start, end = items[indices[0]].tokens[0].start, items[indices[-1]].tokens[-1].end
    return " ".join(text[start:end].split())


def _classify_edits(edits: list[Edit], ref: list[Item], hyp: list[Item],
                    flags: dict[int, set[str]] | None = None) -> list[Error]:
    flags = flags or {}
    errors: list[Error] = []
    last_line = 1
    omitted = {edit.ref[0] for edit in edits if edit.op == "delete" and not ref[edit.ref[0]].is_punct}
    for edit in edits:
        if edit.hyp:
            last_line = hyp[edit.hyp[0]].line
        kind = type_edit(edit, ref, hyp)
        if kind is None:
            continue
        if kind == "ponctuation" and not edit.hyp and _inside_omission(edit.ref[0], ref, omitted):
            continue  # the marks of an omitted passage go with it
        item_flags: set[str] = set()
        for i in edit.ref:
            item_flags |= flags.get(i, set())
        identity = "identite" in item_flags
        # A name has no inflection: « BLANCHE » typed for the patient « BLANC » is its spelling.
        if edit.op == "pair" and (kind == "substitution" or kind == "accord" and identity) and _misspelt_name(
                ref[edit.ref[0]], hyp[edit.hyp[0]], identity):
            kind = "usage"
        # A critical value is wrong only when its content changed: « droit » for « droite »
        # or « 2.5 » for « 2,5 » keep the value. Identity fields allow no error at all.
        if kind not in CONTENT_TYPES:
            item_flags.discard("valeur_critique")
        if not edit.ref and any(hyp[j].kind in ("number", "unit") for j in edit.hyp):
            item_flags.add("valeur_critique")
        errors.append(Error(
            type=kind,
            ref=join_words([ref[i].surface for i in edit.ref]),
            hyp=join_words([hyp[j].surface for j in edit.hyp]),
            flags=[f for f in FLAGS if f in item_flags],
            line=last_line,
            ref_items=edit.ref,
            hyp_items=edit.hyp,
        ))
    return errors
