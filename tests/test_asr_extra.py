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
