"""Grading: each criterion's value and decision, the barème and its errors, the note."""

import docx
import pytest

from transcribe.errors import TranscribeError
from transcribe.exercise import load_exercise
from transcribe.grading import grade, load_bareme, points_lost
from transcribe.reading import document_from_text, read_document
from transcribe.scoring import score_documents, score_files


def graded(mini_exercise, text, bareme=None, elapsed=None):
    exercise = load_exercise(mini_exercise)
    ref = document_from_text(exercise.reference_text())
    return grade(score_documents(document_from_text(text), ref, exercise), load_bareme(bareme), elapsed)


def reference(mini_exercise):
    return mini_exercise.read_text(encoding="utf-8")


def test_perfect_copy_is_acquis_with_20(mini_exercise):
    s = graded(mini_exercise, reference(mini_exercise), elapsed=8)
    d = s.to_dict()
    assert d["note"] == 20.0 and d["acquis"] is True
    assert {c: v["acquis"] for c, v in d["criteria"].items()} == {
        "FID": True, "TER": True, "ORT": True, "IDV": True, "MEF": True, "DEL": True}
    assert d["criteria"]["DEL"]["value"] == 0.8 and d["criteria"]["DEL"]["threshold"] == 1.0


def test_del_unknown_without_timing_and_failed_when_late(mini_exercise):
    assert graded(mini_exercise, reference(mini_exercise)).criteria["DEL"] == {
        "acquis": None, "value": None, "threshold": 1.0,
        "detail": "temps non communiqué : critère non mesuré"}
    late = graded(mini_exercise, reference(mini_exercise), elapsed=15)
    assert late.criteria["DEL"]["acquis"] is False and late.criteria["DEL"]["value"] == 1.5
    assert late.acquis is False


def test_idv_overrides_a_near_perfect_note(mini_exercise):
    s = graded(mini_exercise, reference(mini_exercise).replace("14/09/1951", "14/09/1915"))
    assert s.note == 19.0
    assert s.criteria["IDV"]["acquis"] is False
    assert s.criteria["IDV"]["detail"] == "identité « 14/09/1951 » saisie « 14/09/1915 »"
    assert s.acquis is False
    assert s.decision.startswith("Compétence non acquise — IDV (confidentialité et identitovigilance) non acquis")


def test_fid_ort_ter_values(mini_exercise):
    text = (reference(mini_exercise).replace("depuis trois jours", "depuis jours")
            .replace("Hypertension", "Hypertention").replace("normale", "normal")
            .replace("Contrôle", "Controle").replace("Contrôle dans", "Controle dans"))
    s = graded(mini_exercise, text)
    c = s.criteria
    n = s.rates.ref_words
    assert n == 52
    assert c["FID"]["value"] == round(100 * 1 / n, 4)          # « trois » omitted
    assert c["ORT"]["value"] == round(100 * (1 + 1 + 0.5) / n, 4)  # usage + accord + accent
    assert c["TER"]["value"] == round(7 / 8, 4)          # « Hypertension artérielle »
    assert s.note == 20 - (1 + 1 + 1 + 0.5)


def test_repeated_error_on_same_word_counts_once(mini_exercise):
    text = reference(mini_exercise) + "\nHypertension."
    ref_text = reference(mini_exercise) + "\nHypertension."
    exercise = load_exercise(mini_exercise)
    score = score_documents(document_from_text(text.replace("Hypertension", "Hypertention")),
                            document_from_text(ref_text), exercise)
    assert [e.type for e in score.errors] == ["usage", "usage"]
    assert points_lost(score.errors, load_bareme()) == 1.0
    assert points_lost(score.errors, load_bareme("ahdi")) == 2.0


def test_one_block_submission_fails_mef(mini_exercise):
    s = graded(mini_exercise, reference(mini_exercise).replace("\n", " "))
    assert s.criteria["MEF"]["acquis"] is False
    assert s.criteria["MEF"]["detail"].startswith("texte saisi d'un seul bloc, sans retour à la ligne")
    assert s.note == 20.0 and s.acquis is False


def test_missing_section_fails_mef(mini_exercise):
    s = graded(mini_exercise, reference(mini_exercise).replace("Antécédents :\n", ""))
    assert s.criteria["MEF"]["acquis"] is False
    assert "rubriques absentes : « Antécédents »" in s.criteria["MEF"]["detail"]


def test_docx_with_heading_styles_passes_mef(mini_exercise, tmp_path):
    d = docx.Document()
    for line in reference(mini_exercise).strip().split("\n"):
        if line.endswith(" :"):
            d.add_heading(line, level=2)
        else:
            d.add_paragraph(line)
    path = tmp_path / "copie.docx"
    d.save(path)
    s = grade(score_files(path, mini_exercise))
    assert [p.heading for p in read_document(path).paragraphs][2] is True
    assert s.criteria["MEF"] == {"acquis": True, "value": 1.0, "threshold": 0.8,
                                 "detail": "structure conforme à la référence"}
    assert s.acquis is True


def test_presets_brevet_and_ahdi(mini_exercise):
    text = (reference(mini_exercise).replace("Échographie", "Echographie").replace("cœur", "cœurs")
            .replace("Douleur", "douleur").replace("Contrôle", "Controle").replace("5 mg", "50 mg"))
    brevet = graded(mini_exercise, text, "brevet")
    # accord −1, dose −0,5 (lexical), 3 accent/capital errors: no full group of four.
    assert brevet.points_lost == 1.5 and brevet.note == (10 - 1.5) * 2
    ahdi = graded(mini_exercise, text, "ahdi")
    # 1 critical (dose) × 3 + 4 others × 1 → accuracy 93 → note 18,6/20, failed.
    assert ahdi.points_lost == 7.0 and ahdi.note == 18.6 and ahdi.acquis is False


@pytest.mark.parametrize("toml,message", [
    ('scale = 20\n[points]\nusage = 1', "clé « points.omission » : manquante"),
    ('[points]\nusage = "un"\nsubstitution=1\nomission=1\najout=1\naccord=1\naccent=1\nmajuscule=1\nponctuation=1',
     "clé « points.usage » : un nombre est attendu"),
    ('bonus = 2\n[points]\nusage = 1', "clé « bonus » : clé inconnue"),
    ('required = ["XYZ"]\n[points]\nusage=1\nsubstitution=1\nomission=1\najout=1\naccord=1\naccent=1\nmajuscule=1\nponctuation=1',
     "clé « required » : liste de critères"),
    ('[points]\nusage=1\nsubstitution=1\nomission=1\najout=1\naccord=1\naccent=1\nmajuscule=1\nponctuation=1\n[thresholds]\nTER = 90',
     "clé « thresholds.TER » : doit être une proportion entre 0 et 1."),
])
def test_malformed_bareme_names_the_key(tmp_path, toml, message):
    path = tmp_path / "bareme.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(TranscribeError) as info:
        load_bareme(path)
    assert message in str(info.value) and str(path) in str(info.value)


def test_bareme_file_not_found(tmp_path):
    with pytest.raises(TranscribeError, match="barème introuvable"):
        load_bareme(tmp_path / "absent.toml")


def test_default_bareme_values():
    b = load_bareme()
    assert b.points == {"substitution": 1.0, "omission": 1.0, "ajout": 1.0, "usage": 1.0, "homophone": 1.0,
                        "accord": 1.0, "accent": 0.5, "majuscule": 0.5, "ponctuation": 0.5}
    assert b.scale == 20 and b.pass_note == 10 and b.thresholds["IDV"] == 0


def test_note_never_below_zero(mini_exercise):
    s = graded(mini_exercise, "Rien à voir.")
    assert s.note == 0.0 and s.acquis is False


def test_each_word_of_an_omitted_passage_counts(mini_exercise):
    s = graded(mini_exercise, reference(mini_exercise).replace(" Fibrillation atriale.", ""))
    assert [(e.type, e.ref, e.words) for e in s.errors] == [("omission", "Fibrillation atriale.", 2)]
    assert s.criteria["FID"]["value"] == round(100 * 2 / 52, 4)
    assert s.points_lost == 2.0 and s.note == 18.0


def test_misspelt_heading_is_still_a_section(mini_exercise):
    s = graded(mini_exercise, reference(mini_exercise).replace("Antécédents :", "Antécédent :"))
    assert [(e.type, e.ref, e.hyp) for e in s.errors] == [("accord", "Antécédents", "Antécédent")]
    assert s.criteria["MEF"]["acquis"] is True
