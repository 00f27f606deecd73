"""Exercises: a reference document (`references/<id>.txt`), its metadata (`<id>.toml`) and
what the learner is given with the recording (the template `<id>.modele.txt`, the sheet and
the instructions of the `.toml`).

An exercise id is the stem of a ``.txt`` file of the references folder that holds no dot:
``01-cardiologie.txt`` is an exercise; ``01-cardiologie.brouillon.txt`` (a post-editing
draft), ``01-cardiologie.modele.txt`` (its template) and ``.cache.txt`` are not.

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
    consigne = "Saisissez le compte rendu dicté par le Dr MARTIN dans le modèle du service."  # text

    [patient]                              # identity fields (text or whole number): any
    nom = "DURAND"                         # error on them is disqualifying (IDV)
    prenom = "Marcel"
    date_naissance = "14/09/1951"
    ipp = "123456"

    [fiche]                                # the information sheet, shown as is, in this order:
    "Nom" = "DURAND"                       # label = value (texts, not empty); the patient
    "Prénom" = "Marcel"                    # record as admission has it, the prescriber, the
    "Date de naissance" = "14/09/1951"     # date: facts to verify or complete, not the answer
    "Médecin" = "Dr Claire MARTIN, cardiologue"

A key of the wrong type or out of range is refused with a French message naming the key.
The sheet must agree with ``[patient]``: every identity value appears on it, and an entry
labelled as an identity field (« Nom », « Nom de naissance », « Prénom », « Date de
naissance », « IPP », or the field's own name) holds exactly its value; otherwise the
exercise is refused, naming the ``.toml`` and the line of the entry.

The template (``<id>.modele.txt``, UTF-8, optional) is the text the learner starts from, in
document order: the lines of the reference that the practice's template holds (letterhead,
signature block, rubric headings if the template has them), copied as they are in the
reference, blank lines where the layout wants them, and a marker line ``[texte dicté]``
where the dictated text goes (at least one; the cursor starts at the first). Every other
line must be a line of the reference, in the reference's order (lines before the first
marker are found from the top of the reference, lines after the last one from the bottom):
a line that is not is refused when the exercise is loaded, naming the file and the line.
These *given lines* are graded as part of the copy, with one difference (``given``): a given
line the copy no longer has at all costs the barème's ``template_line`` points, never a run
of omitted words; and a number in a given line is not a critical value.

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
TEMPLATE_SUFFIX = ".modele.txt"
BODY_MARKER = "[texte dicté]"


@dataclass(frozen=True)
class GivenLine:
    """A line of the template: its text, and where it is in the reference and the template."""

    text: str
    reference_line: int  # 1-based line number in the reference
    template_line: int  # 1-based line number in the template file


@dataclass(frozen=True)
class Given:
    """What the learner receives with the recording: instructions, sheet, template."""

    instructions: str = ""  # « consigne »
    sheet: tuple[tuple[str, str], ...] = ()  # « fiche »: (label, value), in order
    template: str | None = None  # the template's text, marker lines included
    template_path: Path | None = None
    lines: tuple[GivenLine, ...] = ()  # the template's lines found in the reference

    def __bool__(self) -> bool:
        return bool(self.instructions or self.sheet or self.template is not None)

    @property
    def reference_lines(self) -> frozenset[int]:
        """The reference's line numbers that are given (template lines)."""
        return frozenset(g.reference_line for g in self.lines)

    def start_text(self) -> str:
        """The text the learner starts from: the template, each marker an empty line."""
        if self.template is None:
            return ""
        return "\n".join("" if _is_marker(line) else line for line in self.template.split("\n"))

    def caret(self) -> int:
        """Where the cursor starts in ``start_text``: the first marker's line (0 without one)."""
        if self.template is None:
            return 0
        offset = 0
        for line in self.template.split("\n"):
            if _is_marker(line):
                return offset
            offset += len(line) + 1
        return 0

    def body(self, reference: str) -> str:
        """What the learner types into the template: the reference between the given lines
        that open the document (before the first marker) and those that close it (after the
        last), blank lines around it dropped. ``fill(body(reference))`` is the reference when
        the template keeps the reference's blank lines."""
        if self.template is None:
            return reference.strip("\n")
        rows = self.template.split("\n")
        markers = [n + 1 for n, line in enumerate(rows) if _is_marker(line)]
        lines = reference.split("\n")
        head = [g.reference_line for g in self.lines if g.template_line < markers[0]]
        tail = [g.reference_line for g in self.lines if g.template_line > markers[-1]]
        return "\n".join(lines[max(head, default=0):min(tail, default=len(lines) + 1) - 1]).strip("\n")

    def fill(self, body: str) -> str:
        """The template with ``body`` where the (first) marker is, the others left empty: the
        copy of a learner who kept the template and typed ``body``."""
        start, caret = self.start_text(), self.caret()
        if self.template is None:
            return body
        return start[:caret] + body.strip("\n") + start[caret:]


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
    given: Given = field(default_factory=Given)
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


def _is_marker(line: str) -> bool:
    return line.strip().casefold() == BODY_MARKER


def _sheet(meta: dict, path: Path) -> tuple[tuple[str, str], ...]:
    value = meta.get("fiche", {})
    if not isinstance(value, dict):
        _fail(path, "fiche", f"une table [fiche] est attendue, « libellé » = « valeur » (trouvé : {_shown(value)}).")
    sheet = []
    for label, entry in value.items():
        if isinstance(entry, bool) or not isinstance(entry, (str, int)) or not str(entry).strip():
            _fail(path, f"fiche.{label}", f"un texte non vide est attendu (trouvé : {_shown(entry)}).")
        if not str(label).strip():
            _fail(path, "fiche", "un libellé vide n'est pas permis.")
        sheet.append((str(label), str(entry)))
    return tuple(sheet)


# The labels under which a sheet shows an identity field (folded: lower case, no accents).
IDENTITY_LABELS = {
    "nom": {"nom", "nom de naissance", "nom de famille"},
    "prenom": {"prenom", "premier prenom"},
    "date_naissance": {"date de naissance", "ne le", "nee le", "ne(e) le"},
    "ipp": {"ipp", "numero ipp"},
}


def _folded(text: str) -> str:
    from .normalize import strip_accents

    return " ".join(strip_accents(text).lower().replace("_", " ").split())


def _toml_line(path: Path, table: str, key: str) -> int | None:
    """The line of ``key`` in the ``[table]`` of a TOML file (for messages), None if not found."""
    try:
        lines = path.read_text(encoding="utf-8-sig").split("\n")
    except (OSError, UnicodeDecodeError):
        return None
    inside = False
    for n, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped.replace(" ", "") == f"[{table}]"
        elif inside and "=" in stripped and stripped.split("=", 1)[0].strip().strip("\"'") == key:
            return n
    return None


def _check_sheet(sheet: tuple[tuple[str, str], ...], patient: dict[str, str], path: Path) -> None:
    """A sheet that contradicts ``[patient]`` (or hides one of its values) is refused."""
    if not sheet:
        return
    for key, value in patient.items():
        labels = IDENTITY_LABELS.get(key, set()) | {_folded(key)}
        for label, entry in sheet:
            if _folded(label) in labels and entry.strip() != value.strip():
                line = _toml_line(path, "fiche", label)
                where = f"ligne {line}, " if line else ""
                raise TranscribeError(
                    f"fiche invalide, {where}« {label} » = « {entry} » : contredit l'identité du patient "
                    f"([patient] {key} = « {value} »).", path)
        if not any(value.strip() in entry for _, entry in sheet):
            raise TranscribeError(
                f"fiche incomplète : l'identité du patient ([patient] {key} = « {value} ») n'apparaît pas "
                "sur la fiche ; c'est elle que l'apprenant vérifie.", path)


def template_path(reference: str | Path) -> Path:
    """Where an exercise's template is: ``<id>.modele.txt`` beside ``<id>.txt``."""
    reference = Path(reference)
    return reference.with_name(reference.stem + TEMPLATE_SUFFIX)


def _template_lines(template: str, reference: str, path: Path, reference_path: Path) -> tuple[GivenLine, ...]:
    """Each template line found in the reference (see the module doc), or a French error."""
    rows = template.split("\n")
    markers = [n for n, line in enumerate(rows) if _is_marker(line)]
    if not markers:
        raise TranscribeError(f"modèle invalide : aucune ligne « {BODY_MARKER} » n'indique où va le texte "
                              "dicté.", path)
    ref_rows = [line.strip() for line in reference.split("\n")]
    found: dict[int, int] = {}

    def problem(n: int) -> TranscribeError:
        text = rows[n].strip()
        if text in ref_rows:
            why = f"n'est pas à sa place : les lignes du modèle suivent l'ordre de la référence {reference_path.name}"
        else:
            why = (f"n'est pas une ligne de la référence {reference_path.name} (les lignes du modèle en sont "
                   "recopiées à l'identique)")
        return TranscribeError(f"modèle invalide, ligne {n + 1} : « {text} » {why}.", path)

    def wanted(n: int) -> bool:
        return bool(rows[n].strip()) and not _is_marker(rows[n])

    low, high = 0, len(ref_rows)
    for n in range(markers[0]):  # the letterhead: from the top
        if wanted(n):
            k = next((k for k in range(low, high) if ref_rows[k] == rows[n].strip()), None)
            if k is None:
                raise problem(n)
            found[n], low = k, k + 1
    for n in range(len(rows) - 1, markers[-1], -1):  # the signature: from the bottom
        if wanted(n):
            k = next((k for k in range(high - 1, low - 1, -1) if ref_rows[k] == rows[n].strip()), None)
            if k is None:
                raise problem(n)
            found[n], high = k, k
    for n in range(markers[0], markers[-1]):  # rubric headings between markers
        if wanted(n):
            k = next((k for k in range(low, high) if ref_rows[k] == rows[n].strip()), None)
            if k is None:
                raise problem(n)
            found[n], low = k, k + 1
    return tuple(GivenLine(rows[n].strip(), found[n] + 1, n + 1) for n in sorted(found))


def load_given(reference: str | Path, meta: dict | None = None, toml_path: Path | None = None) -> Given:
    """The given material of an exercise (instructions and sheet from its metadata, template
    from ``<id>.modele.txt``), checked against its reference and identity; French errors
    name the file and the line."""
    from .reading import read_text_file

    reference = Path(reference)
    toml_path = toml_path or reference.with_suffix(".toml")
    meta = meta if meta is not None else (read_metadata(toml_path) if toml_path.exists() else {})
    instructions = _text(meta, "consigne", toml_path).strip()
    sheet = _sheet(meta, toml_path)
    _check_sheet(sheet, _patient(meta, toml_path), toml_path)
    path = template_path(reference)
    if not path.exists():
        return Given(instructions, sheet)
    template = read_text_file(path)
    if not template.strip():
        raise TranscribeError("modèle vide : supprimez le fichier ou donnez les lignes de départ et "
                              f"la ligne « {BODY_MARKER} ».", path)
    lines = _template_lines(template, read_text_file(reference), path, reference)
    return Given(instructions, sheet, template.rstrip("\n") + "\n", path, lines)


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
        given=load_given(path, meta, toml_path),
        confined=confined,
    )


def is_exercise_id(name: str) -> bool:
    """An exercise id is a file stem without a dot: ``<id>.brouillon.txt`` (a draft),
    ``<id>.modele.txt`` (a template) or any other ``<id>.<something>.txt`` beside the
    references is never an exercise."""
    return bool(name) and "." not in name and "/" not in name and "\\" not in name


def scan_exercises(references_dir: str | Path | None = None) -> tuple[list[Exercise], list[TranscribeError]]:
    """The exercises of a references folder (one per ``<id>.txt``, drafts and templates excluded; default:
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
