"""The stress set's audio and criteria (`transcribe/bench/stress.py`), without the model."""

import numpy as np
import pytest

from transcribe.asr.audio import SAMPLE_RATE
from transcribe.bench.stress import (CASE_IDS, checks, longest_run, noise, readings, stress_set, with_noise,
                                     with_silences)

SPOKEN = ["Le patient présente une hypertension artérielle traitée par amlodipine point",
          "L'électrocardiogramme montre une fibrillation atriale point"]


def test_longest_run_counts_words_and_ngrams():
    assert longest_run("a b c".split()) == 1
    assert longest_run("poin poin poin poin poin x".split()) == 5
    assert longest_run("le patient le patient le patient va".split()) == 3
    assert longest_run([]) == 0


def test_readings_count_the_term_as_heard():
    assert readings("Amlodipine, amylodipine. amlodipin ; amodipine amlodipines x") == 5
    assert readings("amiodarone et améthocaïne") == 0


def test_checks_of_a_faithful_transcript():
    raw = ("Le patient présent une hipertension artérielle traité par amlodipine, poing. "
           "L'électrocardiogramme montre une fibrillation atriale, poing.")
    assert checks(raw, SPOKEN) == {"words": 17, "spoken_words": 17, "word_ratio": 1.0, "longest_run": 1,
                                   "missing": [], "ok": True}


def test_checks_find_a_dropped_utterance_and_a_loop():
    dropped = checks("L'électrocardiogramme montre une fibrillation atriale, poing.", SPOKEN)
    assert dropped["missing"] == [SPOKEN[0]] and dropped["word_ratio"] == 0.412 and not dropped["ok"]
    looped = checks(" ".join([SPOKEN[0]] + ["poin,"] * 6 + [SPOKEN[1]]), SPOKEN)
    assert looped["longest_run"] == 6 and looped["missing"] == [] and not looped["ok"]


def test_noise_is_added_at_the_asked_signal_to_noise_ratio():
    rng = np.random.default_rng(1)
    speech = (0.1 * rng.standard_normal(SAMPLE_RATE * 4)).astype(np.float32)
    for colour in ("blanc", "rose", "brun"):
        noisy = with_noise(speech, 10.0, colour=colour)
        snr = 10 * np.log10(np.mean(speech ** 2) / np.mean((noisy - speech) ** 2))
        assert snr == pytest.approx(10.0, abs=0.05), colour
    assert np.array_equal(with_noise(speech), with_noise(speech))  # seeded


def test_noise_colours_have_their_spectral_slope():
    def slope(x):
        power = np.abs(np.fft.rfft(x)) ** 2
        f = np.arange(len(power))
        low, high = power[(f > 100) & (f < 200)].mean(), power[(f > 1000) & (f < 2000)].mean()
        return np.log10(low / high)  # decades of power per decade of frequency

    assert slope(noise(1 << 16, "blanc")) == pytest.approx(0, abs=0.1)
    assert slope(noise(1 << 16, "rose")) == pytest.approx(1, abs=0.1)
    assert slope(noise(1 << 16, "brun")) == pytest.approx(2, abs=0.1)


def test_silences_go_into_the_longest_pauses():
    from transcribe.asr.audio import load_audio
    from transcribe.bundled import audio_dir

    audio = load_audio(audio_dir() / "00-court.flac")
    out = with_silences(audio, 3.0, 1)
    assert len(out) == len(audio) + 3 * SAMPLE_RATE
    silent = np.flatnonzero(np.abs(out) > 0)
    gaps = np.diff(silent)
    at = silent[gaps.argmax()] / SAMPLE_RATE
    assert gaps.max() >= 3 * SAMPLE_RATE and 4.0 < at < 5.5  # between the two sentences (VAD pause at 4.8 s)
    assert np.array_equal(out[: int(at * SAMPLE_RATE)], audio[: int(at * SAMPLE_RATE)])


def test_the_stress_sets_are_made_from_the_bundled_audio():
    short = stress_set()
    assert tuple(c.id for c in short) == CASE_IDS
    by_id = {c.id: c for c in short}
    assert round(by_id["repetee"].duration, 1) == 37.0 and len(by_id["repetee"].spoken) == 8
    assert by_id["silences"].duration < 30  # no VAD removes the silences
    assert by_id["concatenation"].duration > 120
    long = {c.id: c for c in stress_set(long=True)}
    assert long["concatenation"].duration >= 600 and len(long["concatenation"].spoken) == 75
    assert {"bruit_rose", "bruit_blanc"} <= set(long)
