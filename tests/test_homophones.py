"""Grammatical homophones, the term/capital rule and the barème scale (issue 13)."""

import pytest
from click.testing import CliRunner

from transcribe.cli import main
from transcribe.exercise import load_exercise
from transcribe.grading import grade, load_bareme, points_lost
from transcribe.homophones import GROUPS, is_homophone, join_words
from transcribe.reading import document_from_text
from transcribe.report.html import learner_context, render_learner
from transcribe.scoring import score_documents, score_texts


def errors(hyp, ref):
    return [(e.type, e.ref, e.hyp) for e in score_texts(hyp, ref).errors]


@pytest.mark.parametrize("ref,hyp,expected", [
    # The accent is the only visible difference: still two words, a full grammatical fault.
    ("Il a mal.", "Il à mal.", [("homophone", "a", "à")]),
    ("Il va à Paris.", "Il va a Paris.", [("homophone", "à", "a")]),
    ("Droite ou gauche.", "Droite où gauche.", [("homophone", "ou", "où")]),
    ("Il est là.", "Il est la.", [("homophone", "là", "la")]),
    ("Le traitement dû.", "Le traitement du.", [("homophone", "dû", "du")]),
    ("Il est sûr.", "Il est sur.", [("homophone", "sûr", "sur")]),
    ("Dès le matin.", "Des le matin.", [("homophone", "Dès", "Des")]),
    ("À gauche.", "A gauche.", [("homophone", "À", "A")]),
    # Hunspell gives these a common stem or calls them articles: never agreement.
    ("Il prend ses comprimés.", "Il prend ces comprimés.", [("homophone", "ses", "ces")]),
    ("Ils sont venus.", "Ils son venus.", [("homophone", "sont", "son")]),
    ("Ils ont vu.", "Ils on vu.", [("homophone", "ont", "on")]),
    ("Ce patient se plaint.", "Se patient ce plaint.", [("homophone", "Ce", "Se"), ("homophone", "se", "ce")]),
    ("Il peut marcher.", "Il peu marcher.", [("homophone", "peut", "peu")]),
    ("Quant au traitement.", "Quand au traitement.", [("homophone", "Quant", "Quand")]),
    # Elisions: the tokenizer splits « c' » + « est »; the error is shown whole.
    ("C'est normal.", "S'est normal.", [("homophone", "C'est", "S'est")]),
    ("C'est normal.", "Ses normal.", [("homophone", "C'est", "Ses")]),
    ("Il prend ses comprimés.", "Il prend c'est comprimés.", [("homophone", "ses", "c'est")]),
    ("Il s'est levé.", "Il ses levé.", [("homophone", "s'est", "ses")]),
    ("Il l'a vue.", "Il la vue.", [("homophone", "l'a", "la")]),
    ("Qu'en pense-t-il ?", "Quand pense-t-il ?", [("homophone", "Qu'en", "Quand")]),
    ("Il n'y a pas.", "Il ni a pas.", [("homophone", "n'y", "ni")]),
    ("Ni fièvre ni toux.", "N'y fièvre ni toux.", [("homophone", "Ni", "N'y")]),
    ("Il s'en va.", "Il sans va.", [("homophone", "s'en", "sans")]),
    ("Sans fièvre.", "S'en fièvre.", [("homophone", "Sans", "S'en")]),
    # A hyphen or a space that changes the word.
    ("Il est peut-être malade.", "Il est peut être malade.", [("homophone", "peut-être", "peut être")]),
    ("Il est venu plus tôt.", "Il est venu plutôt.", [("homophone", "plus tôt", "plutôt")]),
    # Inflections of one word are agreement, not homophones.
    ("Leur traitement.", "Leurs traitement.", [("accord", "Leur", "Leurs")]),
    ("Quel traitement ?", "Quelle traitement ?", [("accord", "Quel", "Quelle")]),
])
def test_grammatical_homophones(ref, hyp, expected):
    assert errors(hyp, ref) == expected


def test_the_table_is_well_formed():
    spellings = [s for group in GROUPS for member in group for s in member]
    assert len(spellings) == len(set(spellings)), "a spelling belongs to one word only"
    assert all(s == s.lower() and "’" not in s and "  " not in s for s in spellings)
    assert is_homophone("Ces", "SES") and is_homophone("c’est", "ses")
    assert not is_homophone("peut", "peux") and not is_homophone("leur", "leurs")
    assert not is_homophone("a", "a") and not is_homophone("maison", "à")
    assert join_words(["l'", "a"]) == "l'a" and join_words(["quel", "que"]) == "quel que"


def graded(mini_exercise, text, bareme=None):
    exercise = load_exercise(mini_exercise)
    ref = document_from_text(exercise.reference_text())
    return grade(score_documents(document_from_text(text), ref, exercise), load_bareme(bareme))


def test_homophone_weighs_one_point_and_counts_in_ort(mini_exercise):
    text = mini_exercise.read_text(encoding="utf-8").replace("FEVG à 60", "FEVG a 60")
    for name, lost in (("defaut", 1.0), ("brevet", 1.0), ("ahdi", 1.0)):
        s = graded(mini_exercise, text, name)
        assert [(e.type, e.ref, e.hyp) for e in s.errors] == [("homophone", "à", "a")]
        assert s.points_lost == lost, name
    s = graded(mini_exercise, text)
    assert s.note == 19.0
    assert s.criteria["ORT"]["detail"] == "1,0 point(s) de fautes pour 52 mots (homophone 1)"
    # In ahdi a homophone is an ordinary (non-critical) error: the document is not refused.
    assert "refusé" not in graded(mini_exercise, text, "ahdi").decision


def test_custom_bareme_without_homophone_takes_the_agreement_points(tmp_path):
    path = tmp_path / "ancien.toml"
    path.write_text("[points]\nusage=1\nsubstitution=1\nomission=1\najout=1\naccord=2\naccent=0.5\n"
                    "majuscule=0.5\nponctuation=0.5\n", encoding="utf-8")
    bareme = load_bareme(path)
    assert bareme.points["homophone"] == 2.0
    s = score_texts("Il à mal.", "Il a mal.")
    assert points_lost(s.errors, bareme) == 2.0
    path.write_text("[points]\nusage=1\nsubstitution=1\nomission=1\najout=1\nhomophone=0.25\naccord=2\n"
                    "accent=0.5\nmajuscule=0.5\nponctuation=0.5\n", encoding="utf-8")
    assert load_bareme(path).points["homophone"] == 0.25


def terms(mini_exercise, text):
    s = graded(mini_exercise, text)
    return s, {t.term: t.correct for t in s.terms}


def test_a_sentence_start_capital_never_fails_a_term(mini_exercise):
    ref = mini_exercise.read_text(encoding="utf-8")
    s, ok = terms(mini_exercise, ref.replace("mg. Fibrillation atriale.", "mg. fibrillation atriale."))
    assert [(e.type, e.ref, e.hyp) for e in s.errors] == [("majuscule", "Fibrillation", "fibrillation")]
    assert ok["Fibrillation atriale"] is True and s.criteria["TER"]["value"] == 1.0
    assert s.points_lost == 0.5  # the capital still counts in ORT
    # A capital typed on a common term inside a sentence: the term is spelled right.
    s, ok = terms(mini_exercise, ref.replace("par amlodipine", "par Amlodipine"))
    assert [e.type for e in s.errors] == ["majuscule"] and ok["amlodipine"] is True
    # Typed in capitals: not the capital of a sentence start, the term fails.
    s, ok = terms(mini_exercise, ref.replace("par amlodipine", "par AMLODIPINE"))
    assert ok["amlodipine"] is False


@pytest.mark.parametrize("ref,hyp,fails", [
    ("Contrôle de l'HbA1c.", "Contrôle de l'Hba1c.", True),     # an acronym's capitals count
    ("Demande d'IRM.", "Demande d'Irm.", True),
    ("Bilan. AVC ancien.", "Bilan. aVC ancien.", True),
    ("Pose d'un Holter.", "Pose d'un holter.", True),           # a proper name inside a sentence
    ("Bilan. Holter normal.", "Bilan. holter normal.", False),  # … or at the start of one
    ("Bilan. Échographie normale.", "Bilan. échographie normale.", False),
    ("Bilan. Échographie normale.", "Bilan. Echographie normale.", True),  # an accent is spelling
])
def test_term_failure_by_case(ref, hyp, fails):
    s = score_texts(hyp, ref)
    assert len(s.errors) == 1 and s.terms
    assert any(not t.correct for t in s.terms) is fails


def test_brevet_note_prints_on_10_beside_the_20(mini_exercise, tmp_path):
    text = mini_exercise.read_text(encoding="utf-8").replace("FEVG à 60", "FEVG a 60")
    s = graded(mini_exercise, text, "brevet")
    assert s.note == 18.0 and s.native_note == 9.0 and s.to_dict()["note"] == 18.0
    html = render_learner(learner_context(s, "léa", "mini", "copie.txt"))
    assert "soit 9,0 / 10 au barème" in html
    assert "note-bareme" not in render_learner(learner_context(graded(mini_exercise, text), "léa", "mini", "copie.txt"))
    sub = tmp_path / "copie.txt"
    sub.write_text(text, encoding="utf-8")
    out = CliRunner().invoke(main, ["score", str(sub), "-r", str(mini_exercise), "--bareme", "brevet"]).stdout
    assert "Note : 18,0/20 (soit 9,0/10 au barème « Dictée du brevet (sur 10) »)" in out
    out = CliRunner().invoke(main, ["score", str(sub), "-r", str(mini_exercise)]).stdout
    assert "Note : 19,0/20   Compétence" in out
