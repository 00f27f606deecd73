"""Exercises: a reference document (`references/<id>.txt`) and its metadata (`<id>.toml`).

Metadata schema (every key optional except ``title``)::

    title = "Consultation de cardiologie"
    specialty = "cardiologie"
    audio = "01-cardiologie.flac"          # in audio_samples/
    time_limit_minutes = 20
    difficulty = "moyen"                   # facile | moyen | difficile
    sections = ["Motif de consultation", "Antécédents", "Conclusion"]
    terms = ["amlodipine", "fibrillation atriale"]
    critical_values = ["5 mg", "14/09/1951"]

    [patient]                              # identity fields: any error is disqualifying (IDV)
    nom = "DURAND"
    prenom = "Marcel"
    date_naissance = "14/09/1951"
    ipp = "123456"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import bundled
from .errors import TranscribeError

AUDIO_SUFFIXES = (".flac", ".wav", ".mp3", ".ogg")


@dataclass
class Exercise:
    id: str
    reference_path: Path
    title: str = ""
    specialty: str = ""
    audio: str | None = None
    time_limit_minutes: float | None = None
    difficulty: str | None = None
    sections: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    critical_values: list[str] = field(default_factory=list)
    patient: dict[str, str] = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)

    @property
    def audio_path(self) -> Path | None:
        """The dictation's audio file: the ``audio`` key, else ``<id>.<ext>`` in audio_samples/."""
        candidates = []
        bundled_audio = bundled.audio_dir()
        if self.audio:
            candidates += [self.reference_path.parent / self.audio, bundled_audio / self.audio,
                           self.reference_path.parent.parent / "audio_samples" / self.audio]
        for suffix in AUDIO_SUFFIXES:
            candidates.append(self.reference_path.parent.parent / "audio_samples" / f"{self.id}{suffix}")
            candidates.append(bundled_audio / f"{self.id}{suffix}")
        return next((p for p in candidates if p.is_file()), None)

    def reference_text(self) -> str:
        from .reading import read_text_file

        return read_text_file(self.reference_path)


def load_exercise(reference: str | Path) -> Exercise:
    """The exercise of a reference ``.txt``, with the ``.toml`` beside it when there is one."""
    path = Path(reference)
    if not path.is_file():
        raise TranscribeError("fichier de référence introuvable.", path)
    meta: dict = {}
    toml_path = path.with_suffix(".toml")
    if toml_path.is_file():
        try:
            meta = tomllib.loads(toml_path.read_text(encoding="utf-8-sig"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise TranscribeError(f"métadonnées illisibles (TOML invalide) : {exc}", toml_path) from exc
    patient = {str(k): str(v) for k, v in (meta.get("patient") or {}).items()}
    limit = meta.get("time_limit_minutes")
    return Exercise(
        id=path.stem,
        reference_path=path,
        title=str(meta.get("title", path.stem)),
        specialty=str(meta.get("specialty", "")),
        audio=meta.get("audio"),
        time_limit_minutes=float(limit) if limit is not None else None,
        difficulty=meta.get("difficulty"),
        sections=[str(s) for s in meta.get("sections", [])],
        terms=[str(t) for t in meta.get("terms", [])],
        critical_values=[str(v) for v in meta.get("critical_values", [])],
        patient=patient,
        metadata=meta,
    )


def is_exercise_id(name: str) -> bool:
    """An exercise id is a file stem without a dot: ``<id>.brouillon.txt`` (a draft) or any
    other ``<id>.<something>.txt`` beside the references is never an exercise."""
    return bool(name) and "." not in name and "/" not in name and "\\" not in name


def list_exercises(references_dir: str | Path | None = None) -> list[Exercise]:
    """Every exercise of a references folder (one per ``<id>.txt``, drafts excluded; default:
    the bundled ones), sorted by id."""
    folder = Path(references_dir) if references_dir is not None else bundled.references_dir()
    if not folder.is_dir():
        raise TranscribeError("dossier de références introuvable.", folder)
    return [load_exercise(p) for p in sorted(folder.glob("*.txt")) if is_exercise_id(p.stem)]


def find_exercise(exercise_id: str, references_dir: str | Path | None = None) -> Exercise:
    """The exercise ``exercise_id`` of a references folder (default: the bundled ones)."""
    references_dir = Path(references_dir) if references_dir is not None else bundled.references_dir()
    if not is_exercise_id(exercise_id):
        raise TranscribeError(f"exercice « {exercise_id} » inconnu (un identifiant d'exercice ne contient "
                              "ni point ni barre oblique).", references_dir)
    path = references_dir / f"{exercise_id}.txt"
    if not path.is_file():
        raise TranscribeError(f"exercice « {exercise_id} » inconnu (pas de {path.name}).", references_dir)
    return load_exercise(path)
