"""Exercises: a reference document (`references/<id>.txt`) and its metadata (`<id>.toml`).

An exercise id is the stem of a ``.txt`` file of the references folder that holds no dot:
``01-cardiologie.txt`` is an exercise, ``01-cardiologie.brouillon.txt`` (a post-editing
draft) and ``.cache.txt`` are not.

Metadata schema (UTF-8; every key optional except ``title``; other keys are kept, unread,
in ``Exercise.metadata``)::

    title = "Consultation de cardiologie"  # text, not empty
    specialty = "cardiologie"              # text
    audio = "01-cardiologie.flac"          # a file name, in audio_samples/
    time_limit_minutes = 20                # a number, more than 0 and at most 1440
    difficulty = "moyen"                   # facile | moyen | difficile
    sections = ["Motif de consultation", "Antécédents", "Conclusion"]   # lists of texts
    terms = ["amlodipine", "fibrillation atriale"]
    critical_values = ["5 mg", "14/09/1951"]

    [patient]                              # identity fields (text or whole number): any
    nom = "DURAND"                         # error on them is disqualifying (IDV)
    prenom = "Marcel"
    date_naissance = "14/09/1951"
    ipp = "123456"

A key of the wrong type or out of range is refused with a French message naming the key.
"""

from __future__ import annotations

import math
import re
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
        """The reference's text; an empty reference is refused (nothing to grade against)."""
        from .reading import read_text_file

        text = read_text_file(self.reference_path)
        if not text.strip():
            raise TranscribeError("référence vide : aucun texte à comparer.", self.reference_path)
        return text


DIFFICULTIES = ("facile", "moyen", "difficile")
MAX_TIME_LIMIT = 24 * 60


def _fail(path: Path, key: str, problem: str):
    raise TranscribeError(f"métadonnées invalides, clé « {key} » : {problem}", path)


def _text(meta: dict, key: str, path: Path, default: str = "", required: bool = False) -> str:
    if key not in meta:
        if required:
            _fail(path, key, "obligatoire (le titre de l'exercice).")
        return default
    value = meta[key]
    if not isinstance(value, str):
        _fail(path, key, f"un texte entre guillemets est attendu (trouvé : {_shown(value)}).")
    if required and not value.strip():
        _fail(path, key, "ne doit pas être vide.")
    return value


def _texts(meta: dict, key: str, path: Path) -> list[str]:
    value = meta.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        _fail(path, key, f"une liste de textes non vides est attendue, par exemple [\"a\", \"b\"] "
                         f"(trouvé : {_shown(value)}).")
    return list(value)


def _time_limit(meta: dict, path: Path) -> float | None:
    key = "time_limit_minutes"
    if key not in meta:
        return None
    value = meta[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _fail(path, key, f"un nombre de minutes est attendu (trouvé : {_shown(value)}).")
    if not math.isfinite(value) or not 0 < value <= MAX_TIME_LIMIT:
        _fail(path, key, f"doit être un nombre de minutes supérieur à 0 et au plus {MAX_TIME_LIMIT} "
                         f"(trouvé : {_shown(value)}).")
    return float(value)


def _patient(meta: dict, path: Path) -> dict[str, str]:
    value = meta.get("patient", {})
    if not isinstance(value, dict):
        _fail(path, "patient", f"une table [patient] est attendue (trouvé : {_shown(value)}).")
    patient = {}
    for field_name, field_value in value.items():
        if isinstance(field_value, bool) or not isinstance(field_value, (str, int)):
            _fail(path, f"patient.{field_name}", f"un texte est attendu (trouvé : {_shown(field_value)}).")
        patient[str(field_name)] = str(field_value)
    return patient


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def read_metadata(path: str | Path) -> dict:
    """The TOML data of a metadata file (UTF-8), through the input gate."""
    from .inputs import read_bytes

    path = Path(path)
    data = read_bytes(path, "texte")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TranscribeError(f"métadonnées illisibles : le fichier n'est pas en UTF-8 (octet "
                              f"0x{data[exc.start]:02x} à la position {exc.start}, encodage latin-1 ou "
                              "Windows ?) ; enregistrez-le en UTF-8.", path) from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TranscribeError(f"métadonnées illisibles (TOML invalide) : {_toml_detail(exc)}", path) from exc
    except RecursionError as exc:
        raise TranscribeError("métadonnées illisibles (TOML invalide) : imbrication trop profonde.", path) from exc


def _toml_detail(exc: tomllib.TOMLDecodeError) -> str:
    """tomllib's message with its position in French: « ligne 3, colonne 7 : Invalid value »."""
    match = re.fullmatch(r"(.*) \(at line (\d+), column (\d+)\)", str(exc), re.S)
    return f"ligne {match[2]}, colonne {match[3]} : {match[1]}" if match else str(exc)


def load_exercise(reference: str | Path) -> Exercise:
    """The exercise of a reference ``.txt``, with the ``.toml`` beside it when there is one."""
    path = Path(reference)
    if not path.is_file():
        raise TranscribeError("fichier de référence introuvable.", path)
    toml_path = path.with_suffix(".toml")
    meta = read_metadata(toml_path) if toml_path.exists() else {}
    difficulty = meta.get("difficulty")
    if difficulty is not None and difficulty not in DIFFICULTIES:
        _fail(toml_path, "difficulty", f"{' | '.join(DIFFICULTIES)} attendu (trouvé : {_shown(difficulty)}).")
    audio = _text(meta, "audio", toml_path) or None
    return Exercise(
        id=path.stem,
        reference_path=path,
        title=_text(meta, "title", toml_path, required=True) if toml_path.exists() else path.stem,
        specialty=_text(meta, "specialty", toml_path),
        audio=audio,
        time_limit_minutes=_time_limit(meta, toml_path),
        difficulty=difficulty,
        sections=_texts(meta, "sections", toml_path),
        terms=_texts(meta, "terms", toml_path),
        critical_values=_texts(meta, "critical_values", toml_path),
        patient=_patient(meta, toml_path),
        metadata=meta,
    )


def is_exercise_id(name: str) -> bool:
    """An exercise id is a file stem without a dot: ``<id>.brouillon.txt`` (a draft) or any
    other ``<id>.<something>.txt`` beside the references is never an exercise."""
    return bool(name) and "." not in name and "/" not in name and "\\" not in name


def scan_exercises(references_dir: str | Path | None = None) -> tuple[list[Exercise], list[TranscribeError]]:
    """The exercises of a references folder (one per ``<id>.txt``, drafts excluded; default:
    the bundled ones), sorted by id, and the problems of those that cannot be loaded."""
    folder = Path(references_dir) if references_dir is not None else bundled.references_dir()
    if not folder.is_dir():
        raise TranscribeError("dossier de références introuvable.", folder)
    exercises, problems = [], []
    for path in sorted(folder.glob("*.txt")):
        if is_exercise_id(path.stem):
            try:
                exercises.append(load_exercise(path))
            except TranscribeError as exc:
                problems.append(exc)
    return exercises, problems


def list_exercises(references_dir: str | Path | None = None) -> list[Exercise]:
    """Every exercise of a references folder (default: the bundled ones), sorted by id; the
    first bad one raises (``scan_exercises`` reports them all)."""
    exercises, problems = scan_exercises(references_dir)
    if problems:
        raise problems[0]
    return exercises


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
