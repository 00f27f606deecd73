"""Speech-recognition drafts for the post-editing exercise, and the settings that made them.

A draft is a plain text file, ``<id>.brouillon.txt`` beside the exercise's reference: what a
speech-recognition system produced for the dictation, to be proof-read, corrected and laid
out by the learner. A draft made by the toolkit has a sidecar, ``<id>.brouillon.toml``,
recording *everything that determines its text* — engine, model and its SHA-256, every
decoding option (beam, temperature without fallback, compute type, a pinned number of CPU
threads, VAD resolved to on/off, dictated commands, language, the guards) and the verbatim
vocabulary string given to the decoder — so that ``tools/make_drafts.py`` regenerates it from
those settings, not from whatever today's defaults are, and the CPU it was decoded on
(``[machine]``), with the windows the guards re-decoded (``[[redecoded]]``). On the same kind
of CPU the text comes back byte for byte; on another, the int8 kernels chosen for it change
some words, so a regenerated draft counts as the same when its lenient WER against the shipped
one is at most `DRAFT_MAX_WER`. A draft brought by a trainer (the hospital's own software) is
just the text file, without a sidecar.

A draft file is never an exercise: exercise ids are file stems without a dot.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import platform
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import TranscribeError
from .files import write_atomic

DRAFT_SUFFIX = ".brouillon.txt"
SETTINGS_SUFFIX = ".brouillon.toml"
DRAFT_CPU_THREADS = 2  # pinned: CTranslate2's sums may differ with another thread count
DRAFT_BEAM = 5
HEADER = (
    "# Réglages de reconnaissance vocale qui ont produit le brouillon {name}.\n"
    "# Écrit par « transcribe draft » ; « python tools/make_drafts.py » le régénère à partir de ces\n"
    "# réglages (à l'identique sur le même type de processeur). Ne pas modifier à la main.\n"
)
# Decoding options recorded in [decoding], in this order (the keys of asr.engines.transcription_options).
DECODING_KEYS = (
    "language", "beam_size", "temperature", "compute_type", "device", "cpu_threads", "vad", "commands",
    "word_timestamps", "condition_on_previous_text", "compression_ratio_threshold", "log_prob_threshold",
    "no_speech_threshold", "initial_prompt", "hotwords", "batch_size", "guards",
)
PROMPT_KEYS = ("initial_prompt", "hotwords")  # None is written as "" (TOML has no null)
# The vector instruction sets whose kernels (CTranslate2's, oneDNN's int8 products) change a
# few words of a transcript: recorded with a draft, printed by tools/cpu_isa.py and .ci/run.
ISA_FLAGS = ("sse4_2", "avx", "avx2", "fma", "f16c", "avx_vnni", "avx512f", "avx512bw", "avx512vl",
             "avx512_vnni", "avx512_bf16", "amx_int8", "asimd", "sve")
ISA_VARIABLES = ("CT2_FORCE_CPU_ISA", "ONEDNN_MAX_CPU_ISA")
CPUINFO = "/proc/cpuinfo"
# A regenerated draft may differ from the shipped one by this lenient WER and still be "the
# same draft": the int8 kernels chosen for another CPU change some words, and Whisper carries
# a changed word into the next windows (up to 0.37 measured: docs/post-edition.md,
# « Reproducibility across CPUs »).
DRAFT_MAX_WER = 0.5


def is_draft_path(path: str | Path) -> bool:
    """A draft text or its settings file (never to be taken for an exercise)."""
    name = Path(path).name
    return name.endswith(DRAFT_SUFFIX) or name.endswith(SETTINGS_SUFFIX)


def draft_path(reference: str | Path) -> Path:
    """Where an exercise's draft lives: ``<id>.brouillon.txt`` beside its reference ``<id>.txt``."""
    reference = Path(reference)
    return reference.with_name(reference.stem + DRAFT_SUFFIX)


def settings_path(draft: str | Path) -> Path:
    """The sidecar of a draft text: ``x.brouillon.txt`` → ``x.brouillon.toml`` (``x.txt`` → ``x.toml``)."""
    return Path(draft).with_suffix(".toml")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return ""


@dataclass
class DraftSettings:
    """What made a draft: enough to make it again."""

    engine: str
    model: str  # "embedded", or the path of another local model
    model_sha256: str
    decoding: dict  # transcription_options, VAD resolved, prompts verbatim
    audio: str = ""  # file name of the dictation
    audio_sha256: str = ""
    exercise: str = ""
    text_sha256: str = ""  # of the draft file's bytes
    versions: dict = field(default_factory=dict)
    redecoded: list = field(default_factory=list)  # windows the guards re-decoded (asr/guards.py), as recorded
    machine: dict = field(default_factory=dict)  # where the text was decoded (`machine_info`)

    def transcription_kwargs(self) -> dict:
        """Keyword arguments for ``asr.cache.transcribe_cached`` / ``engines.transcribe_audio``."""
        kwargs = {k: self.decoding[k] for k in DECODING_KEYS if k in self.decoding}
        kwargs["temperature"] = tuple(float(t) for t in kwargs.get("temperature", (0.0,)))
        kwargs["batch_size"] = int(kwargs.get("batch_size") or 0)  # not recorded: sequential decoding
        kwargs["guards"] = bool(kwargs.get("guards", False))  # not recorded: made before the guards existed
        for key in PROMPT_KEYS:
            kwargs[key] = kwargs.get(key) or None
        return kwargs

    def to_toml(self, name: str) -> str:
        import tomli_w

        data = {
            "draft": {"exercise": self.exercise, "audio": self.audio, "audio_sha256": self.audio_sha256,
                      "text_sha256": self.text_sha256},
            "model": {"engine": self.engine, "model": self.model, "sha256": self.model_sha256},
            "decoding": {k: ("" if self.decoding.get(k) is None else self.decoding[k])
                         for k in DECODING_KEYS if k in self.decoding},
            "versions": dict(self.versions),
        }
        if self.machine:
            data["machine"] = dict(self.machine)
        if self.redecoded:
            data["redecoded"] = [dict(r) for r in self.redecoded]
        return HEADER.format(name=name) + "\n" + tomli_w.dumps(data)

    @classmethod
    def from_toml(cls, text: str, path: str | Path | None = None) -> "DraftSettings":
        try:
            data = tomllib.loads(text)
            draft, model, decoding = data["draft"], data["model"], data["decoding"]
            return cls(engine=str(model["engine"]), model=str(model["model"]), model_sha256=str(model["sha256"]),
                       decoding=dict(decoding), audio=str(draft.get("audio", "")),
                       audio_sha256=str(draft.get("audio_sha256", "")), exercise=str(draft.get("exercise", "")),
                       text_sha256=str(draft.get("text_sha256", "")), versions=dict(data.get("versions", {})),
                       redecoded=[dict(r) for r in data.get("redecoded", [])], machine=dict(data.get("machine", {})))
        except (tomllib.TOMLDecodeError, KeyError, TypeError, AttributeError) as exc:
            raise TranscribeError(f"réglages du brouillon illisibles ({exc}).", path) from exc


def read_settings(draft: str | Path) -> DraftSettings | None:
    """The recorded settings of a draft, or None for a draft without a sidecar."""
    path = settings_path(draft)
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TranscribeError(f"réglages du brouillon illisibles ({exc}).", path) from exc
    return DraftSettings.from_toml(text, path)


def model_fingerprint(model: str | Path | None) -> tuple[str, str]:
    """(recorded name, SHA-256 of the weights) of the embedded model or of a local model."""
    from .asr.model import MODEL_BIN_SHA256, resolve_model, sha256_file

    if model is None or str(model) in ("", "base", "embarque", "embedded"):
        return "embedded", MODEL_BIN_SHA256
    kind, path = resolve_model(model)
    return str(model), sha256_file(path / "model.bin" if kind == "ct2" else path)


def default_settings(audio: str | Path, *, engine: str = "faster-whisper", model: str | Path | None = None,
                     vocabulary: list[str] | None = None, beam_size: int = DRAFT_BEAM, language: str = "fr",
                     vad: bool | None = None, commands: bool = True, cpu_threads: int = DRAFT_CPU_THREADS,
                     device: str = "cpu", compute_type: str | None = None, exercise: str = "") -> DraftSettings:
    """Deterministic settings for a new draft: temperature 0 without fallback, pinned threads,
    VAD decided now from the audio's length, the vocabulary turned into its prompt string."""
    from .asr.audio import SAMPLE_RATE, audio_hash, load_audio
    from .asr.engines import VAD_AUTO_SECONDS, transcription_options

    samples = load_audio(audio)
    if vad is None:
        vad = len(samples) / SAMPLE_RATE > VAD_AUTO_SECONDS
    opts = transcription_options(engine=engine, beam_size=beam_size, language=language, vocabulary=vocabulary,
                                 vad=vad, temperature=0.0, device=device, compute_type=compute_type,
                                 commands=commands, cpu_threads=cpu_threads, batch_size=0)
    name, sha = model_fingerprint(model)
    return DraftSettings(engine=engine, model=name, model_sha256=sha,
                         decoding={k: opts[k] for k in DECODING_KEYS if k in opts},
                         audio=Path(audio).name, audio_sha256=audio_hash(audio), exercise=exercise,
                         versions=tool_versions())


def machine_info() -> dict:
    """Where a transcript is decoded: the architecture, the CPU and its vector instruction sets
    (Linux's /proc/cpuinfo; elsewhere the architecture only), the ISA variables set."""
    info: dict = {"arch": platform.machine()}
    try:
        lines = Path(CPUINFO).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    for line in lines:
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key in ("model name", "cpu model") and "cpu" not in info:
            info["cpu"] = value.strip()
        elif key in ("flags", "features") and "isa" not in info:
            flags = set(value.split())
            info["isa"] = [f for f in ISA_FLAGS if f in flags]
    info.update({name.lower(): os.environ[name] for name in ISA_VARIABLES if os.environ.get(name)})
    return info


def draft_distance(shipped: str, regenerated: str) -> float:
    """Lenient WER (jiwer) of a regenerated draft against the shipped one."""
    from .metrics import lenient_rates
    from .views import lenient_words, text_items

    ref, hyp = lenient_words(text_items(shipped)), lenient_words(text_items(regenerated))
    words, _ = lenient_rates(ref, hyp)
    return words.wer if words is not None else float(bool(hyp))


def tool_versions() -> dict:
    from . import __version__

    return {"transcribe": __version__, "faster_whisper": _version("faster-whisper"),
            "ctranslate2": _version("ctranslate2")}


def make_draft(audio: str | Path, settings: DraftSettings, use_cache: bool = True) -> str:
    """The draft text for ``audio`` under ``settings`` (through the transcript cache); the
    windows the guards re-decoded go to ``settings.redecoded``.

    Refuses other audio, or other model weights, than those recorded."""
    from .asr.audio import audio_hash
    from .asr.cache import transcribe_cached

    if settings.audio_sha256 and audio_hash(audio) != settings.audio_sha256:
        raise TranscribeError("l'audio n'est pas celui qui a produit le brouillon (empreinte différente).", audio)
    name, sha = model_fingerprint(None if settings.model == "embedded" else settings.model)
    if sha != settings.model_sha256:
        raise TranscribeError(f"le modèle {name} n'est pas celui qui a produit le brouillon "
                              f"(SHA-256 {sha[:12]}… au lieu de {settings.model_sha256[:12]}…).")
    transcript, _cached = transcribe_cached(audio, engine=settings.engine,
                                            model=None if settings.model == "embedded" else settings.model,
                                            use_cache=use_cache, **settings.transcription_kwargs())
    settings.redecoded = list(transcript.options.get("redecoded", []))
    settings.machine = machine_info()
    text = transcript.text.strip()
    return text + "\n" if text else ""


def write_draft(path: str | Path, text: str, settings: DraftSettings) -> tuple[Path, Path]:
    """Write a draft and its sidecar (atomically); refuses to overwrite a file that is not a draft's."""
    path = Path(path)
    sidecar = settings_path(path)
    if path.suffix != ".txt":
        raise TranscribeError("un brouillon s'écrit dans un fichier .txt (ex. : 01-exercice.brouillon.txt).", path)
    for target in (path, sidecar):
        if target.exists() and not target.is_file():
            raise TranscribeError("existe déjà et n'est pas un fichier.", target)
    if sidecar.is_file():
        try:
            DraftSettings.from_toml(sidecar.read_text(encoding="utf-8"), sidecar)
        except (TranscribeError, UnicodeDecodeError) as exc:
            raise TranscribeError("ce fichier existe et n'est pas un fichier de réglages de brouillon : "
                                  "choisissez un autre nom (ex. : <id>.brouillon.txt).", sidecar) from exc
    elif path.is_file():
        raise TranscribeError("ce fichier existe et n'est pas un brouillon (pas de réglages à côté) : "
                              "il n'est pas écrasé.", path)
    data = text.encode("utf-8")
    settings.text_sha256 = _sha256(data)
    write_atomic(path, data)
    write_atomic(sidecar, settings.to_toml(path.name))
    return path, sidecar


def read_draft(path: str | Path) -> str:
    """A draft's text (any encoding the reader accepts)."""
    from .reading import read_document

    return read_document(path).text
