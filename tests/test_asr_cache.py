"""Transcript cache: a second call on the same audio and settings does not run the engine."""

import shutil
from pathlib import Path

import pytest

from transcribe.asr import cache

ROOT = Path(__file__).resolve().parent.parent
SHORT = ROOT / "audio_samples" / "00-court.flac"


def test_second_call_hits_the_cache(fake_engine, tmp_path):
    first, hit1 = cache.transcribe_cached(SHORT, beam_size=5)
    second, hit2 = cache.transcribe_cached(SHORT, beam_size=5)
    assert (hit1, hit2) == (False, True)
    assert len(fake_engine) == 1
    assert second.text == first.text == "Bonjour, monsieur."
    assert list((tmp_path / "cache" / "transcripts").glob("*.json"))


def test_key_covers_audio_engine_and_options(fake_engine, tmp_path):
    copy = tmp_path / "copie.flac"
    shutil.copyfile(SHORT, copy)
    cache.transcribe_cached(SHORT, beam_size=5)
    cache.transcribe_cached(copy, beam_size=5)  # same bytes, other name: cached
    cache.transcribe_cached(SHORT, beam_size=1)  # other option: decoded again
    cache.transcribe_cached(SHORT, beam_size=5, vocabulary=["amlodipine"])
    assert len(fake_engine) == 3


def test_commands_are_reapplied_from_the_cached_decoding(fake_engine):
    cache.transcribe_cached(SHORT, beam_size=5)
    raw, hit = cache.transcribe_cached(SHORT, beam_size=5, commands=False)
    assert hit and raw.text == "Bonjour virgule monsieur point"
    assert len(fake_engine) == 1


def test_no_cache_always_runs(fake_engine):
    cache.transcribe_cached(SHORT, use_cache=False)
    cache.transcribe_cached(SHORT, use_cache=False)
    assert len(fake_engine) == 2


def test_bad_audio_is_reported_before_the_cache(fake_engine, tmp_path):
    from transcribe.errors import TranscribeError

    path = tmp_path / "vide.wav"
    path.write_bytes(b"")
    with pytest.raises(TranscribeError, match="fichier audio vide"):
        cache.transcribe_cached(path)
    assert fake_engine == []
