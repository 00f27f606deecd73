"""Real model on real audio: faster-whisper, and openai-whisper through the converter (same words)."""

import re
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from transcribe.asr import model as asr_model
from transcribe.asr.engines import transcribe_audio

ROOT = Path(__file__).resolve().parent.parent
SHORT = ROOT / "audio_samples" / "00-court.flac"
VOCABULARY = ["hypertension artérielle", "amlodipine", "électrocardiogramme", "fibrillation atriale"]

pytestmark = pytest.mark.slow


@pytest.fixture
def embedded():
    """The embedded model's path (read in place; openai-whisper's conversion goes to the session's cache)."""
    return asr_model.embedded_model_path()


def words(transcript):
    return [re.sub(r"[^\w'-]", "", w.word.lower()) for w in transcript.words]


def test_faster_whisper_default_with_biasing():
    t = transcribe_audio(SHORT, vocabulary=VOCABULARY)
    assert t.engine == "faster-whisper" and t.model == "whisper-base (embarqué)"
    assert t.options["compute_type"] == "int8" and t.options["temperature"] == [0.0]
    assert t.options["hotwords"] == ", ".join(VOCABULARY)
    # the terms are heard; one letter may differ with the CPU's kernels (« atrial » under
    # CT2_FORCE_CPU_ISA=GENERIC), but not in the rarest words of the list
    heard = re.findall(r"\w+", t.text.lower())
    for key in ("patient", "présente", "artérielle", "amlodipine", "électrocardiogramme", "fibrillation", "atriale"):
        assert any(Levenshtein.distance(key, w) <= 1 for w in heard), (key, t.text)
    assert "amlodipine" in heard and "électrocardiogramme" in t.text.lower()
    # the dictated « point » became a full stop, twice; no command word is left
    assert t.text.endswith(".") and t.text.count(".") == 2
    assert not re.search(r"\bpoin[tg]\b", t.text.lower())
    assert 9 < t.duration <= 12 and t.elapsed > 0
    assert all(0 <= w.probability <= 1 and w.start <= w.end for w in t.words)
    assert len(t.segments) >= 1 and t.segments[-1].end <= t.duration + 0.5


def test_engines_give_the_same_words_at_beam_1():
    pytest.importorskip("whisper")
    fw = transcribe_audio(SHORT, engine="faster-whisper", beam_size=1, compute_type="float32", commands=False)
    ow = transcribe_audio(SHORT, engine="openai-whisper", beam_size=1, commands=False)
    assert ow.options["compute_type"] == "float32"
    assert words(fw) == words(ow)
    assert fw.raw_text == ow.raw_text
    for a, b in zip(fw.words, ow.words):
        assert abs(a.probability - b.probability) < 0.02
        assert abs(a.start - b.start) <= 0.1


def test_faster_whisper_prompt_keeps_room_for_the_text(embedded):
    from faster_whisper.tokenizer import Tokenizer

    from transcribe.asr.biasing import build_prompt
    from transcribe.asr.engines import load_faster_whisper

    model = load_faster_whisper(str(embedded), "cpu", "int8")
    tokenizer = Tokenizer(model.hf_tokenizer, True, task="transcribe", language="fr")
    hotwords = build_prompt([f"médicament{i}" for i in range(200)])
    previous = list(range(1000, 1400))  # 400 tokens of earlier text
    prompt = model.get_prompt(tokenizer, previous, hotwords=hotwords)
    sot = list(tokenizer.sot_sequence)
    assert prompt[-len(sot):] == sot
    assert len(prompt) - len(sot) <= 224  # sot_prev + vocabulary + previous text ≤ half the context
    assert prompt[-len(sot) - 1] == previous[-1]  # the most recent text is what is kept


def test_batched_pipeline_is_an_option_sequential_decoding_the_default():
    """``batch_size`` (asr --lot N) decodes the speech chunks of a long audio side by side; the
    default stays sequential (the batched pipeline lost 4.5 WER points with the specialty list)."""
    import numpy as np

    from transcribe.asr.audio import load_audio
    from transcribe.asr.engines import VAD_AUTO_SECONDS, transcription_options

    clip = load_audio(SHORT)
    long = np.concatenate([clip] * 4)  # about 38 s: the dictation read four times
    assert len(long) / 16000 > VAD_AUTO_SECONDS
    batched = transcribe_audio(long, beam_size=1, vocabulary=VOCABULARY, batch_size=8)
    assert batched.options["batch_size"] == 8 and batched.options["vad"] is True
    assert 3 <= batched.text.lower().count("amlodipine") <= 5  # four readings (a word may be misheard)
    # sequential decoding is the default (its readings, guards on: tests/test_asr_stress.py)
    assert "batch_size" not in transcription_options(engine="faster-whisper", beam_size=1, vocabulary=VOCABULARY)
