"""The decoder's vocabulary for any dictation: biasing modes, specialty lists from data, a trainer's
own exercise (--reference, --references, --vocabulaire), and proof that it reaches the decoder."""

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from transcribe.asr import vocabulary as voc
from transcribe.asr.biasing import build_prompt
from transcribe.cli import main
from transcribe.errors import TranscribeError
from transcribe.exercise import find_exercise, load_exercise
from transcribe.lexicon import load_lexicon

ROOT = Path(__file__).resolve().parent.parent
SHORT = ROOT / "audio_samples" / "00-court.flac"
MINI_TERMS = ["cardiologie", "Douleur thoracique", "Hypertension artérielle", "amlodipine", "Fibrillation atriale",
              "Échographie cardiaque", "FEVG", "cœur"]


def run(*args):
    return CliRunner().invoke(main, list(map(str, args)))


@pytest.fixture
def own_exercise(mini_exercise):
    """A trainer's exercise folder: mini.txt, its .toml without terms, and its audio mini.flac."""
    folder = mini_exercise.parent
    (folder / "mini.toml").write_text('title = "Mini"\nspecialty = "cardiologie"\n', encoding="utf-8")
    (folder / "mini.flac").write_bytes(SHORT.read_bytes())
    return folder


def test_specialty_lists_are_tagged_lexicon_entries():
    lexicon = {(t.term, t.category) for t in load_lexicon().entries}
    with (ROOT / "transcribe" / "data" / "vocabulaire_specialites.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(rows) > 300 and all((r["term"], r["category"]) in lexicon for r in rows)
    assert voc.specialty_lists()["pédiatrie"][:3] == ["vaccination", "bronchiolite", "otite"]


def test_specialty_data_is_up_to_date_with_its_sources():
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "build_specialty_vocabulary.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_specialty_names_and_aliases():
    assert voc.specialty_matches("Pédiatrie") == ["pédiatrie"]
    assert voc.specialty_matches("imagerie") == ["radiologie"]
    assert voc.specialty_matches("chirurgie orthopédique") == ["chirurgie", "rhumatologie"]
    assert voc.specialty_matches("gynécologie") == ["gynécologie-obstétrique"]
    assert voc.specialty_matches("social") == [] and voc.specialty_words(None) == []


def test_modes_and_aliases():
    assert [voc.canonical_mode(m) for m in ("oui", "non", True, False, "spécialité")] == [
        "exercice", "aucun", "exercice", "aucun", "specialite"]
    assert voc.uses_reference("exercice") and not voc.uses_reference("specialite")
    with pytest.raises(TranscribeError, match="mode d'orientation inconnu : tout"):
        voc.canonical_mode("tout")


def test_vocabulary_by_mode_for_a_bundled_exercise():
    exercise = find_exercise("04-pediatrie-consultation")
    specialty = voc.specialty_lists()["pédiatrie"]
    assert voc.vocabulary_for("aucun", exercise) is None
    assert voc.vocabulary_for("specialite", exercise) == specialty
    assert voc.vocabulary_for("specialite", exercise, extra=["Augmentin"]) == ["Augmentin"] + specialty
    assert voc.vocabulary_for("exercice", exercise) == exercise.terms + specialty[:voc.SPECIALTY_AFTER_EXERCISE]
    assert voc.SPECIALTY_AFTER_EXERCISE == 9


def test_exercise_without_terms_takes_the_lexicon_terms_of_its_reference(own_exercise):
    exercise = load_exercise(own_exercise / "mini.txt")
    assert exercise.terms == [] and voc.reference_terms(exercise) == MINI_TERMS
    assert voc.vocabulary_for("exercice", exercise)[:9] == MINI_TERMS + ["électrocardiogramme"]


def test_vocabulary_file(tmp_path):
    path = tmp_path / "mots.txt"
    path.write_bytes("# mes termes\nKardégic\n\n  fibrillation   atriale \n".encode("cp1252"))
    assert voc.read_vocabulary_file(path) == ["Kardégic", "fibrillation atriale"]
    (tmp_path / "vide.txt").write_text("# rien\n", encoding="utf-8")
    with pytest.raises(TranscribeError, match="vide"):
        voc.read_vocabulary_file(tmp_path / "vide.txt")


def test_asr_reference_option_gives_the_exercise_vocabulary(fake_engine, own_exercise):
    result = run("asr", SHORT, "--reference", own_exercise / "mini.txt")
    assert result.exit_code == 0, result.output
    assert fake_engine[-1]["vocabulary"][:8] == MINI_TERMS
    assert "exercice mini" in result.stderr and "biais exercice" in result.stderr


def test_asr_references_folder_finds_the_exercise_by_audio_name(fake_engine, own_exercise):
    assert run("asr", own_exercise / "mini.flac", "--references", own_exercise).exit_code == 0
    assert fake_engine[-1]["vocabulary"][:8] == MINI_TERMS
    assert run("asr", own_exercise / "mini.flac", "--references", own_exercise, "--biais", "specialite").exit_code == 0
    assert fake_engine[-1]["vocabulary"] == voc.specialty_lists()["cardiologie"]


def test_asr_vocabulary_file_and_specialty_without_exercise(fake_engine, tmp_path):
    words = tmp_path / "mots.txt"
    words.write_text("Kardégic\nbisoprolol\n", encoding="utf-8")
    assert run("asr", SHORT, "--vocabulaire", words).exit_code == 0
    assert fake_engine[-1]["vocabulary"] == ["Kardégic", "bisoprolol"]
    assert run("asr", SHORT, "--vocabulaire", words, "--specialite", "pédiatrie").exit_code == 0
    assert fake_engine[-1]["vocabulary"] == ["Kardégic", "bisoprolol"] + voc.specialty_lists()["pédiatrie"]
    assert run("asr", SHORT, "--vocabulaire", words, "--no-bias").exit_code == 0
    assert fake_engine[-1]["vocabulary"] is None


def test_asr_vocabulary_usage_errors(fake_engine, own_exercise, tmp_path):
    result = run("asr", SHORT, "--vocabulaire", tmp_path / "absent.txt")
    assert result.exit_code == 2 and "fichier de vocabulaire introuvable" in result.stderr
    result = run("asr", SHORT, "--reference", tmp_path / "absent.txt")
    assert result.exit_code == 2 and "fichier de référence introuvable" in result.stderr
    result = run("asr", SHORT, "--reference", own_exercise / "mini.txt", "--exercise", "x")
    assert result.exit_code == 2 and "--reference" in result.stderr
    result = run("asr", SHORT, "--biais", "tout")
    assert result.exit_code == 2
    assert fake_engine == []


def test_the_vocabulary_reaches_the_decoder_as_hotwords_and_prompt(monkeypatch, tmp_path):
    """Through transcription_options and the engine runners, down to the Whisper calls' arguments."""
    import numpy as np

    from transcribe.asr import engines

    seen = {}

    class FakeFasterWhisper:
        def transcribe(self, audio, **kwargs):
            seen["faster-whisper"] = kwargs
            return iter([]), None

    def fake_openai_transcribe(model, audio, **kwargs):
        seen["openai-whisper"] = kwargs
        return {"segments": []}

    monkeypatch.setattr(engines, "load_faster_whisper", lambda *a, **k: FakeFasterWhisper())
    monkeypatch.setattr(engines, "load_openai_whisper", lambda *a, **k: object())
    monkeypatch.setattr(engines, "resolve_engine_model", lambda engine, model: (tmp_path, "faux"))
    fake_whisper = type(sys)("whisper")
    fake_whisper.transcribe = fake_openai_transcribe
    monkeypatch.setitem(sys.modules, "whisper", fake_whisper)
    monkeypatch.setitem(sys.modules, "torch", type(sys)("torch"))
    audio = np.full(16000, 0.1, dtype=np.float32)
    vocabulary = voc.vocabulary_for("exercice", find_exercise("04-pediatrie-consultation"))
    prompt = build_prompt(vocabulary)  # the list, de-duplicated: « Amoxicilline » once
    engines.transcribe_audio(audio, vocabulary=vocabulary)
    assert seen["faster-whisper"]["hotwords"] == prompt and seen["faster-whisper"]["initial_prompt"] is None
    engines.transcribe_audio(audio, engine="openai-whisper", vocabulary=vocabulary)
    assert seen["openai-whisper"]["initial_prompt"] == prompt and seen["openai-whisper"]["carry_initial_prompt"]


def test_draft_takes_the_same_vocabulary_options(fake_engine, own_exercise, tmp_path):
    cardio = voc.specialty_lists()["cardiologie"]
    result = run("draft", own_exercise / "mini.flac", "--reference", own_exercise / "mini.txt")
    assert result.exit_code == 0, result.output
    assert fake_engine[-1]["hotwords"] == build_prompt(MINI_TERMS + cardio[:9])
    assert run("draft", own_exercise / "mini.flac", "--references", own_exercise, "--biais", "specialite").exit_code == 0
    assert fake_engine[-1]["hotwords"] == build_prompt(cardio)
    words = tmp_path / "mots.txt"
    words.write_text("Kardégic\n", encoding="utf-8")
    assert run("draft", "04-pediatrie-consultation", "--vocabulaire", words, "--biais", "specialite").exit_code == 0
    assert fake_engine[-1]["hotwords"] == build_prompt(["Kardégic"] + voc.specialty_lists()["pédiatrie"])
    assert run("draft", SHORT, "--no-bias").exit_code == 0 and fake_engine[-1]["hotwords"] is None


def test_batch_size_option_in_the_cache_key():
    """Sequential by default and with 0 (the key of earlier transcripts and recorded drafts);
    n > 0 enters the key; a negative size is a French error."""
    from transcribe.asr.engines import transcription_options

    assert "batch_size" not in transcription_options(engine="faster-whisper")
    assert "batch_size" not in transcription_options(engine="faster-whisper", batch_size=0)
    assert transcription_options(engine="faster-whisper", batch_size=4)["batch_size"] == 4
    with pytest.raises(TranscribeError, match="taille de lot"):
        transcription_options(engine="faster-whisper", batch_size=-1)
