"""Read an audio file (wav, flac, ogg, mp3) as 16 kHz mono float32, with French errors."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from ..errors import TranscribeError

SAMPLE_RATE = 16000
SUPPORTED_SUFFIXES = (".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3")
SILENCE_PEAK = 1e-3  # below this peak amplitude (≈ -60 dBFS) a file is considered silent


def audio_hash(path: str | os.PathLike) -> str:
    """SHA-256 of the file's bytes: the transcript cache key's audio part."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def resample(audio: np.ndarray, rate: int, target: int = SAMPLE_RATE) -> np.ndarray:
    """Resample mono float32 audio with libswresample (PyAV), band-limited, no aliasing."""
    if rate == target:
        return audio.astype(np.float32, copy=False)
    import av

    resampler = av.AudioResampler(format="flt", layout="mono", rate=target)
    frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(audio, dtype=np.float32)[None, :],
                                       format="flt", layout="mono")
    frame.sample_rate = rate
    chunks = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)


def _read_soundfile(path: Path) -> tuple[np.ndarray, int] | None:
    import soundfile as sf

    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except Exception:  # libsndfile cannot read it: PyAV may
        return None
    return data.mean(axis=1), int(rate)


def _read_pyav(path: Path) -> np.ndarray | None:
    from faster_whisper.audio import decode_audio

    try:
        return decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception:
        return None


def load_audio(path: str | os.PathLike, check_silence: bool = True) -> np.ndarray:
    """The file as 16 kHz mono float32; TranscribeError when missing, empty, corrupt or silent."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise TranscribeError(
            f"format audio non pris en charge : {suffix or '(sans extension)'} "
            f"(formats acceptés : {', '.join(s for s in SUPPORTED_SUFFIXES)}).", path)
    if not path.is_file():
        raise TranscribeError("fichier audio introuvable.", path)
    if path.stat().st_size == 0:
        raise TranscribeError("fichier audio vide.", path)
    read = _read_soundfile(path)
    if read is not None:
        audio = resample(read[0], read[1])
    else:
        audio = _read_pyav(path)
        if audio is None:
            raise TranscribeError("fichier audio illisible ou corrompu.", path)
    if audio.size == 0:
        raise TranscribeError("fichier audio vide (aucun échantillon).", path)
    if not np.all(np.isfinite(audio)):
        raise TranscribeError("fichier audio illisible ou corrompu (valeurs invalides).", path)
    if check_silence and float(np.max(np.abs(audio))) < SILENCE_PEAK:
        raise TranscribeError("aucun son détecté (silence).", path)
    return audio


def as_audio(source, check_silence: bool = True) -> np.ndarray:
    """A path or an array (already 16 kHz mono) as float32 16 kHz mono."""
    if isinstance(source, np.ndarray):
        audio = source.astype(np.float32, copy=False)
        if audio.ndim == 2:
            audio = audio.mean(axis=1 if audio.shape[1] <= 8 else 0)
        if audio.size == 0:
            raise TranscribeError("signal audio vide.")
        if check_silence and float(np.max(np.abs(audio))) < SILENCE_PEAK:
            raise TranscribeError("aucun son détecté (silence).")
        return audio
    return load_audio(source, check_silence=check_silence)
