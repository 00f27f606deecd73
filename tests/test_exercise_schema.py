"""Exercise metadata: one schema for the reference `.toml`, French messages naming the key;
empty references refused; drafts (`<id>.brouillon.txt`) are not exercises."""

import json

import pytest
from click.testing import CliRunner

from conftest import MINI_TOML
from transcribe.cli import main
from transcribe.errors import TranscribeError
from transcribe.exercise import find_exercise, list_exercises, load_exercise, scan_exercises
from transcribe.grading import load_bareme
from transcribe.scoring import score_files


def toml_error(mini_exercise, text: str) -> str:
    mini_exercise.with_suffix(".toml").write_text(text, encoding="utf-8")
    with pytest.raises(TranscribeError) as info:
        load_exercise(mini_exercise)
    assert info.value.path == mini_exercise.with_suffix(".toml")
    return info.value.message


@pytest.mark.parametrize("line, message", [
    ("terms = 5", "clé « terms » : une liste de textes non vides est attendue, par exemple [\"a\", \"b\"] "
                  "(trouvé : 5)."),
    ("terms = [\"\"]", "clé « terms » : une liste de textes non vides est attendue, par exemple [\"a\", \"b\"] "
                       "(trouvé : [''])."),
    ("sections = [1, 2]", "clé « sections » : une liste de textes non vides est attendue, par exemple "
                          "[\"a\", \"b\"] (trouvé : [1, 2])."),
    ("patient = \"x\"", "clé « patient » : une table [patient] est attendue (trouvé : 'x')."),
    ("time_limit_minutes = \"dix\"", "clé « time_limit_minutes » : un nombre de minutes est attendu "
                                     "(trouvé : 'dix')."),
    ("time_limit_minutes = -10", "clé « time_limit_minutes » : doit être un nombre de minutes supérieur à 0 "
                                 "et au plus 1440 (trouvé : -10)."),
    ("time_limit_minutes = nan", "clé « time_limit_minutes » : doit être un nombre de minutes supérieur à 0 "
                                 "et au plus 1440 (trouvé : nan)."),
    ("time_limit_minutes = 1e400", "clé « time_limit_minutes » : doit être un nombre de minutes supérieur à 0 "
                                   "et au plus 1440 (trouvé : inf)."),
    ("difficulty = 3", "clé « difficulty » : facile | moyen | difficile attendu (trouvé : 3)."),
    ("specialty = []", "clé « specialty » : un texte entre guillemets est attendu (trouvé : [])."),
    ("title = \"  \"", "clé « title » : ne doit pas être vide."),
])
def test_wrong_types_and_ranges_name_the_key(mini_exercise, line, message):
    key = line.split(" = ")[0]
    kept = "\n".join(k for k in MINI_TOML.split("[patient]")[0].splitlines() if not k.startswith(key))
    assert toml_error(mini_exercise, f"{line}\n{kept}\n" if key != "title" else f"{line}\n") == (
        f"métadonnées invalides, {message}")


def test_title_is_required_and_patient_fields_are_texts(mini_exercise):
    assert toml_error(mini_exercise, "specialty = \"cardiologie\"\n") == (
        "métadonnées invalides, clé « title » : obligatoire (le titre de l'exercice).")
    assert toml_error(mini_exercise, "title = \"T\"\n[patient]\nnom = [\"DURAND\"]\n") == (
        "métadonnées invalides, clé « patient.nom » : un texte est attendu (trouvé : ['DURAND']).")
    mini_exercise.with_suffix(".toml").write_text("title = \"T\"\n[patient]\nipp = 20481736\n", encoding="utf-8")
    assert load_exercise(mini_exercise).patient == {"ipp": "20481736"}


def test_latin1_toml_is_an_encoding_problem(mini_exercise):
    mini_exercise.with_suffix(".toml").write_bytes('title = "Échographie"\n'.encode("latin-1"))
    with pytest.raises(TranscribeError) as info:
        load_exercise(mini_exercise)
    assert info.value.message == ("métadonnées illisibles : le fichier n'est pas en UTF-8 (octet 0xc9 à la "
                                  "position 9, encodage latin-1 ou Windows ?) ; enregistrez-le en UTF-8.")


def test_empty_reference_is_refused(mini_exercise, tmp_path):
    mini_exercise.write_text(" \n\u200b\n", encoding="utf-8")
    copy = tmp_path / "copie.txt"
    copy.write_text("Un texte.\n", encoding="utf-8")
    with pytest.raises(TranscribeError) as info:
        score_files(copy, mini_exercise)
    assert (info.value.path, info.value.message) == (mini_exercise, "référence vide : aucun texte à comparer.")


def test_drafts_and_dotted_names_are_not_exercises(mini_exercise):
    folder = mini_exercise.parent
    (folder / "mini.brouillon.txt").write_text("brouillon\n", encoding="utf-8")
    (folder / ".cache.txt").write_text("x\n", encoding="utf-8")
    assert [e.id for e in list_exercises(folder)] == ["mini"]
    with pytest.raises(TranscribeError):
        find_exercise("mini.brouillon", folder)
    with pytest.raises(TranscribeError):
        find_exercise("../mini", folder / "sub")


def test_exercises_lists_the_good_ones_and_reports_the_bad(mini_exercise):
    folder = mini_exercise.parent
    (folder / "autre.txt").write_text("Texte.\n", encoding="utf-8")
    (folder / "autre.toml").write_text("title = \"Autre\"\nterms = 5\n", encoding="utf-8")
    found, problems = scan_exercises(folder)
    assert [e.id for e in found] == ["mini"] and len(problems) == 1
    result = CliRunner().invoke(main, ["exercises", "--references", str(folder), "--json"])
    assert result.exit_code == 1
    assert [row["id"] for row in json.loads(result.stdout)] == ["mini"]
    assert result.stderr == (f"Erreur : {folder / 'autre.toml'} : métadonnées invalides, clé « terms » : une "
                             "liste de textes non vides est attendue, par exemple [\"a\", \"b\"] (trouvé : 5).\n")


@pytest.mark.parametrize("value", ["inf", "nan", "1e400", "-inf"])
def test_bareme_numbers_must_be_finite(tmp_path, value):
    path = tmp_path / "bareme.toml"
    path.write_text(f"[points]\nomission = {value}\nsubstitution = 1\nusage = 1\naccord = 1\naccent = 0.5\n"
                    "majuscule = 0.5\nponctuation = 0.25\najout = 1\nhomophone = 1\n", encoding="utf-8")
    with pytest.raises(TranscribeError) as info:
        load_bareme(path)
    shown = {"1e400": "inf", "-inf": "-inf"}.get(value, value)
    assert info.value.message == f"barème invalide, clé « points.omission » : un nombre fini est attendu (trouvé : {shown})."
