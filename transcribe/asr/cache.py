"""Transcript cache: JSON files keyed by audio content + engine + model + decoding options."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ..files import write_atomic
from . import engines
from .audio import audio_hash
from .commands import apply_commands
from .model import MODEL_BIN_SHA256, cache_dir, resolve_model
from .transcript import Transcript

CACHE_VERSION = 2  # bump when decoding or cleaning changes what a cached transcript holds
NOT_IN_KEY = ("commands",)  # applied after decoding: changing it re-uses the cached decoding


def transcripts_dir() -> Path:
    return cache_dir() / "transcripts"


def model_identity(model) -> str:
    """What identifies a model's weights: the verified hash for the embedded one, else path+size+mtime."""
    kind, path = resolve_model(model)
    if kind == "embedded":
        return f"embedded:{MODEL_BIN_SHA256}"
    target = path / "model.bin" if kind == "ct2" else path
    stat = target.stat()
    return f"{kind}:{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"


def cache_key(path: str | os.PathLike, engine: str, model, options: dict) -> str:
    payload = {
        "version": CACHE_VERSION, "audio": audio_hash(path), "engine": engine,
        "model": model_identity(model),
        "options": {k: v for k, v in sorted(options.items()) if k not in NOT_IN_KEY},
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def load_cached(key: str) -> Transcript | None:
    file = transcripts_dir() / f"{key}.json"
    try:
        return Transcript.from_dict(json.loads(file.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def store(key: str, transcript: Transcript) -> Path:
    return write_atomic(transcripts_dir() / f"{key}.json", json.dumps(transcript.to_dict(), ensure_ascii=False))


def transcribe_cached(path: str | os.PathLike, engine: str = "faster-whisper", model=None,
                      use_cache: bool = True, **options) -> tuple[Transcript, bool]:
    """(transcript, came_from_cache): a re-run on the same audio and settings costs nothing."""
    from .audio import load_audio

    opts = engines.transcription_options(engine=engine, **options)
    commands = opts["commands"]
    if not use_cache:
        return engines.transcribe_audio(path, engine=engine, model=model, **options), False
    load_audio(path)  # bad audio fails here, before any cache lookup
    key = cache_key(path, engine, model, opts)
    cached = load_cached(key)
    if cached is not None:
        cached.text = apply_commands(cached.raw_text) if commands else cached.raw_text
        cached.options["commands"] = commands
        cached.source = str(path)
        return cached, True
    transcript = engines.transcribe_audio(path, engine=engine, model=model, **options)
    store(key, transcript)
    return transcript, False
