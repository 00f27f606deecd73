"""Exercises: a reference document (`references/<id>.txt`) and its metadata (`<id>.toml`).

An exercise id is the stem of a ``.txt`` file of the references folder that holds no dot:
``01-cardiologie.txt`` is an exercise, ``01-cardiologie.brouillon.txt`` (a post-editing
draft) and ``.cache.txt`` are not.

Metadata schema (UTF-8; every key optional except ``title``; other keys are kept, unread,
in ``Exercise.metadata``)::

    title = "Consultation de cardiologie"  # text, not empty
    specialty = "cardiologie"              # text
    audio = "01-cardiologie.flac"          # an audio file (.flac .wav .mp3 .ogg), in audio_samples/
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

An exercise a trainer uploaded to a classroom server is *confined* (``load_exercise(...,
confined=True)``): its audio is only ever ``<id>.<ext>`` in the ``audio_samples/`` beside its
references folder (the file the upload wrote), and its ``audio`` key, if any, must be a bare
file name — no folder, no ``..``, no absolute path — so that no metadata can make the server
read, serve or transcribe another file (the database, a password file).
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
    confined: bool = False  # uploaded to a server: its audio is the file the upload wrote

    @property
    def audio_path(self) -> Path | None:
        """The dictation's audio file: the ``audio`` key, else ``<id>.<ext>`` in audio_samples/.

        A confined exercise's audio is ``<id>.<ext>`` in its own ``audio_samples/`` only, and
        only if it really lies there (no link out of the folder)."""
        if self.confined:
            root = self.reference_path.parent.parent
            for suffix in AUDIO_SUFFIXES:
                path = root / "audio_samples" / f"{self.id}{suffix}"
                if path.is_file() and not path.is_symlink() and path.resolve().is_relative_to(root.resolve()):
                    return path
            return None
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


def _audio(meta: dict, path: Path, confined: bool) -> str | None:
    """The ``audio`` key: an audio file's name (a bare name for a confined exercise)."""
    value = _text(meta, "audio", path) or None
    if value is None:
        return None
    if confined and (value in (".", "..") or not re.fullmatch(r"[^/\\\x00-\x1f]+", value)):
        _fail(path, "audio", "un nom de fichier audio seul est attendu (sans dossier, sans « .. ») : l'audio d'un "
                             f"exercice déposé est le fichier envoyé avec lui (trouvé : {_shown(value)}).")
    if Path(value).suffix.lower() not in AUDIO_SUFFIXES or "\x00" in value:
        _fail(path, "audio", f"un fichier audio ({', '.join(AUDIO_SUFFIXES)}) est attendu (trouvé : {_shown(value)}).")
    return value


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
    return parse_metadata(text, path)


def parse_metadata(text: str, path: str | Path) -> dict:
    """The TOML data of a metadata text; its problems (nesting too deep included) in French."""
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


def load_exercise(reference: str | Path, confined: bool = False) -> Exercise:
    """The exercise of a reference ``.txt``, with the ``.toml`` beside it when there is one
    (``confined``: an exercise uploaded to a server, see the module's docstring)."""
    path = Path(reference)
    if not path.is_file():
        raise TranscribeError("fichier de référence introuvable.", path)
    toml_path = path.with_suffix(".toml")
    meta = read_metadata(toml_path) if toml_path.exists() else {}
    difficulty = meta.get("difficulty")
    if difficulty is not None and difficulty not in DIFFICULTIES:
        _fail(toml_path, "difficulty", f"{' | '.join(DIFFICULTIES)} attendu (trouvé : {_shown(difficulty)}).")
    audio = _audio(meta, toml_path, confined)
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
        confined=confined,
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
