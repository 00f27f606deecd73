"""Systems (engine × model × beam × biasing mode × commands × guards) run over dictations, one subprocess each."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..asr.vocabulary import canonical_mode, uses_reference, vocabulary_for
from ..errors import TranscribeError
from ..bundled import references_dir
from ..exercise import AUDIO_SUFFIXES, Exercise, list_exercises


BIAS_SUFFIX = {"aucun": "sansbiais", "specialite": "specialite", "exercice": "exercice"}
BIAS_LABEL = {"aucun": "aucun", "specialite": "spécialité", "exercice": "exercice (référence)"}
BIAS_CHOICES = {"oui": ["exercice"], "non": ["aucun"], "both": ["exercice", "aucun"],
                "les-deux": ["exercice", "aucun"], "tous": ["aucun", "specialite", "exercice"],
                "aucun": ["aucun"], "specialite": ["specialite"], "exercice": ["exercice"]}


@dataclass(frozen=True)
class System:
    engine: str
    model: str | None = None
    beam: int = 5
    bias: str = "specialite"  # aucun | specialite | exercice (see asr.vocabulary); True/False: exercice/aucun
    commands: bool = True
    guards: bool = True  # the ASR guards (asr/guards.py); False: the first decoding as it came

    def __post_init__(self):
        object.__setattr__(self, "bias", canonical_mode(self.bias))

    @property
    def uses_reference(self) -> bool:
        """True when the decoder was given information taken from the reference (``exercice`` mode)."""
        return uses_reference(self.bias)

    @property
    def model_label(self) -> str:
        if not self.model or self.model in ("base", "embarque", "embedded"):
            return "base"
        return re.sub(r"[^\w.-]+", "-", Path(self.model).stem or Path(self.model).name)

    @property
    def name(self) -> str:
        """A short, file-safe name: ``faster-whisper_base_b5_specialite`` (``_sanscmd`` without commands,
        ``_sansgardes`` without the guards)."""
        name = f"{self.engine}_{self.model_label}_b{self.beam}_{BIAS_SUFFIX[self.bias]}"
        return name + ("" if self.commands else "_sanscmd") + ("" if self.guards else "_sansgardes")

    def to_dict(self) -> dict:
        return dict(asdict(self), name=self.name, uses_reference=self.uses_reference)


@dataclass
class Dictation:
    id: str
    exercise: Exercise
    audio: Path | None = None


@dataclass
class ItemRun:
    """One system on one dictation: the hypothesis and its timings, or an error."""

    id: str
    text: str = ""
    raw_text: str = ""
    duration: float | None = None
    elapsed: float | None = None
    wall: float | None = None
    from_cache: bool = False
    error: str | None = None
    audio_sha256: str | None = None


@dataclass
class SystemRun:
    system: System
    items: list[ItemRun] = field(default_factory=list)
    wall: float | None = None
    peak_rss_mb: float | None = None
    peak_measured: bool = False  # False when every transcript came from the cache (no model loaded)


def systems_from_options(engines, models, beams, bias, commands: bool, guards=(True,)) -> list[System]:
    """Every combination of the options, in the order given (engines outermost).

    ``bias``: one choice or several (« tous », « both », a mode, « oui »/« non »); ``guards``:
    with the guards (True), without (False), or both."""
    biases = []
    for choice in [bias] if isinstance(bias, str) else bias:
        biases += [b for b in BIAS_CHOICES[choice] if b not in biases]
    out = []
    for engine, model, beam, b, g in itertools.product(engines, models or [None], beams, biases, guards):
        system = System(engine, model, int(beam), b, commands, bool(g))
        if system not in out:
            out.append(system)
    return out


def find_audio(exercise: Exercise, audio_dir: Path | None) -> Path | None:
    """The dictation's audio: ``<id>.<ext>`` (or the metadata's file name) in AUDIO_DIR, else the bundled one."""
    if audio_dir is None:
        return exercise.audio_path
    names = ([exercise.audio] if exercise.audio else []) + [exercise.id + s for s in AUDIO_SUFFIXES]
    return next((audio_dir / n for n in names if (audio_dir / n).is_file()), None)


def discover(references: Path | None = None, audio_dir: Path | None = None,
             only: list[str] | None = None, need_audio: bool = True) -> list[Dictation]:
    """Dictations of a references folder, restricted to ``only`` and (if asked) to those with audio."""
    exercises = list_exercises(references or references_dir())
    if only:
        known = {e.id for e in exercises}
        missing = [i for i in only if i not in known]
        if missing:
            raise TranscribeError(f"exercice(s) inconnu(s) : {', '.join(missing)}.", references or references_dir())
        exercises = [e for e in exercises if e.id in only]
    out = [Dictation(e.id, e, find_audio(e, Path(audio_dir) if audio_dir else None)) for e in exercises]
    return [d for d in out if d.audio is not None] if need_audio else out


def _job(system: System, dictations: list[Dictation], use_cache: bool, extra: list[str] | None = None) -> dict:
    """What the child process needs: the system and, per dictation, its audio and vocabulary."""
    items = [{"id": d.id, "audio": str(d.audio), "vocabulary": vocabulary_for(system.bias, d.exercise, extra=extra)}
             for d in dictations]
    return {"system": system.to_dict(), "items": items, "use_cache": use_cache}


def run_system(system: System, dictations: list[Dictation], use_cache: bool = True,
               progress=None, extra: list[str] | None = None) -> SystemRun:
    """Run one system in a child Python process; ``progress(id)`` is called after each dictation.

    ``extra``: the user's own vocabulary (``--vocabulaire``), used by the biasing modes."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        result_file = Path(tmp) / "result.json"
        job = dict(_job(system, dictations, use_cache, extra), result=str(result_file))
        proc = subprocess.Popen([sys.executable, "-m", "transcribe.bench.worker"], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                                env=dict(os.environ, PYTHONIOENCODING="utf-8"))
        proc.stdin.write(json.dumps(job, ensure_ascii=False))
        proc.stdin.close()
        log = []
        try:
            for line in proc.stderr:  # progress lines as they come; anything else is kept for errors
                try:
                    done = json.loads(line)["progress"]
                except (ValueError, KeyError, TypeError):
                    log.append(line)
                    continue
                if progress:
                    progress(done)
            proc.wait()
        finally:  # interrupted (Ctrl-C): the child goes too
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        wall = round(time.perf_counter() - start, 3)
        try:
            data = json.loads(result_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            tail = "".join(log[-5:]).strip()
            error = f"le processus de transcription a échoué (code {proc.returncode}) : {tail[-500:]}"
            return SystemRun(system, [ItemRun(d.id, error=error) for d in dictations], wall)
    items = [ItemRun(**r) for r in data["results"]]
    fresh = any(not i.from_cache and not i.error for i in items)
    return SystemRun(system, items, wall, data.get("peak_rss_mb"), fresh)


def run_system_ray(system: System, dictations: list[Dictation], pool, use_cache: bool = True,
                   progress=None, extra: list[str] | None = None) -> SystemRun:
    """The same as ``run_system``, the dictations spread over a Ray pool (``asr.cluster.open_pool``).

    The hypotheses are the same as a local run's (same options, same cache); the peak memory
    is the highest of the workers that transcribed."""
    from ..asr.audio import audio_hash
    from ..asr.cluster import Request

    start = time.perf_counter()
    job = _job(system, dictations, use_cache, extra)
    requests = [Request(Path(item["audio"]), system.engine, system.model, use_cache,
                        {"beam_size": system.beam, "vocabulary": item["vocabulary"], "commands": system.commands,
                         "guards": system.guards})
                for item in job["items"]]
    outcomes = pool.run(requests, progress=(lambda i: progress(dictations[i].id)) if progress else None)
    items, peaks = [], []
    for d, out in zip(dictations, outcomes):
        if out.error:
            items.append(ItemRun(d.id, error=out.error))
            continue
        t = out.transcript
        try:
            sha = audio_hash(d.audio)
        except OSError:
            sha = None
        items.append(ItemRun(d.id, t.text, t.raw_text, t.duration, t.elapsed, out.wall, out.from_cache,
                             audio_sha256=sha))
        if out.peak_rss_mb:
            peaks.append(out.peak_rss_mb)
    return SystemRun(system, items, round(time.perf_counter() - start, 3), max(peaks) if peaks else None,
                     bool(peaks))


def save_run(run: SystemRun, folder: Path) -> Path:
    """Keep a system's raw run (texts, timings, memory) in ``folder/<system>.json``."""
    from ..files import write_atomic

    data = {"system": run.system.to_dict(), "wall": run.wall, "peak_rss_mb": run.peak_rss_mb,
            "peak_measured": run.peak_measured, "items": [asdict(i) for i in run.items]}
    return write_atomic(Path(folder) / f"{run.system.name}.json", json.dumps(data, ensure_ascii=False, indent=1))


def load_run(system: System, folder: Path) -> SystemRun | None:
    """A run saved by ``save_run``, or None."""
    path = Path(folder) / f"{system.name}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return SystemRun(system, [ItemRun(**i) for i in data["items"]], data.get("wall"),
                         data.get("peak_rss_mb"), bool(data.get("peak_measured")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def keep_measured_peak(run: SystemRun, previous: SystemRun | None) -> SystemRun:
    """Memory of a cached run: the one measured earlier; of a partly cached run, the higher of the two."""
    if previous is None or not previous.peak_measured:
        return run
    if not run.peak_measured:
        run.peak_rss_mb, run.peak_measured, run.wall = previous.peak_rss_mb, True, previous.wall
    elif (previous.peak_rss_mb or 0) > (run.peak_rss_mb or 0):  # a few dictations re-run: keep the full run's peak
        run.peak_rss_mb = previous.peak_rss_mb
    return run
