"""Batch grading for trainers: find the submissions, grade them in parallel, write the gradebook.

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
  for the DEL criterion.

A manifest row that names a file found in the folders replaces what was guessed for it;
other rows are added. Outputs in ``OUT``: ``gradebook.csv``, ``gradebook.json``,
``index.html``, ``<learner>/<exercise>.html``, and ``.cache/`` (one JSON per finished item,
keyed by a hash of everything the result depends on, so an interrupted batch resumes).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import multiprocessing
import os
import unicodedata
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from statistics import mean

from . import __version__
from .classify import ERROR_TYPES
from .errors import TranscribeError
from .exercise import load_exercise
from .files import write_atomic
from .grading import CRITERIA, Bareme, grade
from .reading import SUPPORTED_SUFFIXES, document_from_text, read_document
from .scoring import score_documents

CACHE_FORMAT = 1
CACHE_DIR = ".cache"
OUTPUT_FILES = ("gradebook.csv", "gradebook.json", "index.html")
FINGERPRINT_SUFFIXES = (".py", ".j2", ".toml", ".tsv", ".dic", ".aff", ".txt", ".json")
MANIFEST_COLUMNS = {
    "learner": ("learner", "apprenant", "eleve", "stagiaire", "nom"),
    "exercise": ("exercise", "exercice", "exercise_id", "id"),
    "file": ("file", "fichier", "path", "chemin"),
    "elapsed": ("elapsed_minutes", "duree_minutes", "elapsed", "duree", "minutes", "temps_minutes"),
}


@dataclass
class BatchItem:
    """One submission to grade: who, which exercise, which file, how long it took."""

    learner: str
    exercise: str
    file: Path | None
    elapsed: float | None = None
    problem: str = ""  # known before grading: why it cannot be graded (French)


@dataclass
class BatchOptions:
    submissions: Path
    references: Path
    out: Path
    bareme: Bareme
    jobs: int = 1
    decimal_comma: bool = False
    manifest: Path | None = None
    progress: bool = False
    title: str = ""


@dataclass
class BatchResult:
    records: list[dict]
    computed: int = 0
    cached: int = 0
    failed: int = field(init=False, default=0)
    graded: int = field(init=False, default=0)
    mean: float | None = field(init=False, default=None)

    def __post_init__(self):
        ok = [r for r in self.records if r["status"] == "ok"]
        self.graded = len(ok)
        self.failed = len(self.records) - len(ok)
        notes = [r["score"]["note"] for r in ok if r["score"].get("note") is not None]
        self.mean = mean(notes) if notes else None


@dataclass
class Task:
    """What a worker needs to grade one item and write its page and cache entry."""

    learner: str
    exercise: str
    file: str
    display_file: str
    elapsed: float | None
    reference: str
    reference_digest: str
    key: str
    out: str
    report: str
    bareme: Bareme


# --- names and discovery --------------------------------------------------------------------

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
    elif any(unicodedata.category(c) == "Cs" for c in name):
        why = "il contient des octets illisibles (encodage du nom de fichier)"
    elif name.startswith("."):
        why = "il commence par un point (fichier caché)"
    return f"{what} refusé « {printable(name)} » : {why}." if why else ""


def _skipped(name: str) -> bool:
    """Editor leftovers that are not submissions (hidden files, office lock files)."""
    return name.startswith((".", "~$")) or name.endswith("#")


def discover(submissions: Path, out: Path | None = None) -> list[BatchItem]:
    """Every learner × file of the folder layout, problems noted on the items."""
    items: list[BatchItem] = []
    skip = out.resolve() if out is not None else None
    for entry in sorted(submissions.iterdir(), key=lambda p: p.name):
        if skip is not None and entry.resolve() == skip:
            continue
        if not entry.is_dir():
            continue  # loose files at the top (a manifest, notes) are not submissions
        problem = name_problem(entry.name, "dossier d'apprenant")
        if problem:
            items.append(BatchItem(printable(entry.name), "", entry, problem=problem))
            continue
        for path in sorted(entry.iterdir(), key=lambda p: p.name):
            if _skipped(path.name):
                continue
            stem = path.stem if path.is_file() else path.name
            items.append(BatchItem(entry.name, stem, path, problem=name_problem(stem, "nom d'exercice")))
    return items


def _header_key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name.strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.replace(" ", "_").replace("-", "_").replace("(", "").replace(")", "")


def _decode_manifest(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TranscribeError(f"manifeste illisible ({exc.strerror}).", path) from exc
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def parse_minutes(text: str) -> float:
    value = float(text.strip().replace(",", ".").replace(" ", "").replace("\u00a0", ""))
    if value < 0 or value != value:
        raise ValueError(text)
    return value


def read_manifest(path: Path, submissions: Path) -> list[BatchItem]:
    """The manifest's rows as items (see the module doc for the columns)."""
    text = _decode_manifest(path)
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ("\t" if "\t" in first and "," not in first else ",")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = [row for row in reader if any(cell.strip() for cell in row)]
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
        problem = name_problem(learner) if learner else "nom d'apprenant manquant."
        file = None
        if file_text:
            file = Path(file_text) if Path(file_text).is_absolute() else submissions / file_text
            exercise = exercise or file.stem
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
                               f"{problem[:-1]} (manifeste ligne {line_no})." if problem else ""))
    return items


def _find_submission(folder: Path, exercise: str) -> Path | None:
    for suffix in SUPPORTED_SUFFIXES:
        path = folder / f"{exercise}{suffix}"
        if path.is_file():
            return path
    return None


def merge_manifest(found: list[BatchItem], listed: list[BatchItem]) -> list[BatchItem]:
    """The manifest decides: its rows replace what was found for the same learner and exercise."""
    files = {str(item.file.resolve()) for item in listed if item.file is not None}
    covered = {(item.learner, item.exercise) for item in listed}
    kept = [item for item in found
            if (item.learner, item.exercise) not in covered
            and (item.file is None or str(item.file.resolve()) not in files)]
    return kept + listed


def mark_duplicates(items: list[BatchItem]) -> None:
    """Two files for the same learner and exercise: neither is graded (which one counts?)."""
    groups: dict[tuple[str, str], list[BatchItem]] = {}
    for item in items:
        if not item.problem and item.file is not None and item.file.suffix.lower() in SUPPORTED_SUFFIXES:
            groups.setdefault((item.learner, item.exercise), []).append(item)
    for (learner, exercise), group in groups.items():
        if len(group) > 1:
            names = ", ".join(sorted(p.file.name for p in group if p.file is not None))
            for item in group:
                item.problem = (f"plusieurs copies de « {learner} » pour l'exercice « {exercise} » ({names}) : "
                                "gardez-en une seule.")


# --- inputs, outputs, keys ------------------------------------------------------------------

def check_out_dir(submissions: Path, out: Path) -> None:
    """The output folder must not be (nor be inside) the submissions folder."""
    sub, target = submissions.resolve(), out.resolve()
    if target == sub:
        raise TranscribeError("le dossier de sortie est le dossier des copies : choisissez-en un autre "
                              "avec --out (les copies ne sont jamais écrasées).", out)
    if sub in target.parents:
        raise TranscribeError("le dossier de sortie ne doit pas se trouver dans le dossier des copies : "
                              "choisissez-en un autre avec --out.", out)
    if target.exists() and not target.is_dir():
        raise TranscribeError("le dossier de sortie existe et n'est pas un dossier.", out)


def report_path(item: BatchItem) -> str:
    return f"{item.learner}/{item.exercise}.html"


def check_collisions(items: list[BatchItem], out: Path, inputs: list[Path]) -> None:
    """Refuse to run when an output file would land on an input file."""
    protected = {str(p.resolve()) for p in inputs}
    protected |= {str(item.file.resolve()) for item in items if item.file is not None}
    outputs = [out / name for name in OUTPUT_FILES]
    outputs += [out / report_path(item) for item in items if not item.problem]
    for path in outputs:
        if str(path.resolve()) in protected:
            raise TranscribeError("ce fichier de sortie écraserait un fichier d'entrée : choisissez un autre "
                                  "dossier avec --out.", path)


@lru_cache(maxsize=1)
def tool_fingerprint() -> str:
    """The tool version and a hash of the package's code, templates and grading data."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"{__version__}/{CACHE_FORMAT}".encode())
    for path in sorted(root.rglob("*")):
        if path.suffix in FINGERPRINT_SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def bareme_digest(bareme: Bareme) -> str:
    data = asdict(bareme)
    data.pop("source", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def reference_digest(references: Path, exercise: str, memo: dict) -> tuple[Path, str] | str:
    """(reference path, hash of its text and metadata) or a French problem."""
    if exercise in memo:
        return memo[exercise]
    path = references / f"{exercise}.txt"
    if not path.is_file():
        memo[exercise] = (f"exercice « {exercise} » inconnu : pas de référence {exercise}.txt "
                          f"dans {references}.")
        return memo[exercise]
    digest = hashlib.sha256(path.read_bytes())
    toml = path.with_suffix(".toml")
    digest.update(b"\0toml\0" + (toml.read_bytes() if toml.is_file() else b""))
    memo[exercise] = (path, digest.hexdigest())
    return memo[exercise]


def item_key(item: BatchItem, submission: bytes, ref_digest: str, bareme: str) -> str:
    digest = hashlib.sha256()
    for part in (tool_fingerprint(), item.learner, item.exercise, item.file.suffix.lower() if item.file else "",
                 ref_digest, bareme, repr(item.elapsed)):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(submission)
    return digest.hexdigest()


def _display(path: Path | None, submissions: Path) -> str:
    if path is None:
        return ""
    try:
        return printable(path.resolve().relative_to(submissions.resolve()).as_posix())
    except ValueError:
        return printable(str(path))


def failed_record(item: BatchItem, message: str, submissions: Path) -> dict:
    return {"learner": item.learner, "exercise": item.exercise, "file": _display(item.file, submissions),
            "status": "erreur", "message": message, "elapsed_minutes": item.elapsed, "report": "",
            "exercise_title": "", "decision": "", "score": None}


# --- grading one item (in a worker process or in-process) -----------------------------------

@lru_cache(maxsize=64)
def _exercise(reference: str, digest: str):
    exercise = load_exercise(reference)
    document = document_from_text(exercise.reference_text(), exercise.reference_path)
    return exercise, document


def grade_task(task: Task) -> dict:
    """Grade one submission, write its page and its cache entry; the gradebook record."""
    from .report.html import learner_context, render_learner

    base = {"learner": task.learner, "exercise": task.exercise, "file": task.display_file,
            "elapsed_minutes": task.elapsed}
    try:
        exercise, reference = _exercise(task.reference, task.reference_digest)
        submission = read_document(task.file)
        score = grade(score_documents(submission, reference, exercise), task.bareme, task.elapsed)
        context = learner_context(score, task.learner, task.exercise, Path(task.file).name, task.elapsed)
        out = Path(task.out)
        write_atomic(out / task.report, render_learner(context))
        record = {**base, "status": "ok", "message": "", "report": task.report,
                  "exercise_title": context["exercise_title"], "decision": score.decision,
                  "score": score.to_dict()}
        entry = {"format": CACHE_FORMAT, "key": task.key, "record": record, "page": context}
        write_atomic(out / CACHE_DIR / f"{task.key}.json", json.dumps(entry, ensure_ascii=False))
        return record
    except TranscribeError as exc:
        about_submission = exc.path is None or exc.path == Path(task.file)
        message = f"{task.display_file} : {exc.message}" if about_submission else f"{task.display_file} : {exc}"
    except Exception as exc:  # one bad file never stops the batch
        message = f"{task.display_file} : erreur inattendue pendant la correction ({type(exc).__name__} : {exc})."
    return {**base, "status": "erreur", "message": message, "report": "", "exercise_title": "",
            "decision": "", "score": None}


def load_cached(out: Path, key: str, task: Task) -> dict | None:
    """The finished record of an item from the cache (its page rewritten if it went missing)."""
    path = out / CACHE_DIR / f"{key}.json"
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("format") != CACHE_FORMAT or entry.get("key") != key:
        return None
    record = entry.get("record")
    if not isinstance(record, dict) or not isinstance(entry.get("page"), dict):
        return None
    record["file"] = task.display_file
    if not (out / task.report).is_file():
        from .report.html import render_learner

        write_atomic(out / task.report, render_learner(entry["page"]))
    return record


# --- the batch ------------------------------------------------------------------------------

def collect_items(options: BatchOptions) -> list[BatchItem]:
    if not options.submissions.is_dir():
        raise TranscribeError("dossier des copies introuvable.", options.submissions)
    if not options.references.is_dir():
        raise TranscribeError("dossier de références introuvable.", options.references)
    check_out_dir(options.submissions, options.out)
    items = discover(options.submissions, options.out)
    if options.manifest is not None:
        if not options.manifest.is_file():
            raise TranscribeError("manifeste introuvable.", options.manifest)
        items = merge_manifest(items, read_manifest(options.manifest, options.submissions))
    if not items:
        loose = [p.name for p in options.submissions.iterdir()
                 if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES]
        hint = (" : les copies doivent être rangées dans un dossier par apprenant "
                f"(par exemple alice/{loose[0]})" if loose else
                " (attendu : <apprenant>/<exercice>.txt, .docx ou .odt)")
        raise TranscribeError(f"aucune copie trouvée{hint}.", options.submissions)
    mark_duplicates(items)
    inputs = [p for p in options.references.iterdir() if p.is_file()]
    if options.manifest is not None:
        inputs.append(options.manifest)
    if options.bareme.source and Path(options.bareme.source).is_file():
        inputs.append(Path(options.bareme.source))
    check_collisions(items, options.out, inputs)
    return sorted(items, key=lambda it: (it.learner, it.exercise, str(it.file)))


def plan(options: BatchOptions, items: list[BatchItem]) -> tuple[list, list[Task]]:
    """Split the items into ready records (failed early or cached) and tasks to compute."""
    memo: dict = {}
    scale = bareme_digest(options.bareme)
    slots: list = []
    tasks: list[Task] = []
    for item in items:
        if item.problem:
            slots.append(failed_record(item, item.problem, options.submissions))
            continue
        display = _display(item.file, options.submissions)
        ref = reference_digest(options.references, item.exercise, memo)
        if isinstance(ref, str):
            slots.append(failed_record(item, f"{display} : {ref}", options.submissions))
            continue
        try:
            data = item.file.read_bytes() if item.file.is_file() else b""
        except OSError as exc:
            slots.append(failed_record(item, f"{display} : lecture impossible ({exc.strerror}).", options.submissions))
            continue
        key = item_key(item, data, ref[1], scale)
        task = Task(item.learner, item.exercise, str(item.file), display, item.elapsed, str(ref[0]), ref[1], key,
                    str(options.out), report_path(item), options.bareme)
        cached = load_cached(options.out, key, task)
        slots.append(cached if cached is not None else task)
        if cached is None:
            tasks.append(task)
    return slots, tasks


def _watch_parent(parent: int) -> None:
    """In a worker: exit when the batch process is gone (killed), instead of waiting forever."""
    import threading
    import time

    def watch():
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass

    threading.Thread(target=watch, daemon=True, name="surveillance-parent").start()


def _pool(jobs: int) -> ProcessPoolExecutor:
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        context.set_forkserver_preload(["transcribe.batch", "transcribe.report.html"])
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_watch_parent,
                               initargs=(os.getpid(),))


def _progress(enabled: bool, total: int):
    from contextlib import nullcontext

    if not enabled or not total:
        return nullcontext(None)
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)

    return Progress(TextColumn("[bold]Correction"), BarColumn(), MofNCompleteColumn(), TextColumn("copies"),
                    TimeElapsedColumn(), TextColumn("reste"), TimeRemainingColumn(),
                    console=Console(stderr=True), transient=False)


def compute(tasks: list[Task], jobs: int, show_progress: bool = False) -> dict[str, dict]:
    """Grade the tasks (over ``jobs`` processes); records by cache key."""
    done: dict[str, dict] = {}
    with _progress(show_progress, len(tasks)) as progress:
        bar = progress.add_task("correction", total=len(tasks)) if progress else None

        def finished(task: Task, record: dict) -> None:
            done[task.key] = record
            if progress:
                progress.advance(bar)

        if jobs <= 1 or len(tasks) <= 1:
            for task in tasks:
                finished(task, grade_task(task))
            return done
        executor = _pool(min(jobs, len(tasks)))
        try:
            futures = {executor.submit(grade_task, task): task for task in tasks}
            pending = set(futures)
            while pending:
                complete, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in complete:
                    task = futures[future]
                    try:
                        record = future.result()
                    except BrokenProcessPool:
                        record = {"learner": task.learner, "exercise": task.exercise, "file": task.display_file,
                                  "elapsed_minutes": task.elapsed, "status": "erreur",
                                  "message": f"{task.display_file} : le processus de correction s'est arrêté "
                                             "brutalement (mémoire insuffisante ?) ; relancez la commande.",
                                  "report": "", "exercise_title": "", "decision": "", "score": None}
                    finished(task, record)
        except BaseException:
            executor.shutdown(wait=False, cancel_futures=True)
            raise
        executor.shutdown()
    return done


def run_batch(options: BatchOptions) -> BatchResult:
    """Grade a whole folder: reports, gradebook and class index written in ``options.out``."""
    items = collect_items(options)
    slots, tasks = plan(options, items)
    done = compute(tasks, options.jobs, options.progress)
    records = [done[s.key] if isinstance(s, Task) else s for s in slots]
    result = BatchResult(records, computed=len(tasks), cached=sum(isinstance(s, dict) and s["status"] == "ok"
                                                                  for s in slots))
    write_outputs(options, result)
    return result


# --- gradebook ------------------------------------------------------------------------------

def gradebook_header() -> list[str]:
    header = ["apprenant", "exercice", "fichier", "statut", "message", "note", "acquis"]
    for code in CRITERIA:
        header += [code, f"{code}_acquis"]
    header += ["WER", "CER", "exactitude_termes", "duree_minutes", "erreurs"]
    header += [f"n_{kind}" for kind in ERROR_TYPES]
    header += ["rapport"]
    return header


def _text(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _number(value, comma: bool, digits: int = 4) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    text = "0" if text in ("", "-0") else text
    return text.replace(".", ",") if comma else text


def _yes_no(value) -> str:
    return "" if value is None else ("oui" if value else "non")


def gradebook_row(record: dict, comma: bool) -> list[str]:
    s = record.get("score") or {}
    criteria = s.get("criteria", {})
    metrics = s.get("metrics", {})
    row = [_text(record["learner"]), _text(record["exercise"]), _text(record["file"]), record["status"],
           _text(record["message"]), _number(s.get("note"), comma, 2), _yes_no(s.get("acquis"))]
    for code in CRITERIA:
        c = criteria.get(code, {})
        row += [_number(c.get("value"), comma), _yes_no(c.get("acquis"))]
    counts = {kind: 0 for kind in ERROR_TYPES}
    for e in s.get("errors", []):
        counts[e["type"]] = counts.get(e["type"], 0) + 1
    row += [_number(metrics.get("wer"), comma), _number(metrics.get("cer"), comma),
            _number(metrics.get("term_accuracy"), comma), _number(record.get("elapsed_minutes"), comma, 2),
            str(len(s["errors"])) if s else ""]
    row += [str(counts[kind]) if s else "" for kind in ERROR_TYPES]
    row += [record.get("report") or ""]
    return row


def gradebook_csv(records: list[dict], decimal_comma: bool = False) -> str:
    """The gradebook as CSV text (the BOM is added when written)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if decimal_comma else ",", lineterminator="\r\n")
    writer.writerow(gradebook_header())
    for record in records:
        writer.writerow(gradebook_row(record, decimal_comma))
    return buffer.getvalue()


def write_outputs(options: BatchOptions, result: BatchResult) -> None:
    from .report.html import class_context, render_class

    out = options.out
    generated = datetime.now().strftime("%d/%m/%Y %H:%M")
    write_atomic(out / "gradebook.csv", b"\xef\xbb\xbf" + gradebook_csv(result.records, options.decimal_comma).encode())
    summary = {"copies": len(result.records), "ok": result.graded, "erreur": result.failed, "moyenne": result.mean}
    document = {"tool": "transcribe", "version": __version__, "generated": datetime.now().isoformat(timespec="seconds"),
                "bareme": options.bareme.name, "submissions": str(options.submissions), "summary": summary,
                "items": result.records}
    write_atomic(out / "gradebook.json", json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    title = options.title or f"Résultats de la classe — {options.submissions.resolve().name}"
    context = class_context(result.records, title, options.bareme.name,
                            pass_note=options.bareme.pass_note * 20 / options.bareme.scale, generated=generated)
    write_atomic(out / "index.html", render_class(context))
