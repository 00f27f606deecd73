"""Grading the given lines (the template): a deleted line is one layout matter, « ligne du
modèle supprimée », costing the barème's ``ligne_modele`` points and MEF — never a run of
omitted words nor an IDV failure; an altered given line is graded word by word as before."""

import json

import pytest
from click.testing import CliRunner

from conftest import REFERENCES
from transcribe.cli import main
from transcribe.exercise import find_exercise
from transcribe.grading import grade, load_bareme
from transcribe.scoring import score_texts

ORDONNANCE = find_exercise("14-ordonnance", REFERENCES)
REFERENCE = ORDONNANCE.reference_text()
BODY = ORDONNANCE.given.body(REFERENCE)
START = ORDONNANCE.given.start_text()
CARET = ORDONNANCE.given.caret()


def graded(copy: str, bareme: str | None = None):
    return grade(score_texts(copy, REFERENCE, ORDONNANCE), load_bareme(bareme), 8)


def test_deleting_the_letterhead_is_three_template_lines_not_omitted_words():
    score = graded(BODY + START[CARET:])  # the letterhead erased, the body typed, the signature kept
    assert score.errors == []
    assert [(g.text, g.reference_line) for g in score.template_deleted] == [
        ("Dr Vincent LAMBERT", 1), ("Médecin généraliste", 2), ("8 place du Marché, 37000 Tours", 3)]
    assert score.note == 17.0 and score.acquis is False
    assert score.criteria["IDV"]["acquis"] is True and score.criteria["FID"]["acquis"] is True
    assert score.criteria["MEF"] == {
        "acquis": False, "value": 1.0, "threshold": 0.8,
        "detail": "ligne du modèle supprimée : « Dr Vincent LAMBERT » ; ligne du modèle supprimée : « Médecin "
                  "généraliste » ; ligne du modèle supprimée : « 8 place du Marché, 37000 Tours »"}
    assert score.decision.startswith("Compétence non acquise — MEF (mise en forme et mise en page) non acquis : "
                                     "ligne du modèle supprimée : « Dr Vincent LAMBERT »")
    assert score.to_dict()["template_lines_deleted"] == [
        {"text": "Dr Vincent LAMBERT", "reference_line": 1}, {"text": "Médecin généraliste", "reference_line": 2},
        {"text": "8 place du Marché, 37000 Tours", "reference_line": 3}]


def test_deleting_the_signature_keeps_the_letterhead_s_twin_line():
    score = graded(START[:CARET] + BODY + "\n")
    assert [(g.text, g.reference_line) for g in score.template_deleted] == [("Dr Vincent LAMBERT", 20)]
    assert score.errors == [] and score.note == 19.0
    assert score.criteria["MEF"]["detail"] == ("ligne du modèle supprimée : « Dr Vincent LAMBERT » ; bloc de "
                                               "signature absent ou mal placé")


def test_the_barème_prices_a_deleted_line():
    copy = BODY + START[CARET:]
    assert graded(copy, "brevet").native_note == 10 - 3 * 0.5  # brevet: ligne_modele = 0.5
    assert graded(copy, "ahdi").native_note == 97.0


def test_a_trainer_barème_without_the_key_costs_an_omission(tmp_path):
    path = tmp_path / "bareme.toml"
    path.write_text("[points]\nomission = 2\nsubstitution = 1\nusage = 1\naccord = 1\naccent = 0.5\n"
                    "majuscule = 0.5\nponctuation = 0.25\najout = 1\n", encoding="utf-8")
    assert load_bareme(path).template_line == 2.0
    assert graded(BODY + START[CARET:], str(path)).note == 14.0
    path.write_text(path.read_text(encoding="utf-8") + "ligne_modele = 0\n", encoding="utf-8")
    assert graded(BODY + START[CARET:], str(path)).note == 20.0
    path.write_text(path.read_text(encoding="utf-8").replace("ligne_modele = 0", "ligne_modele = -1"), encoding="utf-8")
    from transcribe.errors import TranscribeError

    with pytest.raises(TranscribeError) as info:
        load_bareme(path)
    assert info.value.message == "barème invalide, clé « points.ligne_modele » : doit être supérieur ou égal à 0."


def test_an_altered_given_line_is_graded_word_by_word_and_its_numbers_are_not_critical():
    copy = REFERENCE.replace("8 place du Marché, 37000 Tours", "9 place du Marche, 3700 Tours")
    score = graded(copy)
    assert score.template_deleted == []
    assert [(e.type, e.ref, e.hyp, e.flags) for e in score.errors] == [
        ("substitution", "8", "9", []), ("accent", "Marché", "Marche", []), ("substitution", "37000", "3700", [])]
    assert score.criteria["IDV"]["acquis"] is True and score.note == 17.5


def test_a_copy_typed_as_one_block_keeps_its_given_lines():
    score = graded(" ".join(REFERENCE.split()))
    assert score.template_deleted == [] and score.errors == []
    assert score.criteria["MEF"]["acquis"] is False  # one block: as before


def test_a_reference_that_is_not_the_exercise_s_is_graded_without_template():
    # the exercise's flags on another text (a passage): its template does not apply
    score = score_texts("Poids : 58 kg\n", "Poids : 58 kg\n", ORDONNANCE)
    assert score.template_deleted is None and "template_lines_deleted" not in score.to_dict()


def test_score_json_and_report_say_it(tmp_path):
    copy = tmp_path / "copie.txt"
    copy.write_text(BODY + START[CARET:], encoding="utf-8")
    result = CliRunner().invoke(main, ["score", str(copy), "--exercise", "14-ordonnance", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["text"] for d in data["template_lines_deleted"]] == [
        "Dr Vincent LAMBERT", "Médecin généraliste", "8 place du Marché, 37000 Tours"]
    assert data["errors"] == [] and data["note"] == 17.0
    report = CliRunner().invoke(main, ["score", str(copy), "--exercise", "14-ordonnance"])
    assert report.exit_code == 0
    assert "Lignes du modèle supprimées (3)" in report.stdout
    assert "• ligne du modèle supprimée : « Médecin généraliste »" in report.stdout


def test_the_html_learner_report_says_it():
    from transcribe.report.html import learner_context, render_learner

    score = graded(BODY + START[CARET:])
    context = learner_context(score, "ana", "14-ordonnance", "ana/14-ordonnance.txt", 8)
    assert context["template_deleted"][0] == {"text": "Dr Vincent LAMBERT", "line": 1,
                                              "note": "ligne du modèle supprimée : « Dr Vincent LAMBERT »"}
    page = render_learner(context)
    assert "<h2>Lignes du modèle supprimées (3)</h2>" in page
    assert "<li class=\"no\">ligne du modèle supprimée : « 8 place du Marché, 37000 Tours »</li>" in page
    assert "Aucune erreur dans le texte saisi." in page and "copie conforme" not in page
    # a report context stored before templates existed still renders
    del context["template_deleted"]
    assert "Lignes du modèle" not in render_learner(context)


def test_a_new_template_is_a_new_grading_in_the_batch_cache_and_the_workspace(tmp_path):
    import shutil

    from transcribe.batch import reference_digest
    from transcribe.web.feedback import reference_of

    folder = tmp_path / "refs"
    folder.mkdir()
    for name in ("14-ordonnance.txt", "14-ordonnance.toml", "14-ordonnance.modele.txt"):
        shutil.copy(REFERENCES / name, folder / name)
    before = reference_digest(folder, "14-ordonnance", {})[1]
    exercise, _ = reference_of(find_exercise("14-ordonnance", folder))
    assert len(exercise.given.lines) == 4
    template = folder / "14-ordonnance.modele.txt"
    template.write_text("Dr Vincent LAMBERT\n\n[texte dicté]\n", encoding="utf-8")
    assert reference_digest(folder, "14-ordonnance", {})[1] != before
    exercise, _ = reference_of(find_exercise("14-ordonnance", folder))
    assert [g.reference_line for g in exercise.given.lines] == [1]


def test_the_typology_table_of_deleted_lines_is_the_baremes():
    from conftest import ROOT
    import re

    doc = (ROOT / "docs" / "typologie.md").read_text(encoding="utf-8")
    table = re.search(r"<!-- modele: début[^>]*-->(.*?)<!-- modele: fin -->", doc, re.S).group(1)
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in table.strip().splitlines()[2:]]
    assert {r[0].strip("`"): float(r[1].replace(",", ".")) for r in rows} == {
        name: load_bareme(name).template_line for name in ("defaut", "brevet", "ahdi")}
