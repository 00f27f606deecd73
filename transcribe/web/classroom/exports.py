"""A class's results for the command line and the LMS: gradebook, submissions folder, Moodle CSV.

One attempt per learner, assigned exercise and mode: the last one submitted (a submissions
folder holds one copy per learner and activity). From these attempts:

- ``gradebook_records``: the records ``transcribe grade`` writes, so ``gradebook.csv`` and
  ``gradebook.json`` come from the batch grader's own writer, column for column;
- ``submissions_zip``: ``copies/<learner>/<exercise>.txt`` (the folder ``transcribe grade``
  reads), a draft correction as ``copies/<learner>/<exercise>.correction.txt``;
  ``manifeste.csv``, one row per copy: its file, its mode, the time it took (minutes to the
  hundredth, the value the server graded DEL on) and, for a draft correction, ``brouillon``
  ``fourni`` (graded against the exercise's draft, with the post-editing figures); and
  ``references/`` (each exercise's ``.txt``, ``.toml``, template ``.modele.txt`` and draft
  ``.brouillon.txt``), so that ``transcribe grade copies -r references -m manifeste.csv``
  gives the server's notes again, draft corrections included;
- ``moodle_csv``: Moodle's grade import (Notes → Importer → Fichier CSV): one row per learner,
  the account name, the name, the column Moodle's own export calls ``Email address`` (from
  Moodle's launch or the learners' import: map it to ``useremail``, the one identifier Moodle
  and this server share) and one column per exercise, the note out of 20 with a ``.`` (what
  Moodle reads), empty when not done; no « Last downloaded » column.

An exercise made in the classroom server is versioned: its attempts are exported under
``<exercise>-v<N>`` (``export_id``), with the files of that version in ``references/``, so that
each copy is graded again against the version it was graded on. Moodle's columns stay one per
exercise and mode (an activity's note, whatever the version it was done on).

Every CSV cell, the headers' exercise titles included, is neutralised against formula
injection (``spreadsheet.writer``).
"""

from __future__ import annotations

import io
import zipfile

from ... import __version__, gradebook, spreadsheet
from .models import User
from ..db import Attempt

EMAIL_COLUMN = "Email address"  # the name Moodle's own grade export gives it
README = """Export de la classe « {name} » ({date}), par transcribe {version}.

copies/<apprenant>/<exercice>.txt : la dernière copie rendue de chaque apprenant pour chaque
exercice en saisie sous dictée ; copies/<apprenant>/<exercice>.correction.txt : en correction
de brouillon. manifeste.csv : une ligne par copie, son mode, le temps passé (critère DEL) et,
pour une correction, le brouillon corrigé (« fourni » : celui de l'exercice).
references/ : les exercices (référence, métadonnées, modèle de document, brouillon). Un
exercice créé sur le serveur y est à la version sur laquelle chaque copie a été faite
(<exercice>-v2 : sa version 2).

Pour corriger à nouveau ces copies en ligne de commande (mêmes notes que sur le serveur) :

    transcribe grade copies --references references --manifest manifeste.csv

gradebook.csv et gradebook.json : le carnet de notes, au format de « transcribe grade ».
moodle.csv : import des notes dans Moodle (Notes > Importer > Fichier CSV) : associez la
colonne « Email address » à « useremail », puis chaque exercice à un élément d'évaluation.
"""


def export_id(attempt: Attempt) -> str:
    """The exercise's name in the exports: ``<id>``, or ``<id>-v<N>`` for a versioned one."""
    return attempt.exercise_id if attempt.exercise_version is None else f"{attempt.exercise_id}-v{attempt.exercise_version}"


def _kind(attempt: Attempt) -> str:
    return ".correction" if attempt.mode == "correction" else ""


def submission_path(user: User, attempt: Attempt) -> str:
    return f"{user.username}/{export_id(attempt)}{_kind(attempt)}.txt"


def elapsed_minutes(attempt: Attempt) -> float | None:
    """The time taken as DEL was graded on it: minutes, to the hundredth (``store.submit``)."""
    return None if attempt.elapsed_seconds is None else round(attempt.elapsed_seconds / 60, 2)


def record(user: User, attempt: Attempt) -> dict:
    """The gradebook record of one attempt, as ``batch.grade_task`` makes it."""
    report = attempt.report or {}
    return {"learner": user.username, "exercise": export_id(attempt), "file": submission_path(user, attempt),
            "elapsed_minutes": elapsed_minutes(attempt), "status": "ok", "message": "",
            "report": f"{user.username}/{export_id(attempt)}{_kind(attempt)}.html",
            "exercise_title": report.get("exercise_title") or attempt.exercise_title or attempt.exercise_id,
            "decision": report.get("decision", ""), "score": attempt.score}


def gradebook_records(rows: list[tuple[User, Attempt]]) -> list[dict]:
    return [record(user, attempt) for user, attempt in rows]


def gradebook_csv_bytes(rows: list[tuple[User, Attempt]], decimal_comma: bool = False) -> bytes:
    return b"\xef\xbb\xbf" + gradebook.gradebook_csv(gradebook_records(rows), decimal_comma).encode()


def gradebook_json(rows: list[tuple[User, Attempt]], class_name: str, bareme: str = "defaut") -> str:
    return gradebook.gradebook_json(gradebook_records(rows), bareme, class_name)


def manifest_csv(rows: list[tuple[User, Attempt]]) -> str:
    """One row per copy: learner, exercise, file, minutes, draft (« fourni »: a draft correction), mode."""
    buffer = io.StringIO()
    writer = spreadsheet.writer(buffer, lineterminator="\r\n")
    writer.writerow(["apprenant", "exercice", "fichier", "duree_minutes", "brouillon", "mode"])
    for user, attempt in rows:
        minutes = elapsed_minutes(attempt)
        writer.writerow([user.username, export_id(attempt), submission_path(user, attempt),
                         "" if minutes is None else f"{minutes:.2f}",
                         "fourni" if attempt.mode == "correction" else "", attempt.mode])
    return buffer.getvalue()


def moodle_csv(rows: list[tuple[User, Attempt]], learners: list[User], titles: dict[str, str]) -> bytes:
    """Moodle's grade import: identifier, name, then one note column per exercise."""
    exercises = sorted({(a.exercise_id, a.mode) for _, a in rows})
    notes = {(u.id, a.exercise_id, a.mode): a.note for u, a in rows}
    buffer = io.StringIO()
    writer = spreadsheet.writer(buffer, lineterminator="\r\n")
    suffix = {"dictee": "", "correction": " (correction)"}
    writer.writerow(["identifiant", "nom", EMAIL_COLUMN] + [f"{titles.get(e, e)}{suffix.get(m, '')}" for e, m in exercises])
    for user in learners:
        cells = []
        for exercise, mode in exercises:
            note = notes.get((user.id, exercise, mode))
            cells.append("" if note is None else f"{note:.2f}")
        writer.writerow([user.username, user.display_name, user.email or ""] + cells)
    return buffer.getvalue().encode("utf-8")


REFERENCE_SUFFIXES = {"reference": ".txt", "metadata": ".toml", "template": ".modele.txt", "draft": ".brouillon.txt"}


def submissions_zip(rows: list[tuple[User, Attempt]], class_name: str, references: dict[str, dict[str, bytes]],
                    learners: list[User], titles: dict[str, str], generated: str) -> bytes:
    """The whole export; ``references``: export id → {"reference"|"metadata"|"template"|"draft": bytes}."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("LISEZMOI.txt", README.format(name=class_name, date=generated, version=__version__))
        for user, attempt in rows:
            archive.writestr(f"copies/{submission_path(user, attempt)}", attempt.text.encode("utf-8"))
        archive.writestr("manifeste.csv", manifest_csv(rows))
        for name, files in sorted(references.items()):
            for role, suffix in REFERENCE_SUFFIXES.items():
                if files.get(role) is not None:
                    archive.writestr(f"references/{name}{suffix}", files[role])
        archive.writestr("gradebook.csv", gradebook_csv_bytes(rows))
        archive.writestr("gradebook.json", gradebook_json(rows, class_name))
        archive.writestr("moodle.csv", moodle_csv(rows, learners, titles))
    return buffer.getvalue()
