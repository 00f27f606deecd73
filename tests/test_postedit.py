"""Post-editing: a hand-made draft with 10 known errors, and copies that fix all, none, some,
or fix some while introducing others. Every count is exact."""

import pytest

from conftest import MINI_REFERENCE
from transcribe.exercise import load_exercise
from transcribe.grading import grade
from transcribe.postedit import score_post_edit
from transcribe.scoring import score_texts

# The reference with 10 errors, one per line of this list:
#  1 DURANT (usage, identité)         2 toracique (usage, terme)     3 « depuis » omitted
#  4 traité (accord)                  5 amylodipine (usage, terme)   6 15 mg (substitution, critique)
#  7 fibrillation (majuscule)         8 Echographie (accent)         9 « , » missing after normale
# 10 « euh » added
DRAFT = """CENTRE HOSPITALIER DE TEST - Service de cardiologie
Patient : M. Marcel DURANT, né le 14/09/1951
Motif de consultation :
Douleur toracique trois jours.
Antécédents :
Hypertension artérielle traité par amylodipine 15 mg. fibrillation atriale.
Conclusion :
Echographie cardiaque normale FEVG à 60 %. Contrôle dans 2,5 mois euh au cœur de l'hiver.
Dr Claire MARTIN
"""

# 1, 3, 5, 7, 9 fixed; 2, 4, 6, 8, 10 left.
SOME = """CENTRE HOSPITALIER DE TEST - Service de cardiologie
Patient : M. Marcel DURAND, né le 14/09/1951
Motif de consultation :
Douleur toracique depuis trois jours.
Antécédents :
Hypertension artérielle traité par amlodipine 15 mg. Fibrillation atriale.
Conclusion :
Echographie cardiaque normale, FEVG à 60 %. Contrôle dans 2,5 mois euh au cœur de l'hiver.
Dr Claire MARTIN
"""

# 2, 4, 6, 8, 10 fixed; 1, 3, 5, 7, 9 left; three new errors: « cardilogie » (usage),
# « Contrôle » omitted, « très » added.
SOME_AND_NEW = """CENTRE HOSPITALIER DE TEST - Service de cardilogie
Patient : M. Marcel DURANT, né le 14/09/1951
Motif de consultation :
Douleur thoracique trois jours.
Antécédents :
Hypertension artérielle traitée par amylodipine 5 mg. fibrillation atriale très.
Conclusion :
Échographie cardiaque normale FEVG à 60 %. dans 2,5 mois au cœur de l'hiver.
Dr Claire MARTIN
"""


@pytest.fixture
def exercise(mini_exercise):
    return load_exercise(mini_exercise)


def figures(score):
    pe = score.post_edit.to_dict()
    return (pe["draft_errors"], pe["corrected"], pe["missed"], pe["miscorrected"], pe["introduced"])


def test_the_draft_has_its_ten_errors(exercise):
    draft = score_texts(DRAFT, MINI_REFERENCE, exercise)
    assert [(e.type, e.ref, e.hyp) for e in draft.errors] == [
        ("usage", "DURAND", "DURANT"), ("usage", "thoracique", "toracique"), ("omission", "depuis", ""),
        ("accord", "traitée", "traité"), ("usage", "amlodipine", "amylodipine"),
        ("substitution", "5", "15"), ("majuscule", "Fibrillation", "fibrillation"),
        ("accent", "Échographie", "Echographie"), ("ponctuation", ",", ""), ("ajout", "", "euh")]


def test_nothing_corrected(exercise):
    score = score_post_edit(DRAFT, DRAFT, MINI_REFERENCE, exercise)
    assert figures(score) == (10, 0, 10, 0, 0)
    pe = score.to_dict()["post_edit"]
    assert pe["correction_rate"] == 0.0
    assert [(e["ref"], e["hyp"], e["flags"]) for e in pe["missed_critical"]] == [
        ("DURAND", "DURANT", ["identite"]), ("5", "15", ["valeur_critique"])]
    assert {e["origin"] for e in score.to_dict()["errors"]} == {"brouillon"}


def test_everything_corrected(exercise):
    score = score_post_edit(MINI_REFERENCE, DRAFT, MINI_REFERENCE, exercise)
    assert figures(score) == (10, 10, 0, 0, 0)
    assert score.to_dict()["post_edit"]["correction_rate"] == 1.0
    assert score.to_dict()["post_edit"]["missed_critical"] == []
    assert score.note == 20.0 and score.errors == []


def test_some_corrected(exercise):
    score = score_post_edit(SOME, DRAFT, MINI_REFERENCE, exercise)
    assert figures(score) == (10, 5, 5, 0, 0)
    assert score.post_edit.status == ["corrigee", "oubliee", "corrigee", "oubliee", "corrigee",
                                      "oubliee", "corrigee", "oubliee", "corrigee", "oubliee"]
    pe = score.to_dict()["post_edit"]
    assert pe["correction_rate"] == 0.5
    assert [e["hyp"] for e in pe["missed_critical"]] == ["15"]


def test_some_corrected_others_introduced(exercise):
    score = score_post_edit(SOME_AND_NEW, DRAFT, MINI_REFERENCE, exercise)
    assert figures(score) == (10, 5, 5, 0, 3)
    origins = [(e.ref, e.hyp, e.origin) for e in score.errors]
    assert origins == [
        ("cardiologie", "cardilogie", "apprenant"), ("DURAND", "DURANT", "brouillon"),
        ("depuis", "", "brouillon"), ("amlodipine", "amylodipine", "brouillon"),
        ("Fibrillation", "fibrillation", "brouillon"), ("", "très", "apprenant"),
        (",", "", "brouillon"), ("Contrôle", "", "apprenant")]
    assert [e["hyp"] for e in score.to_dict()["post_edit"]["missed_critical"]] == ["DURANT"]


def test_the_grade_is_the_grade_of_the_final_text(exercise):
    """Same barème, same note and criteria as the same text scored as an ordinary copy."""
    for final in (DRAFT, SOME, SOME_AND_NEW, MINI_REFERENCE):
        plain = grade(score_texts(final, MINI_REFERENCE, exercise)).to_dict()
        post = score_post_edit(final, DRAFT, MINI_REFERENCE, exercise).to_dict()
        assert post["note"] == plain["note"] and post["criteria"] == plain["criteria"]
        assert [{k: v for k, v in e.items() if k != "origin"} for e in post["errors"]] == plain["errors"]
        assert "post_edit" not in plain and all("origin" not in e for e in plain["errors"])


def test_a_draft_error_retyped_otherwise_is_the_learners(exercise):
    """« amylodipine » changed to « amlodipin », « DURANT » to « Durant »: still wrong there,
    not left from the draft: miscorrected, and the new errors are the learner's. The typed
    text is compared exactly, case included."""
    final = SOME.replace("toracique", "thoracique").replace("DURAND", "Durant").replace("amlodipine", "amlodipin")
    score = score_post_edit(final, DRAFT, MINI_REFERENCE, exercise)
    assert figures(score) == (10, 4, 4, 2, 2)
    assert score.post_edit.status == ["mal_corrigee", "corrigee", "corrigee", "oubliee", "mal_corrigee",
                                      "oubliee", "corrigee", "oubliee", "corrigee", "oubliee"]
    assert [(e.type, e.ref, e.hyp, e.origin) for e in score.errors] == [
        ("usage", "DURAND", "Durant", "apprenant"), ("accord", "traitée", "traité", "brouillon"),
        ("usage", "amlodipine", "amlodipin", "apprenant"), ("substitution", "5", "15", "brouillon"),
        ("accent", "Échographie", "Echographie", "brouillon"), ("ajout", "", "euh", "brouillon")]
    # The identity error is still there, but it is the learner's now: not a missed draft error.
    assert [e["hyp"] for e in score.to_dict()["post_edit"]["missed_critical"]] == ["15"]


def test_what_is_left_of_an_omitted_or_added_passage_is_the_drafts(exercise):
    draft = MINI_REFERENCE.replace("Douleur thoracique depuis trois jours.", "Douleur.").replace(
        "au cœur de l'hiver", "au cœur euh bon alors de l'hiver")
    assert [(e.type, e.ref, e.hyp) for e in score_texts(draft, MINI_REFERENCE, exercise).errors] == [
        ("omission", "thoracique depuis trois jours", ""), ("ajout", "", "euh bon alors")]
    # « thoracique » restored, « depuis trois jours » still missing; « euh » deleted, « bon alors » kept.
    final = MINI_REFERENCE.replace("depuis trois jours", "").replace(" .", ".").replace(
        "au cœur de", "au cœur bon alors de")
    score = score_post_edit(final, draft, MINI_REFERENCE, exercise)
    assert [(e.type, e.ref, e.hyp, e.origin) for e in score.errors] == [
        ("omission", "depuis trois jours", "", "brouillon"), ("ajout", "", "bon alors", "brouillon")]
    assert figures(score) == (2, 0, 2, 0, 0)
    # The whole passage restored and the whole addition deleted: both corrected.
    assert figures(score_post_edit(MINI_REFERENCE, draft, MINI_REFERENCE, exercise)) == (2, 2, 0, 0, 0)


def test_a_draft_without_errors_has_no_rate(exercise):
    score = score_post_edit(SOME, MINI_REFERENCE, MINI_REFERENCE, exercise)
    assert figures(score) == (0, 0, 0, 0, 5)
    assert score.to_dict()["post_edit"]["correction_rate"] is None


def test_mef_judges_the_final_layout_not_the_drafts(exercise):
    """A Whisper draft is one block; the learner lays it out. MEF looks at the final text."""
    flat = " ".join(MINI_REFERENCE.split())
    as_draft = score_post_edit(flat, flat, MINI_REFERENCE, exercise)
    assert as_draft.criteria["MEF"]["acquis"] is False
    laid_out = score_post_edit(MINI_REFERENCE, flat, MINI_REFERENCE, exercise)
    assert laid_out.criteria["MEF"]["acquis"] is True and laid_out.criteria["MEF"]["value"] == 1.0
    # Layout alone is no alignment error: the flat draft has none to correct.
    assert figures(laid_out) == (0, 0, 0, 0, 0)


# --- reports and command line ------------------------------------------------------------------

def _render_terminal(score) -> str:
    import os

    from rich.console import Console

    from transcribe.report.terminal import print_score

    console = Console(record=True, width=120, color_system=None, file=open(os.devnull, "w"))
    print_score(score, console)
    return console.export_text()


def test_terminal_report_has_the_draft_correction_section(exercise):
    text = _render_terminal(score_post_edit(SOME_AND_NEW, DRAFT, MINI_REFERENCE, exercise))
    assert ("Erreurs du brouillon : 10 · corrigées : 5 · oubliées : 5 · introduites : 3 · "
            "taux de correction : 50 %") in text
    assert "1 erreur(s) critique(s) laissée(s) du brouillon" in text
    section = text[text.index("Erreurs laissées du brouillon"):text.index("Légende")]
    assert [line.split("│")[3].strip() for line in section.splitlines() if line.startswith("│ ")] == [
        "DURAND", "depuis", "amlodipine", "Fibrillation", ","]  # the critical one first
    assert "DURANT[DURAND]ᴮ" in text and "[−Contrôle] dans" in text and "[−depuis]ᴮ" in text
    assert "cardilogie[cardiologie]\n" in text  # the learner's own error: no ᴮ


def test_plain_report_has_no_draft_section(exercise):
    text = _render_terminal(grade(score_texts(SOME_AND_NEW, MINI_REFERENCE, exercise)))
    assert "brouillon" not in text and "ᴮ" not in text


def test_html_report_section_and_escaping(exercise):
    from transcribe.report.html import learner_context, render_learner

    final = SOME_AND_NEW.replace("très", "<script>alert(1)</script>")
    score = score_post_edit(final, DRAFT, MINI_REFERENCE, exercise)
    html = render_learner(learner_context(score, "alice", "mini", "mini.txt"))
    assert "<h2>Correction du brouillon</h2>" in html
    assert "<strong>10</strong>erreurs dans le brouillon" in html and "<strong>50 %</strong>taux de correction" in html
    assert '<tr class="critical"><td><a href="#e2">2</a></td><td>2</td>' in html
    assert 'class="t-usage draft" id="e2"' in html and 'class="t-usage" id="e1"' in html
    assert "(laissée du brouillon)" in html
    assert "alert(1)</script>" not in html and "alert(1)&lt;/script" in html
    plain = render_learner(learner_context(grade(score_texts(SOME_AND_NEW, MINI_REFERENCE, exercise)),
                                           "alice", "mini", "mini.txt"))
    assert "Correction du brouillon" not in plain and " draft" not in plain


def _cli(*args):
    from click.testing import CliRunner

    from transcribe.cli import main

    return CliRunner().invoke(main, [str(a) for a in args])


def test_score_draft_option(mini_exercise, tmp_path):
    import json

    copy = tmp_path / "copie.txt"
    copy.write_text(SOME_AND_NEW, encoding="utf-8")
    other = tmp_path / "autre-brouillon.txt"
    other.write_text(DRAFT, encoding="utf-8")
    # Without a bundled draft, --draft alone says so (usage error, French, names the file).
    result = _cli("score", copy, "--reference", mini_exercise, "--draft", "--json")
    assert result.exit_code == 2 and "n'a pas de brouillon fourni" in result.stderr
    assert "mini.brouillon.txt" in result.stderr
    result = _cli("score", copy, "--reference", mini_exercise, "--draft", other, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["post_edit"]["corrected"] == 5 and data["post_edit"]["introduced"] == 3
    assert all(e["origin"] in ("brouillon", "apprenant") for e in data["errors"])
    # --draft alone: the draft beside the reference.
    (tmp_path / "mini.brouillon.txt").write_text(DRAFT, encoding="utf-8")
    assert json.loads(_cli("score", copy, "-r", mini_exercise, "--json", "--draft").stdout) == data
    assert "post_edit" not in json.loads(_cli("score", copy, "-r", mini_exercise, "--json").stdout)
    result = _cli("score", copy, "-r", mini_exercise, "--draft", tmp_path / "absent.txt")
    assert result.exit_code == 2 and "absent.txt : brouillon introuvable." in result.stderr
