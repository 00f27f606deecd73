"""The exercise as the learner receives it: template (`<id>.modele.txt`), sheet (`[fiche]`) and
instructions (`consigne`), checked with the exercise (one schema: `transcribe/exercise.py`)."""

import pytest

from conftest import MINI_TOML
from transcribe.errors import TranscribeError
from transcribe.exercise import BODY_MARKER, Given, find_exercise, list_exercises, load_exercise, scan_exercises

TEMPLATE = "CENTRE HOSPITALIER DE TEST - Service de cardiologie\n[texte dicté]\n\nDr Claire MARTIN\n"
SHEET = '\n[fiche]\n"Nom" = "DURAND"\n"Prénom" = "Marcel"\n"Date de naissance" = "14/09/1951"\n' \
        '"Médecin" = "Dr Claire MARTIN"\n'


def with_given(mini_exercise, template: str | None = TEMPLATE, sheet: str = SHEET, consigne: str = ""):
    if template is not None:
        mini_exercise.with_name("mini.modele.txt").write_text(template, encoding="utf-8")
    toml = (f"consigne = {consigne!r}\n" if consigne else "") + MINI_TOML + sheet
    mini_exercise.with_suffix(".toml").write_text(toml.replace("'", '"'), encoding="utf-8")
    return mini_exercise


def refusal(path) -> TranscribeError:
    with pytest.raises(TranscribeError) as info:
        load_exercise(path)
    return info.value


def test_the_given_material_is_loaded_with_the_exercise(mini_exercise):
    exercise = load_exercise(with_given(mini_exercise, consigne="Saisissez la consultation."))
    given = exercise.given
    assert given.instructions == "Saisissez la consultation."
    assert given.sheet == (("Nom", "DURAND"), ("Prénom", "Marcel"), ("Date de naissance", "14/09/1951"),
                           ("Médecin", "Dr Claire MARTIN"))
    assert [(g.text, g.reference_line, g.template_line) for g in given.lines] == [
        ("CENTRE HOSPITALIER DE TEST - Service de cardiologie", 1, 1), ("Dr Claire MARTIN", 9, 4)]
    assert given.template_path == mini_exercise.with_name("mini.modele.txt")
    # what the learner starts from: the marker is an empty line, the cursor on it
    assert given.start_text() == "CENTRE HOSPITALIER DE TEST - Service de cardiologie\n\n\nDr Claire MARTIN\n"
    assert given.caret() == len("CENTRE HOSPITALIER DE TEST - Service de cardiologie\n")
    body = exercise.reference_text().split("\n", 1)[1].rsplit("Dr Claire MARTIN", 1)[0]
    assert given.fill(body) == exercise.reference_text().replace("\nDr Claire", "\n\nDr Claire")


def test_without_given_material_nothing_changes(mini_exercise):
    given = load_exercise(mini_exercise).given
    assert given == Given() and not given and given.start_text() == "" and given.fill("texte") == "texte"


def test_templates_and_drafts_are_not_exercises(mini_exercise):
    with_given(mini_exercise)
    (mini_exercise.parent / "mini.brouillon.txt").write_text("brouillon\n", encoding="utf-8")
    assert [e.id for e in list_exercises(mini_exercise.parent)] == ["mini"]
    assert scan_exercises(mini_exercise.parent)[1] == []
    with pytest.raises(TranscribeError) as info:
        find_exercise("mini.modele", mini_exercise.parent)
    assert "un identifiant d'exercice ne contient ni point ni barre oblique" in info.value.message


@pytest.mark.parametrize("template, line, message", [
    ("CENTRE HOSPITALIER DE TEST - Service de cardiologie\n[texte dicté]\nDr Claire MARTN\n", 3,
     "« Dr Claire MARTN » n'est pas une ligne de la référence mini.txt (les lignes du modèle en sont recopiées "
     "à l'identique)."),
    ("Dr Claire MARTIN\nCENTRE HOSPITALIER DE TEST - Service de cardiologie\n[texte dicté]\n", 2,
     "« CENTRE HOSPITALIER DE TEST - Service de cardiologie » n'est pas à sa place : les lignes du modèle "
     "suivent l'ordre de la référence mini.txt."),
])
def test_a_template_line_that_is_not_the_reference_s_is_refused(mini_exercise, template, line, message):
    error = refusal(with_given(mini_exercise, template))
    assert error.path == mini_exercise.with_name("mini.modele.txt")
    assert error.message == f"modèle invalide, ligne {line} : {message}"
    # the folder's other exercises are still listed; this one is reported
    found, problems = scan_exercises(mini_exercise.parent)
    assert found == [] and [p.path for p in problems] == [mini_exercise.with_name("mini.modele.txt")]


def test_a_template_needs_its_marker_and_some_text(mini_exercise):
    error = refusal(with_given(mini_exercise, "CENTRE HOSPITALIER DE TEST - Service de cardiologie\n"))
    assert error.message == f"modèle invalide : aucune ligne « {BODY_MARKER} » n'indique où va le texte dicté."
    error = refusal(with_given(mini_exercise, "\n \n"))
    assert error.message == ("modèle vide : supprimez le fichier ou donnez les lignes de départ et la ligne "
                             "« [texte dicté] ».")


def test_rubric_headings_between_markers_and_a_marker_in_any_case(mini_exercise):
    template = ("CENTRE HOSPITALIER DE TEST - Service de cardiologie\n[Texte dicté]\nAntécédents :\n[texte dicté]\n"
                "Conclusion :\n [TEXTE DICTÉ] \nDr Claire MARTIN\n")
    given = load_exercise(with_given(mini_exercise, template)).given
    assert [g.reference_line for g in given.lines] == [1, 5, 7, 9]
    assert given.start_text().split("\n") == [
        "CENTRE HOSPITALIER DE TEST - Service de cardiologie", "", "Antécédents :", "", "Conclusion :", "",
        "Dr Claire MARTIN", ""]


@pytest.mark.parametrize("sheet, message", [
    ('\n[fiche]\n"Nom" = "DURANT"\n"Prénom" = "Marcel"\n"Date de naissance" = "14/09/1951"\n',
     "fiche invalide, ligne 13, « Nom » = « DURANT » : contredit l'identité du patient ([patient] nom = « DURAND »)."),
    ('\n[fiche]\n"Nom" = "DURAND"\n"Prénom" = "Marcel"\n"Né le" = "14/09/1952"\n',
     "fiche invalide, ligne 15, « Né le » = « 14/09/1952 » : contredit l'identité du patient ([patient] "
     "date_naissance = « 14/09/1951 »)."),
    ('\n[fiche]\n"Nom" = "DURAND"\n"Prénom" = "Marcel"\n',
     "fiche incomplète : l'identité du patient ([patient] date_naissance = « 14/09/1951 ») n'apparaît pas sur la "
     "fiche ; c'est elle que l'apprenant vérifie."),
    ('\n[fiche]\n"Nom" = ""\n', "métadonnées invalides, clé « fiche.Nom » : un texte non vide est attendu "
                                "(trouvé : '')."),
])
def test_a_sheet_that_contradicts_the_patient_is_refused(mini_exercise, sheet, message):
    error = refusal(with_given(mini_exercise, None, sheet))
    assert error.path == mini_exercise.with_suffix(".toml")
    assert error.message == message


def test_instructions_and_sheet_types(mini_exercise):
    mini_exercise.with_suffix(".toml").write_text("title = \"T\"\nconsigne = 3\n", encoding="utf-8")
    assert refusal(mini_exercise).message == ("métadonnées invalides, clé « consigne » : un texte entre guillemets "
                                              "est attendu (trouvé : 3).")
    mini_exercise.with_suffix(".toml").write_text("title = \"T\"\nfiche = [1]\n", encoding="utf-8")
    assert refusal(mini_exercise).message == ("métadonnées invalides, clé « fiche » : une table [fiche] est "
                                              "attendue, « libellé » = « valeur » (trouvé : [1]).")
    mini_exercise.with_suffix(".toml").write_text("title = \"T\"\n[fiche]\nIPP = 20481736\n", encoding="utf-8")
    assert load_exercise(mini_exercise).given.sheet == (("IPP", "20481736"),)
