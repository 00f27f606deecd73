"""The stress set: bundled dictations made hard for Whisper, and what a transcript of them must show.

Made at run time from the bundled audio (nothing more is shipped), each case knows the exact
words spoken (the ``.dictee.txt`` of its parts, one utterance a line):

- ``repetee``: a clip read again and again (00-court four times, 37 s: the reading Whisper
  made into 13 « amlodipine » and a « poin, poin… » loop);
- ``silences``: long silences inside a dictation (00-court with 8 s after each sentence,
  under 30 s so that no VAD removes them; the long set: 14-ordonnance with 12 s at three
  pauses);
- ``bruit``: noise at 10 dB signal-to-noise ratio over the active speech (seeded): brown
  noise (a low rumble, the ventilation of an office); the long set adds pink noise (1/f, where
  whisper-base drops utterances that the guards recover) and white noise, which defeats
  whisper-base on these synthetic voices from 20 dB on, guards or not: its row shows the
  model's limit rather than a guard's criterion;
- ``concatenation``: dictations end to end (the long set: 01 to 07, 10.5 min; the short set:
  04 and 14, 2.3 min).

`checks` says, for a transcript of a case: the longest run of a repeated word or n-gram,
the word count against the spoken text's (commands applied), and which spoken utterances
are missing (fewer than `PRESENT_SHARE` of their words found in the alignment). The issue's
bounds: a run of at most 4, a word count within 20 %, no utterance missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..asr.audio import SAMPLE_RATE, load_audio
from ..bundled import audio_dir

MAX_RUN = 4
WORD_RATIO = (0.8, 1.2)
PRESENT_SHARE = 0.2  # of an utterance's words found: it was heard (correct transcripts: 0.22 at least)
NOISE_SNR_DB = 10.0
FRAME = SAMPLE_RATE // 50  # 20 ms
NOISE_EXPONENT = {"blanc": 0, "rose": 1, "brun": 2}  # power spectrum ∝ 1/f^exponent
CASE_IDS = ("repetee", "silences", "bruit", "concatenation")  # the long set adds bruit_rose, bruit_blanc
SHORT_CONCAT = ("04-pediatrie-consultation", "14-ordonnance")
LONG_CONCAT = tuple(f"0{i}-{n}" for i, n in enumerate(
    ["cardiologie-consultation", "pneumologie-consultation", "neurologie-consultation", "pediatrie-consultation",
     "echographie-abdominale", "scanner-thoracique", "irm-genou"], start=1))


@dataclass
class StressCase:
    id: str
    description: str  # in French: shown in the benchmark's table
    audio: np.ndarray
    spoken: list[str] = field(default_factory=list)  # the utterances, commands spoken

    @property
    def duration(self) -> float:
        return len(self.audio) / SAMPLE_RATE

    @property
    def spoken_text(self) -> str:
        return "\n".join(self.spoken)


def _dictation(name: str) -> tuple[np.ndarray, list[str]]:
    folder = audio_dir()
    lines = (folder / f"{name}.dictee.txt").read_text(encoding="utf-8").splitlines()
    return load_audio(folder / f"{name}.flac"), [line.strip() for line in lines if line.strip()]


def _silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), np.float32)


def with_silences(audio: np.ndarray, seconds: float, count: int) -> np.ndarray:
    """``count`` silences of ``seconds`` inserted at the longest pauses (Silero VAD), or at the end."""
    from ..asr.guards import speech_intervals

    speech = speech_intervals(audio)
    pauses = sorted(((b[0] - a[1], (a[1] + b[0]) / 2) for a, b in zip(speech, speech[1:])), reverse=True)
    cuts = sorted(int(mid * SAMPLE_RATE) for _, mid in pauses[:count])
    parts, last = [], 0
    for cut in cuts:
        parts += [audio[last:cut], _silence(seconds)]
        last = cut
    parts.append(audio[last:])
    if len(cuts) < count:
        parts.append(_silence(seconds))
    return np.concatenate(parts)


def noise(n: int, colour: str = "brun", seed: int = 0) -> np.ndarray:
    """``n`` samples of unit-variance noise: ``blanc`` (flat spectrum), ``rose`` (1/f), ``brun`` (1/f²)."""
    white = np.random.default_rng(seed).standard_normal(n)
    if colour == "blanc" or n < 2:
        return white
    spectrum = np.fft.rfft(white)
    freqs = np.arange(len(spectrum), dtype=float)
    freqs[0] = 1.0
    spectrum[0] = 0.0  # no constant offset
    shaped = np.fft.irfft(spectrum / freqs ** (NOISE_EXPONENT[colour] / 2), n)
    return shaped / np.sqrt(np.mean(np.square(shaped)))


def speech_power(audio: np.ndarray) -> float:
    """Mean power of the active 20 ms frames (RMS above -50 dBFS): the level of the speech, not of its pauses."""
    frames = audio[: len(audio) // FRAME * FRAME].reshape(-1, FRAME).astype(np.float64)
    power = np.mean(np.square(frames), axis=1)
    active = power[power > 10 ** (-50 / 10)]
    return float(active.mean()) if len(active) else 0.0


def with_noise(audio: np.ndarray, snr_db: float = NOISE_SNR_DB, colour: str = "brun", seed: int = 0) -> np.ndarray:
    """Noise at ``snr_db`` below the speech's power (`speech_power`), seeded."""
    power = speech_power(audio)
    added = noise(len(audio), colour, seed) * np.sqrt(power / 10 ** (snr_db / 10))
    return np.clip(audio + added, -1.0, 1.0).astype(np.float32)


def stress_set(long: bool = False) -> list[StressCase]:
    """The cases of `CASE_IDS`; ``long``: the benchmark's versions (longer dictations, the
    10-minute file) and the two noises beyond the model."""
    short, short_spoken = _dictation("00-court")
    cases = [StressCase("repetee", "00-court lu quatre fois", np.concatenate([short] * 4), short_spoken * 4)]
    if long:
        ordonnance, ordonnance_spoken = _dictation("14-ordonnance")
        pediatrie, pediatrie_spoken = _dictation("04-pediatrie-consultation")
        cases += [StressCase("silences", "14-ordonnance, 3 silences de 12 s", with_silences(ordonnance, 12.0, 3),
                             ordonnance_spoken),
                  StressCase("bruit", "04-pediatrie, bruit brun à 10 dB", with_noise(pediatrie), pediatrie_spoken)]
    else:
        cases += [StressCase("silences", "00-court, 8 s de silence après chaque phrase", with_silences(short, 8.0, 2),
                             short_spoken),
                  StressCase("bruit", "00-court, bruit brun à 10 dB", with_noise(short), short_spoken)]
    parts = [_dictation(name) for name in (LONG_CONCAT if long else SHORT_CONCAT)]
    cases.append(StressCase("concatenation", f"{len(parts)} dictées bout à bout",
                            np.concatenate([a for a, _ in parts]), [line for _, lines in parts for line in lines]))
    if long:  # harder noises: pink (passes with the guards, not without), white (beyond the model)
        cases += [StressCase("bruit_rose", "04-pediatrie, bruit rose à 10 dB", with_noise(pediatrie, colour="rose"),
                             pediatrie_spoken),
                  StressCase("bruit_blanc", "04-pediatrie, bruit blanc à 10 dB (limite du modèle)",
                             with_noise(pediatrie, colour="blanc"), pediatrie_spoken)]
    return cases


def readings(text: str, term: str = "amlodipine") -> int:
    """How many times ``term`` was heard: one letter off counts (« amylodipine », openai-whisper's
    spelling without a word list, is the term read, not a reading lost)."""
    import re

    from rapidfuzz.distance import Levenshtein

    return sum(Levenshtein.distance(w, term) <= 1 for w in re.findall(r"\w+", text.lower()))


def longest_run(words: list[str], max_n: int = 8) -> int:
    """The most consecutive repetitions of one word or n-gram (n ≤ ``max_n``) in ``words``."""
    best = 1 if words else 0
    for n in range(1, max_n + 1):
        for i in range(len(words) - 2 * n + 1):
            reps = 1
            while words[i + reps * n:i + (reps + 1) * n] == words[i:i + n]:
                reps += 1
            best = max(best, reps)
    return best


def checks(raw_text: str, spoken: list[str]) -> dict:
    """The stress criteria of Whisper's own text (before dictated commands become symbols)
    against the spoken utterances, both in the lenient view (commands are words in both)."""
    from ..alignment import align_keys
    from ..views import lenient_words, text_items

    hyp = lenient_words(text_items(raw_text))
    lines = [lenient_words(text_items(line)) for line in spoken]
    ref = [w for line in lines for w in line]
    hit = [False] * len(ref)
    for chunk in align_keys(ref, hyp):
        if chunk.type == "equal":
            hit[chunk.ref_start_idx:chunk.ref_end_idx] = [True] * (chunk.ref_end_idx - chunk.ref_start_idx)
    missing, start = [], 0
    for line, words in zip(spoken, lines):
        found = sum(hit[start:start + len(words)])
        if words and found < PRESENT_SHARE * len(words):
            missing.append(line)
        start += len(words)
    ratio = len(hyp) / len(ref) if ref else float(bool(hyp))
    run = longest_run(hyp)
    return {"words": len(hyp), "spoken_words": len(ref), "word_ratio": round(ratio, 3), "longest_run": run,
            "missing": missing,
            "ok": run <= MAX_RUN and WORD_RATIO[0] <= ratio <= WORD_RATIO[1] and not missing}
