"""`transcribe bench --hyp-dir`: hypotheses from elsewhere scored end to end, no ASR run."""

import csv
import json

import jiwer
import pytest
from click.testing import CliRunner

from conftest import MINI_REFERENCE
from transcribe.bench.trn import read_trn
from transcribe.cli import main
from transcribe.views import lenient_text

SECOND_REFERENCE = "Compte rendu d'échographie.\nFoie de taille normale, pas de lithiase.\nDr Paul ROUX\n"


@pytest.fixture
def corpus(mini_exercise, tmp_path):
    refs = mini_exercise.parent
    (refs / "echo.txt").write_text(SECOND_REFERENCE, encoding="utf-8")
    good = tmp_path / "hyps" / "bon"
    good.mkdir(parents=True)
    # one word left out (« trois »), one replaced (« amlodipine » → « amlodipe »)
    (good / "mini.txt").write_text(
        MINI_REFERENCE.replace("depuis trois jours", "depuis jours").replace("amlodipine", "amlodipe"),
        encoding="utf-8")
    (good / "echo.txt").write_text(SECOND_REFERENCE, encoding="utf-8")
    bad = tmp_path / "hyps" / "mauvais"
    bad.mkdir()
    (bad / "mini.txt").write_text("Douleur thoracique. Fibrillation atriale.\n", encoding="utf-8")
    (bad / "echo.txt").write_text("Compte rendu d'échographie. Foie normal.\n", encoding="utf-8")
    return refs, good, bad


def rows_of(out):
    with open(out / "bench.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def expected_wer(pairs):
    refs = [lenient_text(r) for r, _ in pairs]
    hyps = [lenient_text(h) for _, h in pairs]
    return jiwer.process_words(refs, hyps).wer


def test_hyp_dirs_end_to_end(corpus, tmp_path):
    refs, good, bad = corpus
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["bench", "--references", str(refs), "--hyp-dir", str(good),
                                       "--hyp-dir", str(bad), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = rows_of(out)
    by = {(r["systeme"], r["exercice"]): r for r in rows}
    mini = by[("bon", "mini")]
    assert int(mini["erreurs_mots"]) == 2
    assert float(mini["wer"]) == pytest.approx(2 / int(mini["mots_ref"]), abs=1e-4)
    assert float(mini["wer"]) == pytest.approx(
        expected_wer([(MINI_REFERENCE, (good / "mini.txt").read_text(encoding="utf-8"))]), abs=1e-4)
    assert float(by[("bon", "echo")]["wer"]) == 0.0
    assert int(mini["termes_corrects"]) == int(mini["termes_total"]) - 1  # amlodipine missed
    for system, folder in (("bon", good), ("mauvais", bad)):
        pairs = [(MINI_REFERENCE, (folder / "mini.txt").read_text(encoding="utf-8")),
                 (SECOND_REFERENCE, (folder / "echo.txt").read_text(encoding="utf-8"))]
        corpus_row = by[(system, "CORPUS")]
        assert float(corpus_row["wer"]) == pytest.approx(expected_wer(pairs), abs=1e-4)  # micro-average
        assert float(corpus_row["wer_ic_bas"]) <= float(corpus_row["wer"]) <= float(corpus_row["wer_ic_haut"])
    assert int(by[("mauvais", "mini")]["erreurs_critiques"]) >= 2  # identity and the dose left out

    data = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    assert [s["name"] for s in data["systems"]] == ["bon", "mauvais"]
    comp = data["comparisons"][0]
    assert (comp["a"], comp["b"], comp["dictations"]) == ("bon", "mauvais", 2)
    assert comp["sign_test"] == {"a_better": 2, "b_better": 0, "ties": 0, "p_value": 0.5, "p_exact": "1/2"}
    assert comp["paired_bootstrap"]["p_a_better"] == 1.0
    assert "| bon |" in (out / "bench.md").read_text(encoding="utf-8")
    assert (out / "bench.svg").read_text(encoding="utf-8").startswith("<svg")
    assert "<svg" in (out / "bench.html").read_text(encoding="utf-8")
    assert read_trn(out / "ref.trn") == {"echo": lenient_text(SECOND_REFERENCE), "mini": lenient_text(MINI_REFERENCE)}
    assert read_trn(out / "bon.trn")["echo"] == lenient_text(SECOND_REFERENCE)
    assert "bon" in result.output and "test des signes" in result.output


def test_trn_hypotheses_give_the_same_numbers(corpus, tmp_path):
    refs, good, _ = corpus
    first, second = tmp_path / "o1", tmp_path / "o2"
    assert CliRunner().invoke(main, ["bench", "--references", str(refs), "--hyp-dir", str(good),
                                     "--out", str(first)]).exit_code == 0
    result = CliRunner().invoke(main, ["bench", "--references", str(refs), "--hyp-dir", str(first / "bon.trn"),
                                       "--out", str(second)])
    assert result.exit_code == 0, result.output
    a = {r["exercice"]: r["wer"] for r in rows_of(first)}
    b = {r["exercice"]: r["wer"] for r in rows_of(second)}
    assert a == b


def test_missing_hypothesis_is_reported_not_fatal(corpus, tmp_path):
    refs, good, _ = corpus
    (good / "echo.txt").unlink()
    partial = tmp_path / "hyps" / "partiel"
    partial.mkdir()
    (partial / "echo.txt").write_text(SECOND_REFERENCE, encoding="utf-8")
    result = CliRunner().invoke(main, ["bench", "--references", str(refs), "--hyp-dir", str(good),
                                       "--hyp-dir", str(partial), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    rows = {(r["systeme"], r["exercice"]): r for r in rows_of(tmp_path / "o")}
    assert rows[("bon", "echo")]["erreur"] == "hypothèse absente"
    assert rows[("bon", "mini")]["wer"] != ""


def test_usage_errors(corpus, tmp_path):
    refs, good, _ = corpus
    result = CliRunner().invoke(main, ["bench", "--references", str(refs), "--hyp-dir", str(good),
                                       "--engine", "openai-whisper"])
    assert result.exit_code == 2
    result = CliRunner().invoke(main, ["bench", "--references", str(refs), "--hyp-dir", str(good),
                                       "--exercises", "inconnu", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "inconnu" in result.output
    empty = tmp_path / "vide"
    empty.mkdir()
    result = CliRunner().invoke(main, ["bench", "--references", str(refs), "--hyp-dir", str(empty),
                                       "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "aucune hypothèse" in result.output
