"""Batch grading for trainers: grade a class's submissions in parallel, resumably.

The submissions are found by :mod:`transcribe.submissions` (folders and manifest); each one
becomes a :class:`Task` graded in a worker process, which writes the learner's page and a
cache entry; :mod:`transcribe.gradebook` writes the gradebook and the class page. Outputs in
``OUT``: ``gradebook.csv``, ``gradebook.json``, ``index.html``, ``<learner>/<exercise>.html``,
and ``.cache/`` (one JSON per finished item, keyed by a hash of everything the result depends
on, so an interrupted batch resumes).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from . import __version__, inputs
from .drafts import draft_path
from .errors import TranscribeError, os_reason
from .exercise import is_exercise_id, load_exercise, template_path
from .files import resolved, write_atomic
from .gradebook import OUTPUT_FILES, summary, write_gradebook
from .grading import Bareme, grade
from .reading import SUPPORTED_SUFFIXES, document_from_text, read_document
from .scoring import score_documents
from .submissions import BatchItem, discover, display_path, mark_duplicates, merge_manifest, read_manifest

CACHE_FORMAT = 1
CACHE_DIR = ".cache"
FINGERPRINT_SUFFIXES = (".py", ".j2", ".toml", ".tsv", ".dic", ".aff", ".txt", ".json")


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
    mode: str = "dictee"  # "post-edition": every submission is a corrected draft of its exercise


@dataclass
class BatchResult:
    records: list[dict]
    computed: int = 0
    cached: int = 0
    failed: int = field(init=False, default=0)
    graded: int = field(init=False, default=0)
    mean: float | None = field(init=False, default=None)

    def __post_init__(self):
        counts = summary(self.records)
        self.graded, self.failed, self.mean = counts["ok"], counts["erreur"], counts["moyenne"]


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
    draft: str | None = None  # post-editing: the draft the submission corrects


# --- inputs, outputs, keys ------------------------------------------------------------------

def check_out_dir(submissions: Path, out: Path) -> None:
    """The output folder must not be (nor be inside) the submissions folder."""
    sub, target = resolved(submissions), resolved(out)
    if target == sub:
        raise TranscribeError("le dossier de sortie est le dossier des copies : choisissez-en un autre "
                              "avec --out (les copies ne sont jamais écrasées).", out)
    if sub in target.parents:
        raise TranscribeError("le dossier de sortie ne doit pas se trouver dans le dossier des copies : "
                              "choisissez-en un autre avec --out.", out)
    if target.exists() and not target.is_dir():
        raise TranscribeError("le dossier de sortie existe et n'est pas un dossier.", out)


def check_writable(out: Path) -> None:
    """Create the output folder and try a file in it, before any grading."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_atomic(out / CACHE_DIR / ".essai", b"")
        (out / CACHE_DIR / ".essai").unlink()
    except OSError as exc:
        raise TranscribeError(f"dossier de sortie inutilisable ({os_reason(exc)}) : choisissez-en un autre "
                              "avec --out.", out) from exc


def report_path(item: BatchItem) -> str:
    """``<learner>/<exercise>.html``; a copy the manifest marks as a corrected draft:
    ``<learner>/<exercise>.correction.html`` (the same learner may have typed it too)."""
    return f"{item.learner}/{item.exercise}{'.correction' if item.post_edit else ''}.html"


def check_collisions(items: list[BatchItem], out: Path, inputs: list[Path]) -> None:
    """Refuse to run when an output file would land on an input file."""
    protected = {str(resolved(p)) for p in inputs}
    protected |= {str(resolved(item.file)) for item in items if item.file is not None}
    outputs = [out / name for name in OUTPUT_FILES]
    outputs += [out / report_path(item) for item in items if not item.problem]
    for path in outputs:
        if str(resolved(path)) in protected:
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
    """(reference path, hash of its text, metadata and template) or a French problem."""
    if exercise in memo:
        return memo[exercise]
    path = references / f"{exercise}.txt"
    if not is_exercise_id(exercise):
        memo[exercise] = (f"exercice « {exercise} » inconnu : un identifiant d'exercice ne contient pas de "
                          "point (un brouillon <id>.brouillon.txt n'est pas un exercice).")
        return memo[exercise]
    if not path.is_file():
        memo[exercise] = (f"exercice « {exercise} » inconnu : pas de référence {exercise}.txt "
                          f"dans {references}.")
        return memo[exercise]
    toml = path.with_suffix(".toml")
    try:
        digest = hashlib.sha256(inputs.read_bytes(path, "texte"))
        digest.update(b"\0toml\0" + (inputs.read_bytes(toml, "texte") if toml.exists() else b""))
        template = template_path(path)
        if template.exists():  # the given lines are graded apart: a new template, new results
            digest.update(b"\0modele\0" + inputs.read_bytes(template, "texte"))
    except TranscribeError as exc:
        memo[exercise] = str(exc)
        return memo[exercise]
    memo[exercise] = (path, digest.hexdigest())
    return memo[exercise]


def item_key(item: BatchItem, submission: bytes, ref_digest: str, bareme: str) -> str:
    digest = hashlib.sha256()
    for part in (tool_fingerprint(), item.learner, item.exercise, item.file.suffix.lower() if item.file else "",
                 ref_digest, bareme, repr(item.elapsed)):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(submission)
    return digest.hexdigest()

def failed_record(item: BatchItem, message: str, submissions: Path) -> dict:
    return {"learner": item.learner, "exercise": item.exercise, "file": display_path(item.file, submissions),
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
        if task.draft is not None:
            from .postedit import score_post_edit_documents

            score = score_post_edit_documents(submission, read_document(task.draft), reference, exercise,
                                              task.bareme, task.elapsed)
        else:
            score = grade(score_documents(submission, reference, exercise), task.bareme, task.elapsed)
        context = learner_context(score, task.learner, task.exercise, Path(task.file).name, task.elapsed)
        out = Path(task.out)
        write_atomic(out / task.report, render_learner(context))
        record = {**base, "status": "ok", "message": "", "report": task.report,
                  "exercise_title": context["exercise_title"], "decision": score.decision,
                  "score": score.to_dict()}
        entry = {"format": CACHE_FORMAT, "key": task.key, "record": record, "page": context}
        write_atomic(out / CACHE_DIR / f"{task.key}.json", json.dumps(entry, ensure_ascii=False, allow_nan=False))
        return record
    except TranscribeError as exc:
        about_submission = exc.path is None or exc.path == Path(task.file)
        message = f"{task.display_file} : {exc.message}" if about_submission else f"{task.display_file} : {exc}"
    except OSError as exc:  # writing the page or the cache entry: read-only or full disk
        message = f"{task.display_file} : écriture du rapport impossible ({os_reason(exc)})."
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
        if not options.manifest.exists():
            raise TranscribeError("manifeste introuvable.", options.manifest)
        inputs.check_file(options.manifest, "texte")
        items = merge_manifest(items, read_manifest(options.manifest, options.submissions))
    if not items:
        loose = [p.name for p in options.submissions.iterdir()
                 if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES]
        hint = (" : les copies doivent être rangées dans un dossier par apprenant "
                f"(par exemple alice/{loose[0]})" if loose else
                " (attendu : <apprenant>/<exercice>.txt, .docx ou .odt)")
        raise TranscribeError(f"aucune copie trouvée{hint}.", options.submissions)
    mark_duplicates(items)
    given = [p for p in options.references.iterdir() if p.is_file()]
    if options.manifest is not None:
        given.append(options.manifest)
    given += [item.draft for item in items if item.draft is not None]
    if options.bareme.source and Path(options.bareme.source).is_file():
        given.append(Path(options.bareme.source))
    check_collisions(items, options.out, given)
    check_writable(options.out)
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
        display = display_path(item.file, options.submissions)
        ref = reference_digest(options.references, item.exercise, memo)
        if isinstance(ref, str):
            slots.append(failed_record(item, f"{display} : {ref}", options.submissions))
            continue
        suffix = item.file.suffix.lower()
        data = b""  # not a submission file: grading says why
        if suffix in SUPPORTED_SUFFIXES and not item.file.is_dir():
            try:
                data = inputs.read_bytes(item.file, "texte" if suffix == ".txt" else "bureautique")
            except TranscribeError as exc:
                slots.append(failed_record(item, f"{display} : {exc.message}", options.submissions))
                continue
        draft = None
        if item.post_edit or item.draft is not None or options.mode == "post-edition":
            draft = item.draft if item.draft is not None else draft_path(ref[0])
            if not draft.is_file():
                why = ("brouillon introuvable" if item.draft is not None else
                       f"l'exercice « {item.exercise} » n'a pas de brouillon fourni")
                slots.append(failed_record(item, f"{display} : {why} ({draft.name}).", options.submissions))
                continue
            try:
                digest = hashlib.sha256(inputs.read_bytes(draft, "texte")).hexdigest()
            except TranscribeError as exc:
                slots.append(failed_record(item, f"{display} : brouillon {draft.name} : {exc.message}",
                                           options.submissions))
                continue
        key = item_key(item, data, ref[1] + (f"/brouillon:{digest}" if draft else ""), scale)
        task = Task(item.learner, item.exercise, str(item.file), display, item.elapsed, str(ref[0]), ref[1], key,
                    str(options.out), report_path(item), options.bareme, str(draft) if draft else None)
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
    try:
        write_gradebook(options.out, records, options.bareme, options.submissions, options.decimal_comma,
                        options.title)
    except OSError as exc:
        raise TranscribeError(f"carnet de notes impossible à écrire ({os_reason(exc)}) ; les copies corrigées "
                              "sont gardées : relancez la commande une fois la place libérée.", options.out) from exc
    return result
