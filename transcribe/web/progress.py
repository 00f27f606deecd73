"""A learner's progress from their attempts: notes over time, criteria, missed terms, what next.

Plain functions over stored attempts (their score contract), so that the classroom pages can
compute the same figures for any learner.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass

from .. import spreadsheet
from ..grading import CRITERIA, CRITERIA_LABELS
from .catalogue import DIFFICULTIES, Entry
from .db import as_utc

MISSED_TERMS_SHOWN = 15


@dataclass
class CriterionRate:
    code: str
    label: str
    acquis: int
    measured: int

    @property
    def rate(self) -> float | None:
        return self.acquis / self.measured if self.measured else None


def criterion_rates(attempts) -> list[CriterionRate]:
    """For each criterion: in how many attempts it was measured, and acquired."""
    rates = []
    for code in CRITERIA:
        values = [a.score.get("criteria", {}).get(code, {}).get("acquis") for a in attempts]
        measured = [v for v in values if v is not None]
        rates.append(CriterionRate(code, CRITERIA_LABELS[code], sum(bool(v) for v in measured), len(measured)))
    return rates


def missed_terms(attempts, limit: int = MISSED_TERMS_SHOWN) -> list[tuple[str, int]]:
    """Medical terms most often failed across attempts: (term, number of attempts)."""
    counts: Counter[str] = Counter()
    for a in attempts:
        counts.update({t["term"] for t in a.score.get("terms", {}).get("failed", [])})
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold()))[:limit]


@dataclass
class Suggestion:
    entry: Entry
    reason: str


def _weakest(rates: list[CriterionRate]) -> CriterionRate | None:
    measured = [r for r in rates if r.measured and r.rate is not None and r.rate < 1]
    return min(measured, key=lambda r: (r.rate, -r.measured)) if measured else None


def _practice_weight(entry: Entry, code: str) -> float:
    """How much an exercise exercises a criterion (more of what the learner misses)."""
    ex = entry.exercise
    if code == "TER":
        return len(ex.terms)
    if code == "IDV":
        return len(ex.patient) + len(ex.critical_values)
    if code == "MEF":
        return len(ex.sections)
    if code == "DEL":
        return 1.0 if ex.time_limit_minutes else 0.0
    return entry.duration or 0.0


def suggest(entries: list[Entry], attempts) -> Suggestion | None:
    """The next exercise: not yet acquired, practising the weakest criterion; never tried first."""
    acquired = {a.exercise_id for a in attempts if a.acquis}
    tried = {a.exercise_id for a in attempts}
    candidates = [e for e in entries if not e.problem and e.exercise.id not in acquired]
    if not candidates:
        return None
    weakest = _weakest(criterion_rates(attempts)) if attempts else None

    def difficulty(e: Entry) -> int:
        return DIFFICULTIES.index(e.exercise.difficulty) if e.exercise.difficulty in DIFFICULTIES else 1

    if weakest is None:
        best = min(candidates, key=lambda e: (e.exercise.id in tried, difficulty(e), e.exercise.id))
        if not attempts:
            return Suggestion(best, "Pour commencer : un exercice de difficulté "
                                    f"{best.exercise.difficulty or 'moyenne'}.")
        return Suggestion(best, "Tous les critères mesurés sont acquis : continuez avec un exercice pas encore réussi.")
    best = min(candidates, key=lambda e: (e.exercise.id in tried, -_practice_weight(e, weakest.code),
                                          difficulty(e), e.exercise.id))
    rate = f"{100 * weakest.rate:.0f} %"
    return Suggestion(best, f"Votre critère le plus fragile est {weakest.code} ({weakest.label}) : acquis dans "
                            f"{rate} de vos tentatives. Cet exercice, pas encore réussi, le travaille.")


EXPORT_COLUMNS = ["tentative", "date", "exercice", "titre", "mode", "note", "acquis",
                  *[f"{c}_acquis" for c in CRITERIA], "duree_minutes", "collages", "caracteres_colles",
                  "WER", "erreurs", "taux_correction"]


def export_rows(attempts) -> list[dict]:
    rows = []
    for a in attempts:
        criteria = a.score.get("criteria", {})
        row = {"tentative": a.id, "date": as_utc(a.submitted_at).isoformat(timespec="seconds"), "exercice": a.exercise_id,
               "titre": a.exercise_title, "mode": a.mode, "note": a.note, "acquis": a.acquis}
        for code in CRITERIA:
            row[f"{code}_acquis"] = criteria.get(code, {}).get("acquis")
        row.update({"duree_minutes": round(a.elapsed_seconds / 60, 2) if a.elapsed_seconds is not None else None,
                    "collages": a.pastes, "caracteres_colles": a.pasted_chars,
                    "WER": a.score.get("metrics", {}).get("wer"), "erreurs": len(a.score.get("errors", [])),
                    "taux_correction": (a.score.get("post_edit") or {}).get("correction_rate")})
        rows.append(row)
    return rows


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def export_csv(attempts) -> str:
    """Every attempt, one line each (UTF-8 with BOM, comma separated, as the gradebook)."""
    buffer = io.StringIO()
    writer = spreadsheet.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for row in export_rows(attempts):
        writer.writerow([_cell(row[c]) for c in EXPORT_COLUMNS])
    return "\ufeff" + buffer.getvalue()


def export_json(attempts) -> list[dict]:
    """Every attempt with its text and full score object."""
    return [{**row, "texte": a.text, "score": a.score} for row, a in zip(export_rows(attempts), attempts)]
