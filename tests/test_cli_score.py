"""`transcribe score` on the command line: the JSON contract, errors, exit codes."""

import json
import subprocess
import sys

from click.testing import CliRunner

from transcribe.cli import main

from conftest import ROOT


def test_score_json_follows_the_contract(mini_exercise, tmp_path):
    sub = tmp_path / "copie.txt"
    sub.write_text(mini_exercise.read_text(encoding="utf-8").replace("cœur", "coeur").replace("5 mg", "50 mg"),
                   encoding="utf-8")
    result = CliRunner().invoke(main, ["score", str(sub), "--reference", str(mini_exercise), "--json",
                                       "--elapsed", "7"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"acquis", "note", "criteria", "metrics", "errors", "terms"}
    assert set(data["criteria"]) == {"FID", "TER", "ORT", "IDV", "MEF", "DEL"}
    assert all(set(c) == {"acquis", "value", "threshold", "detail"} for c in data["criteria"].values())
    assert {"wer", "cer", "wer_strict", "term_accuracy", "ref_words", "hyp_words"} <= set(data["metrics"])
    assert data["errors"] == [{"type": "substitution", "ref": "5", "hyp": "50", "flags": ["valeur_critique"], "line": 6}]
    assert data["acquis"] is False and data["note"] == 19.0
    assert set(data["terms"]) == {"total", "correct", "failed"}


def test_score_output_file_is_written(mini_exercise, tmp_path):
    out = tmp_path / "res" / "score.json"
    result = CliRunner().invoke(main, ["score", str(mini_exercise), "-r", str(mini_exercise), "--json", "-o", str(out)])
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["note"] == 20.0


def test_score_missing_submission_is_a_french_error(mini_exercise, tmp_path):
    result = CliRunner().invoke(main, ["score", str(tmp_path / "absente.txt"), "-r", str(mini_exercise)])
    assert result.exit_code == 2
    assert result.stderr == f"Erreur : {tmp_path / 'absente.txt'} : fichier introuvable.\n"


def test_score_needs_a_reference():
    result = CliRunner().invoke(main, ["score", "copie.txt"])
    assert result.exit_code == 2
    assert "indiquez la référence : --reference FICHIER.txt ou --exercise ID" in result.stderr


def test_script_entry_point_is_the_same_group(mini_exercise):
    out = subprocess.run([sys.executable, "transcribe_cli.py", "score", str(mini_exercise), "-r", str(mini_exercise),
                          "--json"], capture_output=True, text=True, check=True, cwd=ROOT)
    assert json.loads(out.stdout)["acquis"] is True
