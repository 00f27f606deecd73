"""The creations published in the browser, as the server's exercises, at any of their versions.

``get`` gives a published creation at the version offered now; ``at_version`` any version
that was published (an attempt's), as long as the creation is offered: a withdrawn one is
found by neither, so that its assignments stop listing it and its learners no longer open
it. The database says which version is offered (every server process agrees at once); a
version's files never change, so each one is loaded once (``load_exercise``, confined).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from sqlalchemy import select

from ....errors import TranscribeError
from ....exercise import load_exercise
from ...catalogue import Entry, _duration
from ..models import PUBLISHED, Creation, CreationVersion
from . import store

log = logging.getLogger(__name__)


class CreationCatalogue:
    def __init__(self, settings, sessions):
        self.settings = settings
        self.sessions = sessions
        self.folder = store.root(settings)
        self._loaded: dict[tuple[str, int], Entry] = {}
        self._problems: dict[tuple[str, int], str] = {}
        self._lock = threading.Lock()

    def _entry(self, exercise_id: str, version: int) -> Entry | None:
        key = (exercise_id, version)
        with self._lock:
            if key in self._loaded:
                return self._loaded[key]
        path: Path = store.version_reference(self.settings, exercise_id, version)
        try:
            exercise = load_exercise(path, confined=True)
        except TranscribeError as exc:
            with self._lock:
                self._problems[key] = f"{exercise_id} (version {version}) : {exc.message}"
            log.warning("version %s de %s illisible : %s", version, exercise_id, exc.message)
            return None
        audio = exercise.audio_path
        entry = Entry(exercise, _duration(audio), "" if audio else "pas de fichier audio pour cet exercice",
                      version=version)
        with self._lock:
            self._loaded[key] = entry
            self._problems.pop(key, None)
        return entry

    def _offered(self) -> list[tuple[str, int]]:
        with self.sessions.begin() as session:
            return list(session.execute(select(Creation.exercise_id, Creation.version).where(
                Creation.state == PUBLISHED, Creation.version > 0).order_by(Creation.exercise_id)))

    def entries(self) -> list[Entry]:
        return [e for e in (self._entry(i, v) for i, v in self._offered()) if e is not None]

    def get(self, exercise_id: str) -> Entry | None:
        with self.sessions.begin() as session:
            version = session.scalar(select(Creation.version).where(
                Creation.exercise_id == exercise_id, Creation.state == PUBLISHED, Creation.version > 0))
        return self._entry(exercise_id, version) if version else None

    def _published(self, exercise_id: str, version: int | None, offered: bool) -> Entry | None:
        if version is None:
            return None
        query = select(CreationVersion.id).join(Creation).where(Creation.exercise_id == exercise_id,
                                                                 CreationVersion.version == version)
        if offered:
            query = query.where(Creation.state == PUBLISHED)
        with self.sessions.begin() as session:
            published = session.scalar(query)
        return self._entry(exercise_id, version) if published else None

    def at_version(self, exercise_id: str, version: int | None) -> Entry | None:
        return self._published(exercise_id, version, offered=True)

    def archived(self, exercise_id: str, version: int | None) -> Entry | None:
        """Any version ever published, the creation offered or not (the trainer's view of old attempts)."""
        return self._published(exercise_id, version, offered=False)

    def problems(self) -> list[str]:
        with self._lock:
            return list(self._problems.values())
