"""An omitted (or added) block is one passage: jiwer's chance anchors (« du », « de ») no longer
pair a missing sentence or letterhead word by word with the next typed line."""

import pytest

from transcribe import alignment
from transcribe.scoring import score_texts

LETTERHEAD = "Dr Vincent LAMBERT\nMédecin généraliste\n8 place du Marché, 37000 Tours\n\nOrdonnance du 04/03/2026\n"


def errors(copy: str, reference: str) -> list[tuple[str, str, str]]:
    return [(e.type, e.ref, e.hyp) for e in score_texts(copy, reference).errors]


def test_the_issue_example_the_letterhead_is_one_omitted_passage():
    # Before: Ordonnance[Dr] [−Vincent LAMBERT Médecin généraliste 8 place] du 4[Marché] …
    assert errors("Ordonnance du 4 mars de 1926\n", LETTERHEAD) == [
        ("omission", "Dr Vincent LAMBERT Médecin généraliste 8 place du Marché, 37000 Tours", ""),
        ("ajout", "", "4 mars de"),
        ("substitution", "04/03/2026", "1926")]


@pytest.mark.parametrize("reference, copy, expected", [
    # a whole line omitted, the next one typed with mistakes around a chance « de »
    ("Motif :\nDouleur du genou droit depuis une chute de vélo.\nRésultats de la radiographie normaux.\n",
     "Motif :\nRésultat de radio normale.\n",
     [("omission", "Douleur du genou droit depuis une chute de vélo.", ""), ("accord", "Résultats", "Résultat"),
      ("omission", "la", ""), ("substitution", "radiographie", "radio"), ("accord", "normaux", "normale")]),
    # a whole sentence omitted, a misspelt word after it (« Pansements ») anchors the rest
    ("Le patient a été vu au service des urgences de la clinique du Parc pour une plaie. "
     "Pansement à refaire dans deux jours.\n",
     "Pansements a refaire de deux jour.\n",
     [("omission", "Le patient a été vu au service des urgences de la clinique du Parc pour une plaie.", ""),
      ("accord", "Pansement", "Pansements"), ("homophone", "à", "a"), ("substitution", "dans", "de"),
      ("accord", "jours", "jour")]),
])
def test_an_omitted_sentence_is_not_paired_with_the_next_one(reference, copy, expected):
    assert errors(copy, reference) == expected


def test_jiwer_alone_paired_them(monkeypatch):
    """The same copies without the second look: what the repair is for (and that it is used)."""
    monkeypatch.setattr(alignment, "repair_blocks", lambda chunks, *args: list(chunks))
    assert errors("Ordonnance du 4 mars de 1926\n", LETTERHEAD)[:3] == [
        ("substitution", "Dr", "Ordonnance"), ("omission", "Vincent LAMBERT Médecin généraliste 8 place", ""),
        ("substitution", "Marché", "4")]


def test_a_split_word_and_a_block_that_is_not_whole_lines_keep_jiwer_alignment():
    # « Tabacée agisme » is « Tabagisme » split: one error, never an addition and a misspelling
    assert errors("Tabacée agisme sevré en 2021.\n", "Tabagisme sevré en 2021.\n") == [
        ("substitution", "Tabagisme", "Tabacée agisme")]
    # the common subsequence would leave out « Valmont – Service de cardiologie Compte rendu de »,
    # not a whole line: jiwer's alignment stands (the post-editing answer key counts on it)
    reference = "Centre hospitalier de Valmont – Service de cardiologie\nCompte rendu de consultation du 12/03/2026\n"
    assert errors("Confrandu de consultations du 12 mars de 1926\n", reference) == [
        ("substitution", "Centre", "Confrandu"), ("omission", "hospitalier", ""),
        ("substitution", "Valmont", "consultations"), ("ponctuation", "–", ""), ("omission", "Service", ""),
        ("accord", "de", "du"), ("substitution", "cardiologie", "12"), ("substitution", "Compte", "mars"),
        ("omission", "rendu", ""), ("omission", "consultation du", ""), ("substitution", "12/03/2026", "1926")]


def test_sentence_bounds():
    from transcribe.views import items_from_tokens
    from transcribe.tokenize import tokenize

    items = items_from_tokens(tokenize("Pas de fièvre. Toux sèche\nRevoir dans un mois"))
    words = [i for i, it in enumerate(items) if not it.is_punct]
    assert alignment.sentence_bounds(items, words) == ({0, 3, 5}, {2, 4, 8})
