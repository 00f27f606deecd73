"""The class gradebook: one row per submission, as CSV (spreadsheets) and JSON (scripts).

A gradebook record is the plain dict the batch produces for one submission (``learner``,
``exercise``, ``file``, ``status``, ``message``, ``elapsed_minutes``, ``report``, ``score``:
the score contract or ``None``). The CSV columns are listed once in :func:`columns`: to add a
column, add one :class:`Column` there (its header and how a record fills it).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from statistics import mean
from typing import Callable

from . import __version__, spreadsheet
from .classify import ERROR_TYPES
from .files import write_atomic
from .grading import CRITERIA, Bareme
from .spreadsheet import safe_cell

OUTPUT_FILES = ("gradebook.csv", "gradebook.json", "index.html")


@dataclass(frozen=True)
class Column:
    """One CSV column: its header and its cell for a record (``comma``: decimal comma)."""

    name: str
    cell: Callable[[dict, bool], str]


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


def _score(record: dict) -> dict:
    return record.get("score") or {}


def _criterion(record: dict, code: str) -> dict:
    return _score(record).get("criteria", {}).get(code, {})


def _metric(record: dict, name: str):
    return _score(record).get("metrics", {}).get(name)


def _count(record: dict, kind: str | None) -> str:
    """Number of errors (of one type, or all when ``kind`` is None); empty for a failed item."""
    s = _score(record)
    if not s:
        return ""
    return str(sum(1 for e in s["errors"] if kind is None or e["type"] == kind))


def _post_edit(record: dict, key: str, comma: bool) -> str:
    """A post-editing figure; empty for a copy that is not a corrected draft."""
    pe = _score(record).get("post_edit")
    if not pe:
        return ""
    if key == "missed_critical":
        return str(len(pe[key]))
    return _number(pe[key], comma)


POST_EDIT_COLUMNS = (("draft_errors", "draft_errors"), ("corrigees", "corrected"), ("oubliees", "missed"),
                     ("mal_corrigees", "miscorrected"), ("introduites", "introduced"),
                     ("taux_correction", "correction_rate"), ("critiques_laissees", "missed_critical"))


def columns() -> list[Column]:
    """The gradebook's columns, in order."""
    cols = [
        Column("apprenant", lambda r, c: r["learner"]),
        Column("exercice", lambda r, c: r["exercise"]),
        Column("fichier", lambda r, c: r["file"]),
        Column("statut", lambda r, c: r["status"]),
        Column("message", lambda r, c: r["message"]),
        Column("note", lambda r, c: _number(_score(r).get("note"), c, 2)),
        Column("acquis", lambda r, c: _yes_no(_score(r).get("acquis"))),
    ]
    for code in CRITERIA:
        cols += [Column(code, lambda r, c, code=code: _number(_criterion(r, code).get("value"), c)),
                 Column(f"{code}_acquis", lambda r, c, code=code: _yes_no(_criterion(r, code).get("acquis")))]
    cols += [
        Column("WER", lambda r, c: _number(_metric(r, "wer"), c)),
        Column("CER", lambda r, c: _number(_metric(r, "cer"), c)),
        Column("exactitude_termes", lambda r, c: _number(_metric(r, "term_accuracy"), c)),
        Column("duree_minutes", lambda r, c: _number(r.get("elapsed_minutes"), c, 2)),
        Column("erreurs", lambda r, c: _count(r, None)),
    ]
    cols += [Column(f"n_{kind}", lambda r, c, kind=kind: _count(r, kind)) for kind in ERROR_TYPES]
    # Post-editing (a corrected speech-recognition draft): empty for a dictation copy.
    cols += [Column(name, lambda r, c, key=key: _post_edit(r, key, c)) for name, key in POST_EDIT_COLUMNS]
    cols += [Column("rapport", lambda r, c: r.get("report") or "")]
    return cols


def gradebook_header() -> list[str]:
    return [column.name for column in columns()]


def gradebook_row(record: dict, comma: bool) -> list[str]:
    return [safe_cell(column.cell(record, comma)) for column in columns()]


def gradebook_csv(records: list[dict], decimal_comma: bool = False) -> str:
    """The gradebook as CSV text (the BOM is added when written)."""
    buffer = io.StringIO()
    writer = spreadsheet.writer(buffer, delimiter=";" if decimal_comma else ",", lineterminator="\r\n")
    cols = columns()
    writer.writerow([column.name for column in cols])
    for record in records:
        writer.writerow([column.cell(record, decimal_comma) for column in cols])
    return buffer.getvalue()


def summary(records: list[dict]) -> dict:
    """Counts and mean note of a gradebook."""
    ok = [r for r in records if r["status"] == "ok"]
    notes = [r["score"]["note"] for r in ok if r["score"].get("note") is not None]
    return {"copies": len(records), "ok": len(ok), "erreur": len(records) - len(ok),
            "moyenne": mean(notes) if notes else None}


def gradebook_json(records: list[dict], bareme: str, submissions: str) -> str:
    """The gradebook as a JSON document (tool, version, date, summary, items)."""
    document = {"tool": "transcribe", "version": __version__, "generated": datetime.now().isoformat(timespec="seconds"),
                "bareme": bareme, "submissions": submissions, "summary": summary(records), "items": records}
    return json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False) + "\n"


def write_gradebook(out: Path, records: list[dict], bareme: Bareme, submissions: Path,
                    decimal_comma: bool = False, title: str = "") -> None:
    """``gradebook.csv``, ``gradebook.json`` and the class page ``index.html`` in ``out``."""
    from .report.html import class_context, render_class

    generated = datetime.now().strftime("%d/%m/%Y %H:%M")
    write_atomic(out / "gradebook.csv", b"\xef\xbb\xbf" + gradebook_csv(records, decimal_comma).encode())
    write_atomic(out / "gradebook.json", gradebook_json(records, bareme.name, str(submissions)))
    title = title or f"Résultats de la classe — {submissions.resolve().name}"
    context = class_context(records, title, bareme.name, pass_note=bareme.pass_note * 20 / bareme.scale,
                            generated=generated)
    write_atomic(out / "index.html", render_class(context))
