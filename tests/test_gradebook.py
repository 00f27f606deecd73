"""The gradebook writer, cell by cell: what a trainer's spreadsheet reads."""

import csv
import io
import json

from transcribe.exercise import load_exercise
from transcribe.gradebook import POST_EDIT_COLUMNS, gradebook_csv, gradebook_header, gradebook_json, summary, write_gradebook
from transcribe.grading import grade, load_bareme
from transcribe.reading import document_from_text
from transcribe.scoring import score_documents


def record(mini_exercise, text, elapsed=None, learner="ana", file="ana/mini.txt"):
    exercise = load_exercise(mini_exercise)
    score = grade(score_documents(document_from_text(text), document_from_text(exercise.reference_text()), exercise),
                  load_bareme(), elapsed)
    return {"learner": learner, "exercise": "mini", "file": file, "status": "ok", "message": "",
            "elapsed_minutes": elapsed, "report": "ana/mini.html", "score": score.to_dict()}


def rows(text, delimiter=","):
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def test_header_lists_every_criterion_and_error_type_in_order():
    assert gradebook_header() == [
        "apprenant", "exercice", "fichier", "statut", "message", "note", "acquis",
        "FID", "FID_acquis", "TER", "TER_acquis", "ORT", "ORT_acquis", "IDV", "IDV_acquis",
        "MEF", "MEF_acquis", "DEL", "DEL_acquis", "WER", "CER", "exactitude_termes", "duree_minutes",
        "erreurs", "n_omission", "n_ajout", "n_substitution", "n_usage", "n_homophone", "n_accord",
        "n_accent", "n_majuscule", "n_ponctuation", *[name for name, _ in POST_EDIT_COLUMNS], "rapport"]


def test_each_cell_of_a_graded_copy(mini_exercise):
    text = (mini_exercise.read_text(encoding="utf-8").replace("FEVG à 60", "FEVG a 60")
            .replace("14/09/1951", "14/09/1915").replace("Fibrillation atriale", "Fibrilation atriale")
            .replace("par amlodipine", "par amlodipinne"))
    good = record(mini_exercise, mini_exercise.read_text(encoding="utf-8"), elapsed=8, learner="ben",
                  file="ben/mini.txt")
    [row, perfect] = rows(gradebook_csv([record(mini_exercise, text, elapsed=12.5), good]))
    assert row == {
        "apprenant": "ana", "exercice": "mini", "fichier": "ana/mini.txt", "statut": "ok", "message": "",
        "note": "16", "acquis": "non",
        "FID": "1.9231", "FID_acquis": "oui", "TER": "0.75", "TER_acquis": "non",
        "ORT": "5.7692", "ORT_acquis": "non", "IDV": "1", "IDV_acquis": "non",
        "MEF": "1", "MEF_acquis": "oui", "DEL": "1.25", "DEL_acquis": "non",
        "WER": row["WER"], "CER": row["CER"], "exactitude_termes": "0.75", "duree_minutes": "12.5",
        "erreurs": "4", "n_omission": "0", "n_ajout": "0", "n_substitution": "1", "n_usage": "2",
        "n_homophone": "1", "n_accord": "0", "n_accent": "0", "n_majuscule": "0", "n_ponctuation": "0",
        **{name: "" for name, _ in POST_EDIT_COLUMNS},  # not a corrected draft
        "rapport": "ana/mini.html"}
    assert [perfect[f"{c}_acquis"] for c in ("FID", "TER", "ORT", "IDV", "MEF", "DEL")] == ["oui"] * 6
    assert (perfect["acquis"], perfect["note"], perfect["erreurs"], perfect["DEL"]) == ("oui", "20", "0", "0.8")


def test_unmeasured_criterion_and_failed_copy_leave_cells_empty(mini_exercise):
    untimed = record(mini_exercise, mini_exercise.read_text(encoding="utf-8"))
    failed = {"learner": "zoe", "exercise": "mini", "file": "zoe/mini.pdf", "status": "erreur",
              "message": "=format non pris en charge", "elapsed_minutes": None, "report": None, "score": None}
    [row, bad] = rows(gradebook_csv([untimed, failed]))
    assert (row["DEL"], row["DEL_acquis"], row["duree_minutes"]) == ("", "", "")
    assert row["TER_acquis"] == "oui"
    assert all(bad[name] == "" for name in gradebook_header()
               if name not in ("apprenant", "exercice", "fichier", "statut", "message"))
    assert bad["message"] == "'=format non pris en charge"  # never a spreadsheet formula


def test_decimal_comma_and_semicolons(mini_exercise):
    text = gradebook_csv([record(mini_exercise, mini_exercise.read_text(encoding="utf-8"), elapsed=12.5)],
                         decimal_comma=True)
    [row] = rows(text, ";")
    assert (row["DEL"], row["duree_minutes"], row["note"]) == ("1,25", "12,5", "20")
    assert text.endswith("\r\n") and text.count("\r\n") == 2


def test_files_written_with_a_bom_and_a_summary(mini_exercise, tmp_path):
    records = [record(mini_exercise, mini_exercise.read_text(encoding="utf-8")),
               record(mini_exercise, mini_exercise.read_text(encoding="utf-8").replace("FEVG à 60", "FEVG a 60"))]
    assert summary(records) == {"copies": 2, "ok": 2, "erreur": 0, "moyenne": 19.5}
    write_gradebook(tmp_path, records, load_bareme(), tmp_path / "copies")
    raw = (tmp_path / "gradebook.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfapprenant,") and raw.count(b"\xef\xbb\xbf") == 1
    document = json.loads((tmp_path / "gradebook.json").read_text(encoding="utf-8"))
    assert document["summary"] == summary(records) and document["items"] == records
    assert document["bareme"] == load_bareme().name and document["tool"] == "transcribe"
    assert json.loads(gradebook_json(records, "b", "s"))["submissions"] == "s"
    assert "homophone grammatical" in (tmp_path / "index.html").read_text(encoding="utf-8")
