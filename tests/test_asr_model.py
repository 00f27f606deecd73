"""The embedded model: found through package metadata, read in place, verified, never copied."""

import hashlib
import os
import tempfile

import pytest

from transcribe.asr import model as asr_model
from transcribe.errors import TranscribeError


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
    assert asr_model.embedded_model_path() == sources["config.json"].parent


def test_resolve_model_locates_the_embedded_model_without_reading_it(monkeypatch):
    monkeypatch.setattr(asr_model, "model_bin_digest", lambda *a, **k: pytest.fail("model.bin read"))
    kind, path = asr_model.resolve_model(None)
    assert (kind, path) == ("embedded", asr_model.embedded_model_path())
    assert asr_model.is_embedded(path) and not asr_model.is_embedded(path.parent)


@pytest.fixture
def private_tmp(monkeypatch, tmp_path):
    """tempfile's folder for this test only, to see what is left in it."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.mark.slow
def test_read_in_place_through_memory_then_nothing_left(private_tmp):
    with asr_model.embedded_ct2_folder() as folder:
        model_bin = folder / "model.bin"
        assert model_bin.is_symlink() and os.readlink(model_bin).startswith(f"/proc/{os.getpid()}/fd/")
        assert model_bin.stat().st_size == asr_model.MODEL_BIN_SIZE
        data = model_bin.read_bytes()
        assert hashlib.sha256(data).hexdigest() == asr_model.MODEL_BIN_SHA256
        assert data[:4] == (6).to_bytes(4, "little")  # CTranslate2 binary version
        del data
        assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.bin", "tokenizer.json",
                                                           "vocabulary.txt"]
    assert list(private_tmp.iterdir()) == []


@pytest.mark.slow
def test_without_memfd_a_temporary_file_then_nothing_left(monkeypatch, private_tmp):
    monkeypatch.delattr(os, "memfd_create")
    with asr_model.embedded_ct2_folder() as folder:
        model_bin = folder / "model.bin"
        assert not model_bin.is_symlink() and model_bin.stat().st_size == asr_model.MODEL_BIN_SIZE
    assert list(private_tmp.iterdir()) == []


@pytest.mark.slow
def test_checksum_mismatch_is_refused_and_leaves_nothing(monkeypatch, private_tmp):
    monkeypatch.setattr(asr_model, "MODEL_BIN_SHA256", "0" * 64)
    with pytest.raises(TranscribeError, match="empreinte SHA-256"):
        with asr_model.embedded_ct2_folder():
            pytest.fail("a corrupt model must not be loaded")
    assert list(private_tmp.iterdir()) == []
    with pytest.raises(TranscribeError, match="Réinstallez les paquets"):
        asr_model.verify_embedded_model()
    assert asr_model.embedded_model_info().status == "corrompu"


@pytest.mark.slow
def test_info_hashes_the_parts():
    info = asr_model.embedded_model_info()
    assert (info.status, info.size, info.sha256) == ("prêt", asr_model.MODEL_BIN_SIZE, asr_model.MODEL_BIN_SHA256)
    assert info.path == asr_model.embedded_model_path()


def test_resolve_model_errors(tmp_path):
    with pytest.raises(TranscribeError, match="modèle introuvable"):
        asr_model.resolve_model(tmp_path / "absent")
    (tmp_path / "dossier").mkdir()
    with pytest.raises(TranscribeError, match="modèle non reconnu"):
        asr_model.resolve_model(tmp_path / "dossier")
