"""`transcribe asr` and `transcribe model`: output on stdout, messages on stderr, exit codes."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from transcribe.cli import main

ROOT = Path(__file__).resolve().parent.parent
SHORT = ROOT / "audio_samples" / "00-court.flac"


@pytest.fixture
def fake(fake_engine):
    return fake_engine


def run(*args):
    return CliRunner().invoke(main, list(map(str, args)))


def test_txt_on_stdout_messages_on_stderr(fake):
    result = run("asr", SHORT)
    assert result.exit_code == 0
    assert result.stdout == "Bonjour, monsieur.\n"
    assert "Transcription de" in result.stderr
    assert fake[0]["beam_size"] == 5 and fake[0]["vocabulary"] is None and fake[0]["temperature"] == 0.0


def test_second_run_uses_the_cache(fake):
    run("asr", SHORT)
    result = run("asr", SHORT)
    assert result.exit_code == 0 and "cache" in result.stderr and len(fake) == 1
    assert run("asr", SHORT, "--no-cache").exit_code == 0 and len(fake) == 2


def test_options_review_and_formats(fake, tmp_path):
    assert run("asr", SHORT, "--review").stdout == "Bonjour, [[monsieur?]].\n"
    assert run("asr", SHORT, "--no-commands").stdout == "Bonjour virgule monsieur point\n"
    assert run("asr", SHORT, "--format", "srt").stdout == "1\n00:00:00,000 --> 00:00:01,000\nBonjour, monsieur.\n"
    data = json.loads(run("asr", SHORT, "--format", "json").stdout)
    assert data["text"] == "Bonjour, monsieur." and data["segments"][0]["words"][2]["probability"] == 0.3
    out = tmp_path / "sortie.vtt"
    result = run("asr", SHORT, "--format", "vtt", "-o", out, "--beam", "1", "--engine", "openai-whisper")
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n")
    assert fake[-1]["beam_size"] == 1 and fake[-1]["engine"] == "openai-whisper"


def test_batch_size_and_compute_type_reach_the_engine(fake):
    """--lot and --calcul go to faster-whisper; the default is sequential int8 (None: the engine's
    choice); openai-whisper gets neither."""
    assert run("asr", SHORT).exit_code == 0
    assert fake[-1]["batch_size"] == 0 and fake[-1]["compute_type"] is None
    assert run("asr", SHORT, "--lot", "8", "--calcul", "float32").exit_code == 0
    assert fake[-1]["batch_size"] == 8 and fake[-1]["compute_type"] == "float32"
    assert fake[-1]["engine"] == "faster-whisper"
    assert run("asr", SHORT, "--engine", "openai-whisper").exit_code == 0
    assert "batch_size" not in fake[-1] and "compute_type" not in fake[-1]
    bad = run("asr", SHORT, "--lot", "-1")
    assert bad.exit_code == 2 and "--lot" in bad.output


def test_guards_are_on_by_default_and_say_what_they_re_decoded(fake, monkeypatch):
    from transcribe.asr import engines

    assert run("asr", SHORT).exit_code == 0 and fake[-1]["guards"] is True
    assert run("asr", SHORT, "--sans-gardes").exit_code == 0 and fake[-1]["guards"] is False
    inner = engines.transcribe_audio
    record = {"debut": 27.93, "fin": 36.6, "raisons": ["mots sans durée dans l'audio", "parole sans texte"],
              "essais": ["sans_texte_precedent"], "retenu": "sans_texte_precedent", "dommage_avant": 7.4,
              "dommage_apres": 0.0}

    def guarded(*args, **kwargs):
        t = inner(*args, **kwargs)
        t.options["redecoded"] = [record, dict(record, debut=40.0, fin=41.0, retenu="premier décodage")]
        return t

    monkeypatch.setattr(engines, "transcribe_audio", guarded)
    result = run("asr", SHORT, "--format", "json", "--no-cache")
    assert result.exit_code == 0
    assert ("1 fenêtre(s) redécodée(s) par les garde-fous : 27.9–36.6 s (mots sans durée dans l'audio, "
            "parole sans texte)") in result.stderr
    assert json.loads(result.stdout)["options"]["redecoded"][0] == record  # the JSON output shows it


def test_exercise_terms_bias_the_decoding(fake):
    from transcribe.exercise import list_exercises

    exercise = next((e for e in list_exercises() if e.terms), None)
    assert exercise is not None  # every bundled exercise lists its terms
    assert run("asr", SHORT, "--exercise", exercise.id).exit_code == 0
    assert fake[-1]["vocabulary"][: len(exercise.terms)] == exercise.terms
    assert run("asr", SHORT, "--exercise", exercise.id, "--no-bias").exit_code == 0
    assert fake[-1]["vocabulary"] is None


def test_exercise_found_from_the_audio_file_name(fake, tmp_path):
    from transcribe.bundled import audio_dir
    from transcribe.exercise import find_exercise

    exercise = find_exercise("01-cardiologie-consultation")
    assert run("asr", audio_dir() / "01-cardiologie-consultation.flac").exit_code == 0
    assert fake[-1]["vocabulary"][: len(exercise.terms)] == exercise.terms
    other = tmp_path / "ma-dictee.flac"  # a name that is no exercise: no biasing, no error
    other.write_bytes(SHORT.read_bytes())
    assert run("asr", other).exit_code == 0 and fake[-1]["vocabulary"] is None


def test_unknown_exercise_is_a_usage_error(fake):
    result = run("asr", SHORT, "--exercise", "n-existe-pas")
    assert result.exit_code == 2 and "inconnu" in result.stderr and fake == []


def test_bad_file_among_good_ones_exits_1(fake, tmp_path):
    bad = tmp_path / "dictee.xyz"
    bad.write_bytes(b"x")
    result = run("asr", bad, SHORT)
    assert result.exit_code == 1
    assert "format audio non pris en charge : .xyz" in result.stderr and str(bad) in result.stderr
    assert result.stdout == "Bonjour, monsieur.\n"  # the good file is still transcribed


def test_bad_option_exits_2(fake):
    assert run("asr", SHORT, "--format", "docx").exit_code == 2
    assert run("asr", SHORT, "--beam", "0").exit_code == 2


def test_help_is_french():
    result = run("asr", "--help")
    assert result.exit_code == 0 and "Transcrit un ou plusieurs fichiers AUDIO" in result.stdout
    assert "Vérifie" in run("model", "--help").stdout


def test_model_info_reads_the_installed_parts(monkeypatch, tmp_path):
    from transcribe.asr import model as asr_model

    monkeypatch.setenv("TRANSCRIBE_CACHE_DIR", str(tmp_path / "cache"))
    result = run("model", "info", "--no-verify")
    assert result.exit_code == 0
    assert "non vérifié" in result.stdout and f"{asr_model.MODEL_BIN_SIZE} octets" in result.stdout
    assert str(asr_model.embedded_model_path()) in result.stdout
    assert "non converti" in result.stdout
    assert not (tmp_path / "cache").exists()  # nothing written


def test_model_info_without_the_model_packages(monkeypatch):
    from transcribe.asr import model as asr_model

    monkeypatch.setattr(asr_model, "PART2_DIST", "paquet-inexistant-part2")
    result = run("model", "info")
    assert result.exit_code == 1
    assert "absent" in result.stdout and "pip install paquet-inexistant-part2" in result.stdout


@pytest.mark.slow
def test_model_prepare_verifies_and_removes_the_old_cached_copy(monkeypatch, tmp_path):
    monkeypatch.setenv("TRANSCRIBE_CACHE_DIR", str(tmp_path / "cache"))
    old = tmp_path / "cache" / "models" / "whisper-base-ct2"
    old.mkdir(parents=True)
    (old / "model.bin").write_bytes(b"ancien")
    result = run("model", "prepare")
    assert result.exit_code == 0, result.output
    assert "Modèle prêt (lu en place)" in result.stdout and "Ancienne copie supprimée" in result.stdout
    assert not old.exists()
