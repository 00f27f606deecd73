"""Without the openai extra, the openai-whisper engine is a French message, not a traceback."""

import sys

import pytest

from transcribe.asr.engines import require_openai_whisper, resolve_engine_model
from transcribe.errors import TranscribeError


def test_missing_openai_whisper_is_a_french_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "whisper", None)  # import whisper → ImportError
    with pytest.raises(TranscribeError, match="moteur openai-whisper non installé.*--no-deps openai-whisper"):
        require_openai_whisper()
    with pytest.raises(TranscribeError, match="moteur openai-whisper non installé"):
        resolve_engine_model("openai-whisper", None)


def test_bench_asr_without_the_extra_says_so(monkeypatch):
    """benchmarks/bench_asr.py names the install line and measures faster-whisper alone, no traceback."""
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_asr.py"
    spec = importlib.util.spec_from_file_location("bench_asr", script)
    bench_asr = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_asr)
    assert bench_asr.openai_whisper_missing() is None or "openai-whisper" in bench_asr.openai_whisper_missing()
    monkeypatch.setitem(sys.modules, "whisper", None)
    assert "moteur openai-whisper non installé" in bench_asr.openai_whisper_missing()


def test_asr_cli_without_the_extra_stops_before_any_work(monkeypatch, tmp_path):
    """The install line and exit code 2, before the model or the audio is touched."""
    from pathlib import Path

    from click.testing import CliRunner

    from transcribe.asr import model as asr_model
    from transcribe.cli import main

    monkeypatch.setitem(sys.modules, "whisper", None)
    monkeypatch.setattr(asr_model, "model_bin_digest", lambda *a, **k: pytest.fail("model read"))
    monkeypatch.setenv("TRANSCRIBE_CACHE_DIR", str(tmp_path / "cache"))
    short = Path(__file__).resolve().parent.parent / "audio_samples" / "00-court.flac"
    result = CliRunner().invoke(main, ["asr", str(short), "--engine", "openai-whisper"])
    assert result.exit_code == 2
    assert "moteur openai-whisper non installé" in result.stderr and "Transcription de" not in result.stderr
    assert not (tmp_path / "cache").exists()
    result = CliRunner().invoke(main, ["bench", "--engine", "openai-whisper", "--out", str(tmp_path / "b")])
    assert result.exit_code == 2 and "moteur openai-whisper non installé" in result.stderr
    assert not (tmp_path / "cache").exists()
