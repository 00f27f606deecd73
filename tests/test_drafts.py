"""Drafts: `transcribe draft`, the settings sidecar, regeneration from recorded settings, and
drafts never taken for exercises."""

import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from transcribe.cli import main
from transcribe.drafts import DraftSettings, draft_path, make_draft, read_settings, settings_path
from transcribe.errors import TranscribeError
from transcribe.exercise import find_exercise, list_exercises

ROOT = Path(__file__).resolve().parent.parent
SHORT = ROOT / "audio_samples" / "00-court.flac"
REFERENCES = ROOT / "references"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_draft_of_an_audio_file_on_stdout(fake_engine):
    result = run("draft", SHORT)
    assert result.exit_code == 0, result.output
    assert result.stdout == "Bonjour, monsieur.\n"
    assert "faisceau 5, 2 fil(s), VAD non, vocabulaire non" in result.stderr
    call = fake_engine[0]
    assert call["temperature"] == (0.0,) and call["cpu_threads"] == 2 and call["beam_size"] == 5
    assert call["vad"] is False and call["hotwords"] is None and call["device"] == "cpu"


def test_draft_of_an_exercise_records_everything(fake_engine, tmp_path):
    exercise = find_exercise("14-ordonnance")
    out = tmp_path / "14-ordonnance.brouillon.txt"
    result = run("draft", "14-ordonnance", "-o", out)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == "Bonjour, monsieur.\n"
    data = tomllib.loads(settings_path(out).read_text(encoding="utf-8"))
    assert data["draft"]["exercise"] == "14-ordonnance" and data["draft"]["audio"] == "14-ordonnance.flac"
    assert data["model"] == {"engine": "faster-whisper", "model": "embedded",
                             "sha256": "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"}
    decoding = data["decoding"]
    assert decoding["vad"] is True  # 67 s of audio: decided now, recorded as on
    assert decoding["temperature"] == [0.0] and decoding["cpu_threads"] == 2 and decoding["compute_type"] == "int8"
    assert decoding["hotwords"].startswith(", ".join(exercise.terms[:3]))  # the verbatim prompt
    assert decoding["initial_prompt"] == ""
    assert "batch_size" not in decoding  # drafts are decoded sequentially (no batched pipeline)
    assert set(data["versions"]) == {"transcribe", "faster_whisper", "ctranslate2"}
    # Regenerating passes the recorded prompt string as is, not a vocabulary to rebuild.
    settings = read_settings(out)
    assert make_draft(exercise.audio_path, settings, use_cache=False) == out.read_text(encoding="utf-8")
    assert fake_engine[-1]["hotwords"] == decoding["hotwords"] and "vocabulary" not in fake_engine[-1]
    assert fake_engine[-1]["batch_size"] == 0  # recorded drafts stay sequential whatever today's default


def test_regeneration_refuses_other_audio_or_other_weights(fake_engine, tmp_path):
    out = tmp_path / "court.brouillon.txt"
    assert run("draft", SHORT, "-o", out).exit_code == 0
    settings = read_settings(out)
    with pytest.raises(TranscribeError, match="n'est pas celui qui a produit le brouillon"):
        make_draft(ROOT / "audio_samples" / "14-ordonnance.flac", settings)
    settings.model_sha256 = "0" * 64
    with pytest.raises(TranscribeError, match="modèle embedded n'est pas celui"):
        make_draft(SHORT, settings)


def test_draft_never_overwrites_a_file_that_is_not_a_draft(fake_engine, tmp_path):
    shutil.copy(REFERENCES / "14-ordonnance.txt", tmp_path / "14-ordonnance.txt")
    shutil.copy(REFERENCES / "14-ordonnance.toml", tmp_path / "14-ordonnance.toml")
    before = (tmp_path / "14-ordonnance.toml").read_bytes()
    result = run("draft", "14-ordonnance", "-o", tmp_path / "14-ordonnance.txt")
    assert result.exit_code == 2 and "n'est pas un fichier de réglages de brouillon" in result.stderr
    assert (tmp_path / "14-ordonnance.toml").read_bytes() == before
    (tmp_path / "notes.txt").write_text("mes notes", encoding="utf-8")
    result = run("draft", SHORT, "-o", tmp_path / "notes.txt")
    assert result.exit_code == 2 and "n'est pas un brouillon" in result.stderr
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mes notes"
    assert run("draft", "inconnu").exit_code == 2


def test_settings_file_errors_are_french(tmp_path):
    with pytest.raises(TranscribeError, match="réglages du brouillon illisibles"):
        DraftSettings.from_toml("[draft]\nexercise = 1\n", tmp_path / "x.brouillon.toml")


def test_drafts_are_never_exercises(tmp_path):
    ids = [e.id for e in list_exercises()]
    assert len(ids) == 15 and not any("." in i for i in ids)
    shutil.copy(REFERENCES / "14-ordonnance.txt", tmp_path / "14-ordonnance.txt")
    (tmp_path / "14-ordonnance.brouillon.txt").write_text("Ordonnance\n", encoding="utf-8")
    (tmp_path / "14-ordonnance.brouillon.toml").write_text("[draft]\n", encoding="utf-8")
    assert [e.id for e in list_exercises(tmp_path)] == ["14-ordonnance"]
    with pytest.raises(TranscribeError, match="inconnu"):
        find_exercise("14-ordonnance.brouillon", tmp_path)
    assert draft_path(tmp_path / "14-ordonnance.txt") == tmp_path / "14-ordonnance.brouillon.txt"
    result = run("exercises", "--references", tmp_path)
    assert result.exit_code == 0 and "brouillon" not in result.stdout


def test_docs_difficulty_table_is_the_tools_output():
    """docs/post-edition.md shows what tools/draft_difficulty.py prints for the bundled drafts."""
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    from draft_difficulty import drill_figures, markdown

    assert markdown(drill_figures()) in (ROOT / "docs" / "post-edition.md").read_text(encoding="utf-8")
def test_every_bundled_exercise_has_a_draft_with_its_settings():
    for exercise in list_exercises():
        path = draft_path(exercise.reference_path)
        settings = read_settings(path)
        assert path.is_file() and settings is not None, exercise.id
        assert settings.exercise == exercise.id and settings.audio == exercise.audio_path.name
        assert settings.decoding["temperature"] == [0.0] and settings.decoding["cpu_threads"] == 2
        import hashlib

        assert hashlib.sha256(path.read_bytes()).hexdigest() == settings.text_sha256


@pytest.mark.slow
def test_make_drafts_regenerates_a_bundled_draft_within_the_bound(tmp_path, monkeypatch):
    """The real embedded model, from the recorded settings, in a fresh cache: byte for byte on the
    kind of CPU that made it, within DRAFT_MAX_WER on another (never a byte comparison across CPUs)."""
    import re
    import subprocess
    import sys

    from transcribe.drafts import DRAFT_MAX_WER

    monkeypatch.setenv("TRANSCRIBE_CACHE_DIR", str(tmp_path / "cache"))
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "make_drafts.py"), "14-ordonnance"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    found = re.search(r"14-ordonnance: (identical|close \(WER (\d\.\d{3}), bound (\S+);)", result.stderr)
    assert found, result.stderr
    if found.group(2):
        assert float(found.group(2)) <= DRAFT_MAX_WER and found.group(3) == f"{DRAFT_MAX_WER}"


@pytest.fixture
def make_drafts_tool(monkeypatch, tmp_path):
    """tools/make_drafts.py over a copy of one bundled exercise, its decoding replaced by ``texts[0]``."""
    import importlib
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    tool = importlib.import_module("make_drafts")
    sys.path.pop(0)
    for name in ("14-ordonnance.txt", "14-ordonnance.toml", "14-ordonnance.brouillon.txt",
                 "14-ordonnance.brouillon.toml"):
        shutil.copy(REFERENCES / name, tmp_path / name)
    texts = []
    monkeypatch.setattr(tool, "make_draft", lambda audio, settings, use_cache=False: texts[0])
    return tool, tmp_path, texts


@pytest.mark.parametrize("change, code, exact_code, word", [
    (lambda t: t, 0, 0, "identical"),
    (lambda t: t.replace("comprimé", "comprimer", 2), 0, 1, "close"),
    (lambda t: "Ordonnance\n", 1, 1, "DIFFERENT"),
])
def test_make_drafts_compares_by_distance(make_drafts_tool, capsys, change, code, exact_code, word):
    tool, folder, texts = make_drafts_tool
    shipped = (folder / "14-ordonnance.brouillon.txt").read_text(encoding="utf-8")
    texts.append(change(shipped))
    assert tool.main(["--references", str(folder)]) == code
    assert f"14-ordonnance: {word}" in capsys.readouterr().err
    assert tool.main(["--references", str(folder), "--exact"]) == exact_code
    assert (folder / "14-ordonnance.brouillon.txt").read_text(encoding="utf-8") == shipped  # no --write: untouched


def test_draft_distance_is_the_lenient_wer():
    from transcribe.drafts import draft_distance

    assert draft_distance("Un comprimé le matin.", "un comprimé, le matin") == 0.0
    assert draft_distance("Un comprimé le matin.", "Un comprimer le matin.") == 0.25


def test_a_draft_records_the_machine_it_was_decoded_on(fake_engine, tmp_path, monkeypatch):
    from transcribe.drafts import machine_info

    monkeypatch.setenv("CT2_FORCE_CPU_ISA", "AVX2")
    out = tmp_path / "court.brouillon.txt"
    assert run("draft", SHORT, "-o", out).exit_code == 0
    data = tomllib.loads(settings_path(out).read_text(encoding="utf-8"))
    assert data["machine"] == machine_info() and data["machine"]["ct2_force_cpu_isa"] == "AVX2"
    assert data["decoding"]["guards"] is True and "redecoded" not in data  # nothing re-decoded: no table
    assert read_settings(out).machine == data["machine"]


def test_machine_info_reads_the_cpu_and_its_instruction_sets(tmp_path, monkeypatch):
    import platform

    from transcribe import drafts

    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: AMD EPYC 9B14\nflags\t\t: fpu sse4_2 avx avx2 fma avx512f "
                       "avx512_vnni\n\nprocessor\t: 1\nmodel name\t: AMD EPYC 9B14\n", encoding="utf-8")
    monkeypatch.setattr(drafts, "CPUINFO", str(cpuinfo))
    monkeypatch.delenv("CT2_FORCE_CPU_ISA", raising=False)
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX2")
    assert drafts.machine_info() == {"arch": platform.machine(), "cpu": "AMD EPYC 9B14",
                                     "isa": ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_vnni"],
                                     "onednn_max_cpu_isa": "AVX2"}
    monkeypatch.setattr(drafts, "CPUINFO", str(tmp_path / "none"))
    monkeypatch.delenv("ONEDNN_MAX_CPU_ISA")
    assert drafts.machine_info() == {"arch": platform.machine()}  # not Linux: the architecture only
