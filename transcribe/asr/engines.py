"""faster-whisper (CTranslate2) and openai-whisper (PyTorch) behind one `transcribe_audio`.

``PROGRESS`` (a context variable): set to a function, it is called with the share of the
audio decoded so far (0..1) each time faster-whisper yields a segment (its end time over the
audio's duration; not during the guards' re-decoding of a piece); openai-whisper returns all
its segments at once and calls nothing.
"""

from __future__ import annotations

import contextvars
import functools
import os
import time
from pathlib import Path

import numpy as np

from ..errors import TranscribeError
from .audio import SAMPLE_RATE, as_audio
from .biasing import build_prompt, clean_segments
from .commands import apply_commands
from .convert import ensure_converted, load_whisper_checkpoint
from .extras import OPENAI_INSTALL_HINT, require_openai_whisper
from .guards import guard
from .model import resolve_model
from .transcript import Segment, Transcript, Word

ENGINES = ("faster-whisper", "openai-whisper")
PROGRESS: contextvars.ContextVar = contextvars.ContextVar("transcription_progress", default=None)
VAD_AUTO_SECONDS = 30.0  # VAD is switched on automatically above this duration
# ``batch_size`` (``asr --lot N``) is an option, not the default: on 2 idle cores the batched
# pipeline decoded the bundled dictations 1.6x faster at beam 5, but with the specialty's word
# list (what a hospital deploys) its WER was 4.5 points worse than sequential decoding (paired
# over the 15 dictations, Wilcoxon p = 0.012; docs/bench.md).


def default_device() -> str:
    try:
        import ctranslate2

        return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    except Exception:
        return "cpu"


def default_cpu_threads() -> int:
    """CTranslate2 threads: $TRANSCRIBE_CPU_THREADS (a Ray worker sets it), else every core."""
    try:
        return max(0, int(os.environ.get("TRANSCRIBE_CPU_THREADS") or 0)) or os.cpu_count() or 0
    except ValueError:
        return os.cpu_count() or 0


@functools.lru_cache(maxsize=4)
def load_faster_whisper(path: str, device: str, compute_type: str, cpu_threads: int | None = None):
    """A faster-whisper model, loaded once per process (``cpu_threads``: all cores when None)."""
    from faster_whisper import WhisperModel

    class DictationWhisperModel(WhisperModel):
        """Vocabulary (hotwords) + previous text kept within half the context, as openai-whisper's
        carry_initial_prompt does; faster-whisper alone lets them fill up to ~400 of the 448
        tokens, leaving too little room to write a 30 s window of dense dictation."""

        def get_prompt(self, tokenizer, previous_tokens, without_timestamps=False, prefix=None, hotwords=None):
            if hotwords and previous_tokens and not prefix:
                budget = self.max_length // 2 - 1 - len(tokenizer.encode(" " + hotwords.strip()))
                previous_tokens = previous_tokens[-budget:] if budget > 0 else []
            return super().get_prompt(tokenizer, previous_tokens, without_timestamps=without_timestamps,
                                      prefix=prefix, hotwords=hotwords)

    from .model import ct2_folder

    with ct2_folder(path) as folder:  # the embedded model is read in place, for the time of the load
        return DictationWhisperModel(str(folder), device=device, compute_type=compute_type,
                                     cpu_threads=cpu_threads or default_cpu_threads())


@functools.lru_cache(maxsize=2)
def load_openai_whisper(path: str, device: str):
    """An openai-whisper model from a checkpoint, alignment heads applied, loaded once per process."""
    return load_whisper_checkpoint(path, device=device)


def model_label(kind: str, path: Path) -> str:
    return "whisper-base (embarqué)" if kind == "embedded" else str(path)


def _r(value, digits: int = 2):
    """A plain rounded float (engines return numpy scalars), None kept."""
    return None if value is None else round(float(value), digits)


def load_engine(engine: str, model_path: Path, opts: dict):
    """Load (once per process) the model an engine will use, outside the timed part."""
    if engine == "faster-whisper":
        return load_faster_whisper(str(model_path), opts["device"], opts["compute_type"], opts.get("cpu_threads"))
    require_openai_whisper()
    return load_openai_whisper(str(model_path), "cuda" if opts["device"] == "cuda" else "cpu")


def _speech_only(audio: np.ndarray):
    """Audio reduced to its speech parts (Silero VAD from faster-whisper) and the time map back."""
    from faster_whisper.vad import SpeechTimestampsMap, VadOptions, collect_chunks, get_speech_timestamps

    chunks = get_speech_timestamps(audio, VadOptions())
    if not chunks:
        return audio[:0], None
    pieces, _ = collect_chunks(audio, chunks)
    return np.concatenate(pieces), SpeechTimestampsMap(chunks, SAMPLE_RATE)


def _run_faster_whisper(audio, model_path: Path, opts: dict) -> list[Segment]:
    device = opts["device"]
    model = load_faster_whisper(str(model_path), device, opts["compute_type"], opts.get("cpu_threads"))
    kwargs = dict(
        language=opts["language"],
        task="transcribe",
        beam_size=opts["beam_size"],
        temperature=list(opts["temperature"]),
        compression_ratio_threshold=opts["compression_ratio_threshold"],
        log_prob_threshold=opts["log_prob_threshold"],
        no_speech_threshold=opts["no_speech_threshold"],
        condition_on_previous_text=opts["condition_on_previous_text"],
        initial_prompt=opts.get("previous_text") or opts["initial_prompt"],  # previous_text: a guard's piece
        hotwords=opts["hotwords"],  # prepended to every 30 s window: the carried vocabulary
        word_timestamps=opts["word_timestamps"],
        vad_filter=opts["vad"],
    )
    if opts.get("batch_size"):
        # faster-whisper's batched pipeline: speech chunks (VAD, always on) decoded side by side,
        # each without the previous chunk's text; the vocabulary still goes to every chunk.
        from faster_whisper import BatchedInferencePipeline

        kwargs.update(vad_filter=True, without_timestamps=not opts["word_timestamps"], batch_size=opts["batch_size"])
        segments, _info = BatchedInferencePipeline(model).transcribe(audio, **kwargs)
    else:
        segments, _info = model.transcribe(audio, **kwargs)
    out = []
    progress, duration = PROGRESS.get(), len(audio) / SAMPLE_RATE
    for i, seg in enumerate(segments):
        words = [Word(_r(w.start), _r(w.end), w.word, _r(w.probability, 4)) for w in (seg.words or [])]
        out.append(Segment(i, _r(seg.start), _r(seg.end), seg.text, words,
                           _r(seg.avg_logprob, 4), _r(seg.compression_ratio, 4), _r(seg.no_speech_prob, 4)))
        if progress is not None and duration > 0:
            progress(min(1.0, float(seg.end) / duration))
    return out


def _run_openai_whisper(audio, model_path: Path, opts: dict) -> list[Segment]:
    try:
        import whisper
    except ImportError as exc:
        raise TranscribeError(OPENAI_INSTALL_HINT) from exc
    device = "cuda" if opts["device"] == "cuda" else "cpu"
    model = load_openai_whisper(str(model_path), device)
    time_map = None
    if opts["vad"]:
        audio, time_map = _speech_only(audio)
        if time_map is None:
            return []
    prompt = opts["initial_prompt"] or opts["hotwords"]
    carry = bool(prompt and opts["hotwords"] and not opts["initial_prompt"])
    if opts.get("previous_text"):  # a guard's piece (one window): the vocabulary, then the text kept before it
        prompt, carry = " ".join(p for p in (opts["hotwords"], opts["previous_text"]) if p), False
    result = whisper.transcribe(
        model,
        audio,
        verbose=None,
        language=opts["language"],
        task="transcribe",
        temperature=tuple(opts["temperature"]),
        beam_size=opts["beam_size"] if opts["beam_size"] > 1 else None,  # None: greedy, as CTranslate2
        compression_ratio_threshold=opts["compression_ratio_threshold"],
        logprob_threshold=opts["log_prob_threshold"],
        no_speech_threshold=opts["no_speech_threshold"],
        condition_on_previous_text=opts["condition_on_previous_text"],
        initial_prompt=prompt,
        carry_initial_prompt=carry,
        word_timestamps=opts["word_timestamps"],
        fp16=device == "cuda",
    )

    def t(value: float, is_end: bool = False) -> float:
        return _r(time_map.get_original_time(value, is_end=is_end) if time_map else value)

    out = []
    for i, seg in enumerate(result["segments"]):
        words = [Word(t(w["start"]), t(w["end"], True), w["word"], _r(w["probability"], 4))
                 for w in seg.get("words", [])]
        out.append(Segment(i, t(seg["start"]), t(seg["end"], True), seg["text"], words,
                           _r(seg.get("avg_logprob"), 4), _r(seg.get("compression_ratio"), 4),
                           _r(seg.get("no_speech_prob"), 4)))
    return out


def resolve_engine_model(engine: str, model: str | os.PathLike | None) -> tuple[Path, str]:
    """The model file/folder an engine will load, and its label (converting for openai-whisper)."""
    if engine not in ENGINES:
        raise TranscribeError(f"moteur inconnu : {engine} (choix : {', '.join(ENGINES)}).")
    if engine == "openai-whisper":
        require_openai_whisper()  # before any work on the model
    kind, path = resolve_model(model)
    label = model_label(kind, path)
    if engine == "faster-whisper":
        if kind == "pt":
            raise TranscribeError("faster-whisper demande un modèle CTranslate2 (dossier avec model.bin), "
                                  "pas un fichier .pt.", path)
        return path, label
    return (path if kind == "pt" else ensure_converted(path)), label


def transcription_options(*, engine: str, beam_size: int = 5, language: str = "fr",
                          vocabulary: list[str] | None = None, initial_prompt: str | None = None,
                          hotwords: str | None = None, word_timestamps: bool = True,
                          vad: bool | None = None, temperature: float | tuple[float, ...] = 0.0,
                          device: str | None = None, compute_type: str | None = None,
                          condition_on_previous_text: bool = True, commands: bool = True,
                          compression_ratio_threshold: float = 2.4, log_prob_threshold: float = -1.0,
                          no_speech_threshold: float = 0.6, cpu_threads: int | None = None,
                          batch_size: int | None = None, guards: bool = True) -> dict:
    """Every option that changes the transcript, as a plain dict (also the cache key).

    ``cpu_threads`` pins CTranslate2's thread count (a reproducible draft needs it);
    ``batch_size`` (faster-whisper only) uses its batched pipeline, 0 or None decodes
    sequentially; ``guards`` re-decodes the windows whose text the audio cannot hold or whose
    speech got no text (`guards.py`; needs the word timings). Options added later enter the
    dict only when given, so that earlier cache keys and recorded drafts stay valid; ``guards``
    is always there (a recorded draft without it was decoded without guards)."""
    if beam_size < 1:
        raise TranscribeError("la largeur de faisceau (--beam) doit être au moins 1.")
    device = device or default_device()
    if compute_type is None:
        # faster-whisper: int8 on CPU. On 2 idle AVX2 cores without VNNI, float32 decoded 1.2x
        # faster at the same WER over the 15 dictations (paired, docs/bench.md) but takes 240 MB
        # more; CPUs with int8 instructions favour int8. `asr --calcul float32` chooses it.
        compute_type = ("float16" if device == "cuda" else "int8") if engine == "faster-whisper" else (
            "float16" if device == "cuda" else "float32")
    prompt = build_prompt(vocabulary) if vocabulary else None
    temps = tuple(float(x) for x in (temperature if isinstance(temperature, (tuple, list)) else (temperature,)))
    opts = {
        "language": language, "beam_size": int(beam_size), "temperature": list(temps),
        "initial_prompt": initial_prompt, "hotwords": hotwords or prompt,
        "word_timestamps": word_timestamps, "vad": vad, "device": device, "compute_type": compute_type,
        "condition_on_previous_text": condition_on_previous_text, "commands": commands,
        "compression_ratio_threshold": compression_ratio_threshold,
        "log_prob_threshold": log_prob_threshold, "no_speech_threshold": no_speech_threshold,
        "guards": bool(guards),
    }
    if cpu_threads is not None:
        if int(cpu_threads) < 1:
            raise TranscribeError("le nombre de fils de calcul (cpu_threads) doit être au moins 1.")
        opts["cpu_threads"] = int(cpu_threads)
    if batch_size is not None and int(batch_size) < 0:
        raise TranscribeError("la taille de lot (--lot) doit être positive ou nulle (0 : décodage séquentiel).")
    if batch_size:
        opts["batch_size"] = int(batch_size)
    return opts


def _unreported(runner, *args):
    """A guard's re-decoding of a piece: its segments' times are the piece's, not the audio's."""
    token = PROGRESS.set(None)
    try:
        return runner(*args)
    finally:
        PROGRESS.reset(token)


def transcribe_audio(source, engine: str = "faster-whisper", model: str | os.PathLike | None = None,
                     **options) -> Transcript:
    """Transcribe a file path or a 16 kHz mono array; see `transcription_options` for the knobs."""
    opts = transcription_options(engine=engine, **options)
    audio = as_audio(source)
    duration = len(audio) / SAMPLE_RATE
    model_path, label = resolve_engine_model(engine, model)
    run_opts = dict(opts, vad=opts["vad"] if opts["vad"] is not None else duration > VAD_AUTO_SECONDS)
    load_engine(engine, model_path, run_opts)
    start = time.perf_counter()
    runner = _run_faster_whisper if engine == "faster-whisper" else _run_openai_whisper
    segments = runner(audio, model_path, run_opts)
    squeezed: list[str] = []
    guarded = opts["guards"] and opts["word_timestamps"]
    if guarded:
        safer = dict(run_opts, batch_size=None)
        segments, redecoded, squeezed = guard(audio, segments, lambda piece, o: _unreported(runner, piece, model_path, o),
                                              safer)
        run_opts["redecoded"] = [r.to_dict() for r in redecoded]
    elapsed = time.perf_counter() - start
    segments, dropped = clean_segments(segments, run_opts["initial_prompt"] or run_opts["hotwords"], timed=guarded)
    dropped = squeezed + dropped
    raw = " ".join(s.text.strip() for s in segments if s.text.strip())
    text = apply_commands(raw) if opts["commands"] else raw
    return Transcript(text=text, segments=segments, engine=engine, model=label, language=opts["language"],
                      options=run_opts, duration=round(duration, 3), elapsed=round(elapsed, 3), raw_text=raw,
                      source=None if isinstance(source, np.ndarray) else str(source), dropped=dropped)
