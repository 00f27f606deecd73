"""Word timings of the exercises for the ▶ buttons: shipped, cached, or computed in the background.

Bundled exercises ship ``<audio stem>.timings.json`` beside their audio (``tools/make_timings.py``).
For any other exercise (a trainer's folder, an edited reference) the timings are computed
the first time the exercise is opened — Whisper on the audio, then the alignment — in one
background thread, and kept in the user's data folder. ``status`` says where that stands, for
the page's progress indication.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

from ..asr.timings import Timings, compute_timings, load_timings, reference_text, shipped_timings_path, text_sha256
from ..errors import TranscribeError
from ..exercise import Exercise
from ..files import write_atomic


def _read(path: Path | None, reference: str) -> Timings | None:
    try:
        stat = path.stat()
    except (OSError, AttributeError):
        return None
    return _read_version(str(path), stat.st_mtime_ns, stat.st_size, reference)


@lru_cache(maxsize=256)
def _read_version(path: str, mtime_ns: int, size: int, reference: str) -> Timings | None:
    """One version of a timings file, read once (the report asks at every view)."""
    return load_timings(Path(path), reference)


@dataclass
class Job:
    future: Future
    started: float


class TimingsService:
    def __init__(self, folder: Path, compute: Callable[[Exercise], Timings] = compute_timings):
        self.folder = Path(folder) / "timings"
        self.compute = compute
        self._executor: ThreadPoolExecutor | None = None
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def _cache_path(self, exercise: Exercise, reference: str) -> Path:
        audio = exercise.audio_path
        stat = audio.stat()
        key = text_sha256(f"{audio.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{text_sha256(reference)}")
        return self.folder / f"{exercise.id}-{key[:20]}.json"

    def get(self, exercise: Exercise) -> Timings | None:
        """Timings valid for the exercise's current reference, if any exist yet."""
        if exercise.audio_path is None:
            return None
        reference = reference_text(exercise)
        for path in (shipped_timings_path(exercise), self._cache_path(exercise, reference)):
            timings = _read(path, reference)
            if timings is not None:
                return timings
        return None

    def status(self, exercise: Exercise, start: bool = True) -> dict:
        """``{"etat": "pret" | "calcul" | "erreur" | "indisponible", "message": …, "secondes": …}``."""
        if exercise.audio_path is None:
            return {"etat": "indisponible", "message": "Pas d'audio pour cet exercice."}
        if self.get(exercise) is not None:
            return {"etat": "pret", "message": "Repères de réécoute prêts."}
        with self._lock:
            job = self._jobs.get(exercise.id)
            if job is not None and job.future.done():
                error = job.future.exception()
                if error is None:  # finished since get() looked: ready
                    del self._jobs[exercise.id]
                    return {"etat": "pret", "message": "Repères de réécoute prêts."}
                message = error.message if isinstance(error, TranscribeError) else f"{type(error).__name__} : {error}"
                return {"etat": "erreur", "message": f"Calcul des repères impossible : {message}"}
            if job is None:
                if not start:
                    return {"etat": "absent", "message": "Repères de réécoute pas encore calculés."}
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="timings")
                job = Job(self._executor.submit(self._compute_and_store, exercise), time.monotonic())
                self._jobs[exercise.id] = job
        return {"etat": "calcul", "secondes": round(time.monotonic() - job.started),
                "message": "Calcul des repères de réécoute (reconnaissance vocale de l'audio)…"}

    def _compute_and_store(self, exercise: Exercise) -> None:
        reference = reference_text(exercise)
        timings = self.compute(exercise)
        write_atomic(self._cache_path(exercise, reference), json.dumps(timings.to_dict(), ensure_ascii=False))

    def shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
