"""Audio input: formats, resampling, and a French error naming the file for every bad case."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from transcribe.asr.audio import SAMPLE_RATE, load_audio
from transcribe.errors import TranscribeError

ROOT = Path(__file__).resolve().parent.parent
SHORT = ROOT / "audio_samples" / "00-court.flac"


def tone(seconds=1.0, rate=44100, channels=2, amplitude=0.5):
    t = np.arange(int(seconds * rate)) / rate
    wave = (amplitude * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    return np.stack([wave] * channels, axis=1), rate


def error_of(path):
    with pytest.raises(TranscribeError) as info:
        load_audio(path)
    return info.value


def test_bundled_sample_is_16k_mono_float32():
    audio = load_audio(SHORT)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert 9.0 < len(audio) / SAMPLE_RATE <= 12.0


@pytest.mark.parametrize("suffix, fmt", [(".wav", "WAV"), (".flac", "FLAC"), (".ogg", "OGG"), (".mp3", "MP3")])
def test_formats_are_resampled_to_16k_mono(tmp_path, suffix, fmt):
    data, rate = tone()
    path = tmp_path / f"tone{suffix}"
    sf.write(path, data, rate, format=fmt)
    audio = load_audio(path)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert abs(len(audio) - SAMPLE_RATE) < 0.05 * SAMPLE_RATE
    spectrum = np.abs(np.fft.rfft(audio[2000:14000]))
    assert abs(np.argmax(spectrum) * SAMPLE_RATE / 12000 - 440) < 5  # the tone survives resampling


def test_missing_file(tmp_path):
    path = tmp_path / "absent.wav"
    assert str(error_of(path)) == f"{path} : fichier audio introuvable."


def test_empty_file(tmp_path):
    path = tmp_path / "vide.flac"
    path.write_bytes(b"")
    assert str(error_of(path)) == f"{path} : fichier audio vide."


def test_file_without_samples(tmp_path):
    path = tmp_path / "zero.wav"
    sf.write(path, np.zeros((0, 1), np.float32), 16000)
    assert str(error_of(path)) == f"{path} : fichier audio vide (aucun échantillon)."


def test_corrupt_file(tmp_path):
    path = tmp_path / "corrompu.wav"
    path.write_bytes(b"RIFF\x00\x00\x00\x00WAVEgarbage" + bytes(range(256)) * 4)
    assert str(error_of(path)) == f"{path} : fichier audio illisible ou corrompu."


def test_silent_file(tmp_path):
    path = tmp_path / "silence.wav"
    sf.write(path, np.zeros(SAMPLE_RATE, np.float32), SAMPLE_RATE)
    error = error_of(path)
    assert str(error) == f"{path} : aucun son détecté (silence)."
    assert error.path == path


def test_unsupported_extension(tmp_path):
    path = tmp_path / "dictee.xyz"
    path.write_bytes(b"data")
    assert str(error_of(path)) == (f"{path} : format audio non pris en charge : .xyz "
                                   "(formats acceptés : .wav, .flac, .ogg, .oga, .opus, .mp3).")
