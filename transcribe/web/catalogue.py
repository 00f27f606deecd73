"""The exercises a server offers: the bundled ones, or a trainer's references folder.

Listed through `exercise.list_exercises` (the same files as ``grade --references``), read
again when the folder changes, so that a trainer can add an exercise without a restart. An
exercise id from a URL is only ever looked up in this list: never joined to a path. The
folder of exercises uploaded from the browser is ``confined`` (``exercise.load_exercise``):
its metadata cannot point the server at any other file.

Every catalogue answers ``get(id)`` (the exercise as offered now) and ``at_version(id,
version)`` (the exercise as it was at one version, for a copy started then and for its
attempts). A folder's exercises have no versions: ``version`` is ``None``, and ``at_version``
with ``None`` is ``get``. The classroom adds exercises made in the browser, which have.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from .. import bundled
from ..drafts import draft_path
from ..errors import TranscribeError
from ..exercise import Exercise, is_exercise_id, list_exercises, load_exercise

DIFFICULTIES = ("facile", "moyen", "difficile")


@dataclass
class Entry:
    exercise: Exercise
    duration: float | None  # audio seconds, None without audio
    problem: str = ""  # why the exercise cannot be worked on, in French
    version: int | None = None  # an exercise made in the classroom server: its version number

    @property
    def draft(self) -> Path | None:
        """The speech-recognition draft to correct (``<id>.brouillon.txt``), if the exercise has one."""
        path = draft_path(self.exercise.reference_path)
        return path if path.is_file() else None


def _duration(path: Path | None) -> float | None:
    if path is None:
        return None
    try:
        import soundfile

        return float(soundfile.info(str(path)).duration)
    except Exception:  # an unreadable audio file: the exercise says so instead of failing the list
        return None


class Catalogue:
    def __init__(self, references_dir: Path | None = None, confined: bool = False):
        self.folder = Path(references_dir) if references_dir is not None else bundled.references_dir()
        self.confined = confined
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._entries: dict[str, Entry] = {}
        self._problems: list[str] = []

    def _folder_stamp(self) -> tuple:
        try:
            files = sorted([*self.folder.glob("*.txt"), *self.folder.glob("*.toml")])
            return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files)
        except OSError:
            return ()

    def _load(self) -> None:
        stamp = self._folder_stamp()
        if stamp == self._stamp:
            return
        entries, problems = {}, []
        for path in sorted(self.folder.glob("*.txt")):
            if not is_exercise_id(path.stem):  # drafts, templates, dictées
                continue
            try:
                exercise = load_exercise(path, self.confined)
            except TranscribeError as exc:
                problems.append(str(exc))
                continue
            audio = exercise.audio_path
            problem = "" if audio else "pas de fichier audio pour cet exercice"
            entries[exercise.id] = Entry(exercise, _duration(audio), problem)
        self._entries, self._problems, self._stamp = entries, problems, stamp

    def entries(self) -> list[Entry]:
        with self._lock:
            self._load()
            return list(self._entries.values())

    def problems(self) -> list[str]:
        """Files of the folder that could not be read (shown to the trainer on the list page)."""
        with self._lock:
            self._load()
            return list(self._problems)

    def get(self, exercise_id: str) -> Entry | None:
        with self._lock:
            self._load()
            return self._entries.get(exercise_id)

    def at_version(self, exercise_id: str, version: int | None) -> Entry | None:
        """A folder's exercises are not versioned: only ``None`` is found."""
        return self.get(exercise_id) if version is None else None


def check_folder(references_dir: Path) -> None:
    """A clear error before the server starts when the folder holds no exercise."""
    if not list_exercises(references_dir):
        raise TranscribeError("aucun exercice (fichier .txt) dans ce dossier de références.", references_dir)
