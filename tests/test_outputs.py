"""Outputs never replace an input, write failures are one French message with nothing partial
left, numbers are finite, every text cell of the gradebook is neutralised, and a `.trn` for no
known exercise is refused like a folder of `.txt`."""

import csv
import errno
import hashlib
import io
import json
import os
import shutil

import pytest
from click.testing import CliRunner

from conftest import AUDIO, MINI_REFERENCE
from transcribe import batch, files
from transcribe.cli import main
from transcribe.commands.params import FiniteFloat


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def copy(mini_exercise, tmp_path):
    path = tmp_path / "copie.txt"
    path.write_text(MINI_REFERENCE.replace("amlodipine", "amlodipinne"), encoding="utf-8")
    return path


@pytest.mark.parametrize("target", ["copy", "reference", "toml", "link"])
def test_score_never_writes_over_an_input(copy, mini_exercise, tmp_path, target):
    link = tmp_path / "lien.txt"
    link.symlink_to(copy)
    path = {"copy": copy, "reference": mini_exercise, "toml": mini_exercise.with_suffix(".toml"),
            "link": link}[target]
    before = {p: digest(p) for p in (copy, mini_exercise, mini_exercise.with_suffix(".toml"))}
    result = run("score", copy, "-r", mini_exercise, "--json", "-o", path)
    assert result.exit_code == 2
    source = {"copy": copy, "reference": mini_exercise, "toml": mini_exercise.with_suffix(".toml"),
              "link": copy}[target]
    assert result.stderr == (f"Erreur : {path} : ce fichier de sortie est un fichier d'entrée de la commande "
                             f"({source}) : il serait remplacé. Choisissez un autre nom avec -o.\n")
    assert {p: digest(p) for p in before} == before


def test_asr_never_writes_over_the_audio(fake_engine, tmp_path):
    audio = tmp_path / "dictee.flac"
    shutil.copy(AUDIO / "00-court.flac", audio)
    before = digest(audio)
    result = run("asr", audio, "-o", audio)
    assert result.exit_code == 2 and fake_engine == []  # refused before any transcription
    assert "ce fichier de sortie est un fichier d'entrée de la commande" in result.stderr
    result = run("asr", audio, "-o", tmp_path)  # a folder: dictee.txt beside the audio
    assert result.exit_code == 0 and (tmp_path / "dictee.txt").read_text(encoding="utf-8") == "Bonjour, monsieur.\n"
    assert digest(audio) == before


def test_asr_refuses_a_named_pipe_without_waiting(fake_engine, tmp_path):
    fifo = tmp_path / "dictee.wav"
    os.mkfifo(fifo)
    result = run("asr", fifo)
    assert result.exit_code == 1 and fake_engine == []
    assert result.stderr.startswith(f"Erreur : {fifo} : ce n'est pas un fichier ordinaire")


def test_output_to_a_folder_or_a_too_long_name(copy, mini_exercise, tmp_path):
    result = run("score", copy, "-r", mini_exercise, "-o", tmp_path)
    assert (result.exit_code, result.stderr) == (2, f"Erreur : {tmp_path} : c'est un dossier : donnez un nom de "
                                                    "fichier avec -o.\n")
    long_name = tmp_path / ("r" * 300 + ".json")
    result = run("score", copy, "-r", mini_exercise, "--json", "-o", long_name)
    assert (result.exit_code, result.stderr) == (2, f"Erreur : {long_name} : écriture impossible (nom de fichier "
                                                    "trop long) ; aucun fichier n'a été écrit.\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copie.txt", "mini.toml", "mini.txt"]


def test_full_disk_leaves_nothing_behind(copy, mini_exercise, tmp_path, monkeypatch):
    out = tmp_path / "sortie"
    out.mkdir()

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    result = run("score", copy, "-r", mini_exercise, "--json", "-o", out / "score.json")
    assert (result.exit_code, result.stderr) == (2, f"Erreur : {out / 'score.json'} : écriture impossible (disque "
                                                    "plein) ; aucun fichier n'a été écrit.\n")
    assert list(out.iterdir()) == []


def test_grade_on_a_read_only_output_is_one_french_message(copy, mini_exercise, tmp_path, monkeypatch):
    copies = tmp_path / "copies"
    (copies / "ana").mkdir(parents=True)
    shutil.copy(copy, copies / "ana" / "mini.txt")

    def read_only(path, data, encoding="utf-8"):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(batch, "write_atomic", read_only)
    result = run("grade", copies, "-r", mini_exercise.parent, "-o", tmp_path / "out", "-j", "1")
    assert (result.exit_code, result.stderr) == (2, f"Erreur : {tmp_path / 'out'} : dossier de sortie inutilisable "
                                                    "(système de fichiers en lecture seule) : choisissez-en un "
                                                    "autre avec --out.\n")


@pytest.mark.parametrize("value", ["nan", "inf", "1e400", "-inf", "Infinity"])
def test_elapsed_must_be_finite(copy, mini_exercise, value):
    result = run("score", copy, "-r", mini_exercise, "--json", "--elapsed", value)
    assert result.exit_code == 2 and result.stdout == ""
    assert "n'est pas un nombre fini" in result.stderr or "n'est pas dans l'intervalle" in result.stderr


def test_elapsed_accepts_a_decimal_comma_and_json_is_strict(copy, mini_exercise):
    result = run("score", copy, "-r", mini_exercise, "--json", "--elapsed", "7,5")
    assert result.exit_code == 0
    data = json.loads(result.stdout, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
    assert data["criteria"]["DEL"]["value"] == 0.75
    assert FiniteFloat(min=0).convert(" 12,5 ", None, None) == 12.5


def test_every_text_cell_of_the_gradebook_is_neutralised(copy, mini_exercise, tmp_path):
    copies = tmp_path / "copies"
    for learner in ("=HYPERLINK(\"http:x\")", "+cmd", "@SUM(A1)", "-2+3"):
        (copies / learner).mkdir(parents=True)
        shutil.copy(copy, copies / learner / "mini.txt")
    out = tmp_path / "out"
    result = run("grade", copies, "-r", mini_exercise.parent, "-o", out, "-j", "1")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO((out / "gradebook.csv").read_text(encoding="utf-8-sig"))))
    assert len(rows) == 4
    for row in rows:
        for column in ("apprenant", "fichier", "rapport"):
            assert row[column][:1] == "'", (column, row[column])
    assert sorted(row["rapport"] for row in rows) == [
        "'+cmd/mini.html", "'-2+3/mini.html", "'=HYPERLINK(\"http:x\")/mini.html", "'@SUM(A1)/mini.html"]


def test_trn_for_no_known_exercise_is_refused(mini_exercise, tmp_path):
    trn = tmp_path / "systeme.trn"
    trn.write_text("bonjour monsieur (inconnu-1)\n", encoding="utf-8")
    result = run("bench", "--references", mini_exercise.parent, "--hyp-dir", trn, "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert result.stderr == (f"Erreur : {trn} : aucune hypothèse ne correspond à un exercice connu (identifiants "
                             "des .trn ou noms des <id>.txt) : vérifiez --references et --exercises.\n")


def test_bench_out_never_holds_the_hypotheses(mini_exercise, tmp_path):
    trn = tmp_path / "o" / "systeme.trn"
    trn.parent.mkdir()
    trn.write_text("bonjour (mini)\n", encoding="utf-8")
    result = run("bench", "--references", mini_exercise.parent, "--hyp-dir", trn, "--out", tmp_path / "o")
    assert result.exit_code == 2 and "contient les hypothèses évaluées" in result.stderr
    assert trn.read_text(encoding="utf-8") == "bonjour (mini)\n"
