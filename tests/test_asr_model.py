"""The embedded model: found through package metadata, assembled atomically, verified, reused."""

import hashlib

import pytest

from transcribe.asr import model as asr_model
from transcribe.errors import TranscribeError


@pytest.fixture
def cache(monkeypatch, tmp_path):
    monkeypatch.setenv("TRANSCRIBE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_cache_dir_env(monkeypatch, tmp_path):
    monkeypatch.delenv("TRANSCRIBE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert asr_model.cache_dir() == tmp_path / "xdg" / "transcribe-medical-fr"
    monkeypatch.setenv("TRANSCRIBE_CACHE_DIR", str(tmp_path / "ici"))
    assert asr_model.cache_dir() == tmp_path / "ici"


def test_sources_come_from_the_installed_packages():
    sources = asr_model.package_sources()
    assert set(sources) == {"config.json", "tokenizer.json", "vocabulary.txt", "model.bin.part1", "model.bin.part2"}
    assert sources["model.bin.part1"].stat().st_size + sources["model.bin.part2"].stat().st_size == \
        asr_model.MODEL_BIN_SIZE


@pytest.mark.slow
def test_prepare_assembles_verifies_and_reuses(cache):
    info = asr_model.embedded_model_info()
    assert info.status == "non préparé"
    folder = asr_model.prepare_embedded_model()
    assert folder == cache / "models" / "whisper-base-ct2"
    model_bin = folder / "model.bin"
    assert model_bin.stat().st_size == asr_model.MODEL_BIN_SIZE
    assert asr_model.sha256_file(model_bin) == asr_model.MODEL_BIN_SHA256
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]  # no temp dir left
    mtime = model_bin.stat().st_mtime_ns
    assert asr_model.prepare_embedded_model() == folder and model_bin.stat().st_mtime_ns == mtime  # reused
    info = asr_model.embedded_model_info()
    assert (info.status, info.size, info.sha256) == ("prêt", asr_model.MODEL_BIN_SIZE, asr_model.MODEL_BIN_SHA256)
    with open(model_bin, "r+b") as handle:  # damage one byte: detected
        handle.seek(1000)
        handle.write(b"\xff" if handle.read(1) != b"\xff" else b"\x00")
    assert asr_model.embedded_model_info().status == "corrompu"


def test_checksum_mismatch_is_refused(cache, monkeypatch):
    monkeypatch.setattr(asr_model, "MODEL_BIN_SHA256", hashlib.sha256(b"autre").hexdigest())
    with pytest.raises(TranscribeError, match="empreinte SHA-256"):
        asr_model.prepare_embedded_model()
    assert not (cache / "models" / "whisper-base-ct2").exists()
    assert not [p for p in (cache / "models").iterdir()]  # temp dir cleaned


def test_resolve_model_errors(tmp_path):
    with pytest.raises(TranscribeError, match="modèle introuvable"):
        asr_model.resolve_model(tmp_path / "absent")
    (tmp_path / "dossier").mkdir()
    with pytest.raises(TranscribeError, match="modèle non reconnu"):
        asr_model.resolve_model(tmp_path / "dossier")
