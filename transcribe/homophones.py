"""Grammatical homophones: two different words that sound alike (a/à, et/est, ses/ces…).

French dictée marking counts their confusion as a full grammatical fault, whatever the visible
difference (an accent for a/à, ou/où, la/là, du/dû, sur/sûr; an apostrophe for la/l'a,
ni/n'y; a hyphen for peut-être/peut être). The table below is the single source of truth:
``docs/typologie.md`` lists it and the tests check the two agree.

Each group holds words that sound alike; a *member* of a group is one word in its
inflections (« peut », « peux »). Two spellings are homophones when they belong to different
members of one group. Two inflections of one member (« peut »/« peux », « quel »/« quelle »)
are not: that is agreement (``accord``), and so is « leur »/« leurs ».

Spellings are lower-case, with a plain apostrophe; elided forms (« c'est », « qu'en ») and
phrases (« plus tôt », « quel que ») are written as the learner types them.
"""

from __future__ import annotations

GROUPS: tuple[tuple[tuple[str, ...], ...], ...] = (
    (("a", "as"), ("à",)),
    (("ou",), ("où",)),
    (("et",), ("est", "es")),
    (("ces",), ("ses",), ("c'est",), ("s'est",), ("sait", "sais")),
    (("c'",), ("s'",)),
    (("son",), ("sont",)),
    (("on",), ("ont",)),
    (("ce",), ("se",)),
    (("la",), ("là",), ("l'a", "l'as")),
    (("du",), ("dû",)),
    (("sur",), ("sûr", "sûre", "sûrs", "sûres")),
    (("des",), ("dès",)),
    (("peu",), ("peut", "peux")),
    (("peut-être",), ("peut être",)),
    (("quand",), ("quant",), ("qu'en",)),
    (("ni",), ("n'y",)),
    (("si",), ("s'y",)),
    (("sans",), ("s'en",), ("c'en",)),
    (("dans",), ("d'en",)),
    (("qui",), ("qu'il", "qu'ils")),
    (("quel", "quels", "quelle", "quelles"), ("qu'elle", "qu'elles")),
    (("quelque", "quelques"), ("quel que", "quels que", "quelle que", "quelles que")),
    (("quelquefois",), ("quelques fois",)),
    (("quoique",), ("quoi que",)),
    (("plutôt",), ("plus tôt",)),
    (("sitôt",), ("si tôt",)),
    (("aussitôt",), ("aussi tôt",)),
    (("bientôt",), ("bien tôt",)),
    (("davantage",), ("d'avantage", "d'avantages")),
    (("mais",), ("mes",), ("met", "mets"), ("m'est",)),
    (("ma",), ("m'a", "m'as")),
    (("ta",), ("t'a", "t'as")),
    (("mon",), ("m'ont",)),
    (("ton",), ("t'ont",)),
    (("tes",), ("t'es", "t'est")),
    (("sa",), ("ça",), ("çà",)),
    (("près",), ("prêt", "prêts", "prête", "prêtes")),
    (("notre",), ("nôtre", "nôtres")),
    (("votre",), ("vôtre", "vôtres")),
    (("voir",), ("voire",)),
)

# spelling -> (group number, member number)
_MEMBER: dict[str, tuple[int, int]] = {
    spelling: (g, m)
    for g, group in enumerate(GROUPS)
    for m, member in enumerate(group)
    for spelling in member
}


def key(text: str) -> str:
    """How a spelling is looked up: lower-case, one plain apostrophe, single spaces."""
    return " ".join(text.replace("’", "'").lower().split())


def is_homophone(a: str, b: str) -> bool:
    """Are ``a`` and ``b`` two different words that sound alike (see the module docstring)?
    Case is ignored: « Ces » typed for « ses » is a homophone."""
    ma, mb = _MEMBER.get(key(a)), _MEMBER.get(key(b))
    return ma is not None and mb is not None and ma[0] == mb[0] and ma[1] != mb[1]


def join_words(surfaces: list[str]) -> str:
    """Words as typed: a space between them, none after an elision (« l' » + « a » → « l'a »)."""
    out = ""
    for s in surfaces:
        out += s if not out or out.endswith("'") else " " + s
    return out
