"""A class's results for the command line and the LMS: gradebook, submissions folder, Moodle CSV.

One attempt per learner and assigned exercise: the last one submitted (a submissions folder
holds one copy per learner and exercise). From these attempts:

- ``gradebook_records``: the records ``transcribe grade`` writes, so ``gradebook.csv`` and
  ``gradebook.json`` come from the batch grader's own writer, column for column;
- ``submissions_zip``: ``copies/<learner>/<exercise>.txt`` (the folder ``transcribe grade``
  reads), ``manifeste.csv`` (the time each copy took: DEL is graded the same) and
  ``references/`` (each exercise's ``.txt``, ``.toml`` and template ``.modele.txt``), so that
  ``transcribe grade copies -r references -m manifeste.csv`` gives the server's notes again;
  draft-correction attempts go to ``copies-correction/`` (graded with the post-editing mode);
- ``moodle_csv``: Moodle's grade import (Notes → Importer → Fichier CSV): one row per learner,
  the account name, the name, the column Moodle's own export calls ``Email address`` (from
  Moodle's launch or the learners' import: map it to ``useremail``, the one identifier Moodle
  and this server share) and one column per exercise, the note out of 20 with a ``.`` (what
  Moodle reads), empty when not done; no « Last downloaded » column.

Every CSV cell, the headers' exercise titles included, is neutralised against formula
injection (``spreadsheet.writer``).
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from ... import __version__, gradebook, spreadsheet
from .models import User
from ..db import Attempt

EMAIL_COLUMN = "Email address"  # the name Moodle's own grade export gives it
SUBMISSION_FOLDERS = {"dictee": "copies", "correction": "copies-correction"}
README = """Export de la classe « {name} » ({date}), par transcribe {version}.

copies/<apprenant>/<exercice>.txt : la dernière copie rendue de chaque apprenant pour chaque
exercice en saisie sous dictée ; copies-correction/ : celles des exercices en correction de
brouillon. manifeste.csv : le temps passé sur chaque copie (critère DEL).
references/ : les exercices (référence, métadonnées et modèle de document).

Pour corriger à nouveau ces copies en ligne de commande (mêmes notes que sur le serveur) :

    transcribe grade copies --references references --manifest manifeste.csv

gradebook.csv et gradebook.json : le carnet de notes, au format de « transcribe grade ».
moodle.csv : import des notes dans Moodle (Notes > Importer > Fichier CSV) : associez la
colonne « Email address » à « useremail », puis chaque exercice à un élément d'évaluation.
"""


def submission_path(user: User, attempt: Attempt) -> str:
    return f"{user.username}/{attempt.exercise_id}.txt"


def record(user: User, attempt: Attempt) -> dict:
    """The gradebook record of one attempt, as ``batch.grade_task`` makes it."""
    elapsed = attempt.elapsed_seconds / 60 if attempt.elapsed_seconds is not None else None
    report = attempt.report or {}
    return {"learner": user.username, "exercise": attempt.exercise_id, "file": submission_path(user, attempt),
            "elapsed_minutes": elapsed, "status": "ok", "message": "",
            "report": f"{user.username}/{attempt.exercise_id}.html",
            "exercise_title": report.get("exercise_title") or attempt.exercise_title or attempt.exercise_id,
            "decision": report.get("decision", ""), "score": attempt.score}


def gradebook_records(rows: list[tuple[User, Attempt]]) -> list[dict]:
    return [record(user, attempt) for user, attempt in rows]


def gradebook_csv_bytes(rows: list[tuple[User, Attempt]], decimal_comma: bool = False) -> bytes:
    return b"\xef\xbb\xbf" + gradebook.gradebook_csv(gradebook_records(rows), decimal_comma).encode()


def gradebook_json(rows: list[tuple[User, Attempt]], class_name: str, bareme: str = "defaut") -> str:
    return gradebook.gradebook_json(gradebook_records(rows), bareme, class_name)


def manifest_csv(rows: list[tuple[User, Attempt]]) -> str:
    buffer = io.StringIO()
    writer = spreadsheet.writer(buffer, lineterminator="\r\n")
    writer.writerow(["apprenant", "exercice", "fichier", "duree_minutes"])
    for user, attempt in rows:
        folder = SUBMISSION_FOLDERS.get(attempt.mode, "copies")
        if folder != "copies":
            continue
        minutes = "" if attempt.elapsed_seconds is None else repr(attempt.elapsed_seconds / 60)
        writer.writerow([user.username, attempt.exercise_id, submission_path(user, attempt), minutes])
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


def submissions_zip(rows: list[tuple[User, Attempt]], class_name: str,
                    references: dict[str, tuple[str, bytes, bytes | None, bytes | None]],
                    learners: list[User], titles: dict[str, str]) -> bytes:
    """The whole export; ``references``: exercise id → (id, reference bytes, toml bytes or None,
    template bytes or None)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("LISEZMOI.txt", README.format(name=class_name, date=datetime.now().strftime("%d/%m/%Y %H:%M"),
                                                       version=__version__))
        for user, attempt in rows:
            folder = SUBMISSION_FOLDERS.get(attempt.mode, "copies")
            archive.writestr(f"{folder}/{submission_path(user, attempt)}", attempt.text.encode("utf-8"))
        archive.writestr("manifeste.csv", manifest_csv(rows))
        for exercise_id, (_, text, toml, template) in sorted(references.items()):
            archive.writestr(f"references/{exercise_id}.txt", text)
            if toml is not None:
                archive.writestr(f"references/{exercise_id}.toml", toml)
            if template is not None:
                archive.writestr(f"references/{exercise_id}.modele.txt", template)
        archive.writestr("gradebook.csv", gradebook_csv_bytes(rows))
        archive.writestr("gradebook.json", gradebook_json(rows, class_name))
        archive.writestr("moodle.csv", moodle_csv(rows, learners, titles))
    return buffer.getvalue()
