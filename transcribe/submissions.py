"""A class's submissions: names, discovery of ``<learner>/<exercise>`` files, the manifest.

Layout read: ``SUBMISSIONS/<learner>/<exercise>.<txt|docx|odt>``; the exercise is the file
stem, looked up as ``<references>/<exercise>.txt`` (+ ``.toml``). Hidden files and office
lock files (``.~lock…#``, ``~$…``) inside a learner folder are skipped; any other entry is
graded or reported as an error row.

Optional manifest (CSV, ``,`` or ``;`` separated, UTF-8 with or without BOM, or cp1252), one
row per submission, header names in French or English (case and accents ignored):

- ``apprenant`` / ``learner`` (required): the learner's name (a folder name);
- ``exercice`` / ``exercise``: the exercise id (default: the file's stem);
- ``fichier`` / ``file``: the file, relative to SUBMISSIONS (default: the learner's
  ``<exercise>.txt|docx|odt``);
- ``duree_minutes`` / ``elapsed_minutes``: time spent, in minutes (``12,5`` or ``12.5``),
  for the DEL criterion;
- ``brouillon`` / ``draft``: the submission is a corrected speech-recognition draft
  (post-editing): ``fourni`` (or ``oui``) for the exercise's own draft
  (``<references>/<exercise>.brouillon.txt``), else the draft file, relative to SUBMISSIONS.

A manifest row that names a file found in the folders replaces what was guessed for it;
other rows are added. Two files for the same learner and exercise are both refused, unless
one is a dictation and the other a corrected draft (its ``brouillon`` cell set): two copies
of two activities, the corrected draft's report then ``<learner>/<exercise>.correction.html``.
"""

from __future__ import annotations

import csv
import io
import math
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import TranscribeError, os_reason
from .files import resolved
from .inputs import read_bytes
from .reading import SUPPORTED_SUFFIXES, decode_text_bytes

BIDI_CONTROLS = set("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
MAX_NAME_BYTES = 200  # a report is <learner>/<exercise>.html: file systems allow 255 bytes a name
MANIFEST_COLUMNS = {
    "learner": ("learner", "apprenant", "eleve", "stagiaire", "nom"),
    "exercise": ("exercise", "exercice", "exercise_id", "id"),
    "file": ("file", "fichier", "path", "chemin"),
    "elapsed": ("elapsed_minutes", "duree_minutes", "elapsed", "duree", "minutes", "temps_minutes"),
    "draft": ("brouillon", "draft", "fichier_brouillon", "draft_file"),
}
BUNDLED_DRAFT = ("fourni", "oui", "bundled", "yes")  # manifest « brouillon » cell: the exercise's own draft


@dataclass
class BatchItem:
    """One submission to grade: who, which exercise, which file, how long it took."""

    learner: str
    exercise: str
    file: Path | None
    elapsed: float | None = None
    problem: str = ""  # known before grading: why it cannot be graded (French)
    draft: Path | None = None  # post-editing: the draft it corrects (None: the exercise's own)
    post_edit: bool = False  # graded as a corrected draft (manifest « brouillon » column)


def printable(name: str) -> str:
    """A name fit to show: control characters written as escapes."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in name)


def name_problem(name: str, what: str = "nom d'apprenant") -> str:
    """Why a name cannot be a folder or file name part of the reports ('' when it can)."""
    why = ""
    if not name.strip():
        why = "il est vide"
    elif name in (".", ".."):
        why = "il désigne un dossier parent"
    elif "/" in name or "\\" in name or (os.altsep and os.altsep in name):
        why = "il contient un séparateur de chemin"
    elif any(unicodedata.category(c) == "Cc" for c in name):
        why = "il contient un caractère de contrôle"
    elif any(c in BIDI_CONTROLS for c in name):
        why = "il contient un caractère de contrôle de direction (il s'afficherait dans un autre ordre)"
    elif any(unicodedata.category(c) == "Cs" for c in name):
        why = "il contient des octets illisibles (encodage du nom de fichier)"
    elif name.startswith("."):
        why = "il commence par un point (fichier caché)"
    elif len(name.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
        why = f"il est trop long (plus de {MAX_NAME_BYTES} octets ; les rapports en dérivent leur nom)"
    return f"{what} refusé « {printable(name)} » : {why}." if why else ""


def _skipped(name: str) -> bool:
    """Editor leftovers that are not submissions (hidden files, office lock files)."""
    return name.startswith((".", "~$")) or name.endswith("#")


def _link_problem(path: Path, root: Path) -> str:
    """Why a symbolic link (or a path through one) cannot be graded: it leads out of the class
    folder, or loops ('' when the path stays inside)."""
    try:
        path.resolve(strict=path.is_symlink()).relative_to(root.resolve())
    except ValueError:
        return LINK_OUT
    except (OSError, RuntimeError):
        return "lien symbolique cassé ou en boucle : refusé." if path.is_symlink() else ""
    return ""


LINK_OUT = "lien symbolique vers l'extérieur du dossier des copies : refusé (le contenu ne serait pas celui de la copie)."


def _entries(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        raise TranscribeError(f"dossier illisible ({os_reason(exc)}).", folder) from exc


def discover(submissions: Path, out: Path | None = None) -> list[BatchItem]:
    """Every learner × file of the folder layout, problems noted on the items."""
    items: list[BatchItem] = []
    skip = resolved(out) if out is not None else None
    for entry in _entries(submissions):
        if skip is not None and resolved(entry) == skip:
            continue
        if not entry.is_dir():
            continue  # loose files at the top (a manifest, notes) are not submissions
        problem = name_problem(entry.name, "dossier d'apprenant")
        link = "" if problem else _link_problem(entry, submissions)
        if link:
            problem = f"dossier d'apprenant « {printable(entry.name)} » : {link}"
        if not problem:
            try:
                paths = _entries(entry)
            except TranscribeError as exc:
                problem = f"dossier d'apprenant « {printable(entry.name)} » : {exc.message}"
        if problem:
            items.append(BatchItem(printable(entry.name), "", entry, problem=problem))
            continue
        for path in paths:
            if _skipped(path.name):
                continue
            stem = path.name if path.is_dir() else path.stem
            problem = name_problem(stem, "nom d'exercice")
            link = "" if problem else _link_problem(path, submissions)
            if link:
                problem = f"{printable(entry.name)}/{printable(path.name)} : {link}"
            items.append(BatchItem(entry.name, stem, path, problem=problem))
    return items


def _header_key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name.strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.replace(" ", "_").replace("-", "_").replace("(", "").replace(")", "")


def _decode_manifest(path: Path) -> str:
    """The manifest's text: UTF-8 (BOM or not), UTF-16 with BOM, cp1252; binary refused."""
    try:
        text = decode_text_bytes(read_bytes(path, "texte"), path)
    except TranscribeError as exc:
        raise TranscribeError(f"manifeste illisible : {exc.message}", path) from exc
    if "\x00" in text:
        raise TranscribeError("manifeste illisible : ce fichier n'est pas un texte (contenu binaire).", path)
    return text


def parse_minutes(text: str) -> float:
    """A duration in minutes (« 12,5 » or « 12.5 »): finite, at least 0; ValueError otherwise."""
    value = float(text.strip().replace(",", ".").replace(" ", "").replace("\u00a0", ""))
    if not math.isfinite(value) or value < 0:
        raise ValueError(text)
    return value


def read_manifest(path: Path, submissions: Path) -> list[BatchItem]:
    """The manifest's rows as items (see the module doc for the columns)."""
    text = _decode_manifest(path)
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ("\t" if "\t" in first and "," not in first else ",")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise TranscribeError(f"manifeste illisible : CSV invalide ligne {reader.line_num} "
                              "(guillemet non fermé ou cellule démesurée ?).", path) from exc
    if not rows:
        raise TranscribeError("manifeste vide : une ligne d'en-tête est attendue "
                              "(apprenant, exercice, fichier, duree_minutes).", path)
    header = [_header_key(h) for h in rows[0]]
    columns: dict[str, int] = {}
    for field_name, names in MANIFEST_COLUMNS.items():
        for k, h in enumerate(header):
            if h in names and field_name not in columns:
                columns[field_name] = k
    if "learner" not in columns:
        raise TranscribeError("manifeste : colonne « apprenant » (ou « learner ») introuvable ; colonnes "
                              "reconnues : apprenant, exercice, fichier, duree_minutes.", path)
    if "exercise" not in columns and "file" not in columns:
        raise TranscribeError("manifeste : il faut une colonne « exercice » ou « fichier ».", path)
    items = []
    for line_no, row in enumerate(rows[1:], start=2):
        def cell(name: str) -> str:
            k = columns.get(name)
            return row[k].strip() if k is not None and k < len(row) else ""

        learner, exercise, file_text, minutes = cell("learner"), cell("exercise"), cell("file"), cell("elapsed")
        draft_text = cell("draft")
        draft = None
        if draft_text and draft_text.lower() not in BUNDLED_DRAFT:
            draft = Path(draft_text) if Path(draft_text).is_absolute() else submissions / draft_text
        problem = name_problem(learner) if learner else "nom d'apprenant manquant."
        file = None
        if file_text and any(unicodedata.category(c) == "Cc" for c in file_text):
            problem = problem or f"chemin de fichier refusé « {printable(file_text)} » : il contient un caractère de contrôle."
        elif file_text:
            file = Path(file_text) if Path(file_text).is_absolute() else submissions / file_text
            exercise = exercise or file.stem
            inside = not Path(file_text).is_absolute() and ".." not in Path(file_text).parts
            link = _link_problem(file, submissions) if inside else ""
            if link:
                problem = problem or f"{printable(file_text)} : {link}"
        elif exercise and not problem and not name_problem(exercise, "nom d'exercice"):
            file = _find_submission(submissions / learner, exercise)
            if file is None:
                problem = (f"aucune copie pour l'exercice « {exercise} » dans le dossier « {learner} » "
                           f"(attendu : {exercise}.txt, .docx ou .odt).")
        if not exercise:
            problem = problem or "exercice manquant."
        problem = problem or name_problem(exercise, "nom d'exercice")
        elapsed = None
        if minutes:
            try:
                elapsed = parse_minutes(minutes)
            except ValueError:
                problem = problem or f"durée invalide « {minutes} » (un nombre de minutes est attendu)."
        items.append(BatchItem(printable(learner), printable(exercise), file, elapsed,
                               f"{problem[:-1]} (manifeste ligne {line_no})." if problem else "",
                               draft=draft, post_edit=bool(draft_text)))
    return items


def _find_submission(folder: Path, exercise: str) -> Path | None:
    for suffix in SUPPORTED_SUFFIXES:
        path = folder / f"{exercise}{suffix}"
        if path.is_file():
            return path
    return None


def merge_manifest(found: list[BatchItem], listed: list[BatchItem]) -> list[BatchItem]:
    """The manifest decides: its rows replace what was found for the same learner and exercise."""
    files = {str(resolved(item.file)) for item in listed if item.file is not None}
    covered = {(item.learner, item.exercise) for item in listed}
    kept = [item for item in found
            if (item.learner, item.exercise) not in covered
            and (item.file is None or str(resolved(item.file)) not in files)]
    return kept + listed


def mark_duplicates(items: list[BatchItem]) -> None:
    """Two files for the same learner, exercise and activity (a dictation, or a corrected draft
    marked by the manifest): neither is graded (which one counts?)."""
    groups: dict[tuple[str, str, bool], list[BatchItem]] = {}
    for item in items:
        if not item.problem and item.file is not None and item.file.suffix.lower() in SUPPORTED_SUFFIXES:
            groups.setdefault((item.learner, item.exercise, item.post_edit), []).append(item)
    for (learner, exercise, _corrected), group in groups.items():
        if len(group) > 1:
            names = ", ".join(sorted(p.file.name for p in group if p.file is not None))
            for item in group:
                item.problem = (f"plusieurs copies de « {learner} » pour l'exercice « {exercise} » ({names}) : "
                                "gardez-en une seule.")


def display_path(path: Path | None, submissions: Path) -> str:
    """The file as the gradebook shows it: relative to the submissions folder when inside it."""
    if path is None:
        return ""
    for base in (Path(os.path.abspath(submissions)), resolved(submissions)):  # the link itself, not its target
        try:
            return printable(Path(os.path.abspath(path)).relative_to(base).as_posix())
        except ValueError:
            continue
    return printable(str(path))
