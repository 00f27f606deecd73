"""HTML reports: one page per learner × exercise, and the class index (self-contained files)."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote
from statistics import mean, median

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ..grading import CRITERIA, CRITERIA_LABELS, template_note
from ..scoring import Score
from . import charts
from .labels import FLAG_LABELS, TYPE_COLOURS, TYPE_LABELS
from .marks import text_pieces

ERROR_HINTS = {
    "omission": "mot oublié",
    "ajout": "mot ajouté, absent de la dictée",
    "substitution": "mot remplacé",
    "usage": "faute d'orthographe d'usage",
    "homophone": "homophone grammatical (un autre mot qui se prononce de même)",
    "accord": "faute d'accord",
    "accent": "faute d'accent",
    "majuscule": "majuscule",
    "ponctuation": "ponctuation",
}


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=PackageLoader("transcribe", "templates"),
                      autoescape=select_autoescape(["html", "html.j2", "j2"], default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["fr"] = fr_number
    return env


def fr_number(x, digits: int = 1) -> str:
    """12.5 → « 12,5 »; None → « — »."""
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "oui" if x else "non"
    return f"{x:.{digits}f}".replace(".", ",")


def _percent(x) -> str:
    return "—" if x is None else f"{100 * x:.0f} %"


def criterion_texts(code: str, value, threshold) -> tuple[str, str]:
    """A criterion's value and threshold as a trainer reads them."""
    if code == "FID":
        return (f"{fr_number(value)} / 100 mots", f"≤ {fr_number(threshold)}")
    if code == "ORT":
        return (f"{fr_number(value)} pt / 100 mots", f"≤ {fr_number(threshold)}")
    if code in ("TER", "MEF"):
        return (_percent(value), f"≥ {_percent(threshold)}")
    if code == "IDV":
        return ("—" if value is None else f"{value:.0f} erreur(s)",
                "—" if threshold is None else f"≤ {threshold:.0f}")
    if code == "DEL":
        return (_percent(value) + (" du temps" if value is not None else ""), f"≤ {_percent(threshold)}")
    return (fr_number(value), fr_number(threshold))


def criteria_rows(criteria: dict) -> list[dict]:
    rows = []
    for code in CRITERIA:
        c = criteria.get(code)
        if not c:
            continue
        value, threshold = criterion_texts(code, c["value"], c["threshold"])
        rows.append({"code": code, "label": CRITERIA_LABELS[code], "value": value, "threshold": threshold,
                     "acquis": c["acquis"], "detail": c["detail"]})
    return rows


def _title(error, number: int) -> str:
    hint = ERROR_HINTS[error.type]
    left = " (laissée du brouillon)" if error.origin == "brouillon" else ""
    if error.type == "ajout":
        return f"{number}. {hint} : « {error.hyp} »{left}"
    if error.type == "omission":
        return f"{number}. {hint} : « {error.ref} »{left}"
    return f"{number}. {hint} — attendu : « {error.ref or '∅'} »{left}"


def post_edit_context(score: Score) -> dict | None:
    """« Correction du brouillon »: counts, rate, and the draft errors left (critical first),
    each with its number in the error list so that the page links to it in place."""
    pe = score.post_edit
    if pe is None:
        return None
    number = {id(e): k + 1 for k, e in enumerate(score.errors)}
    critical = {id(e) for e in pe.missed_critical()}
    left = [{"n": number[id(e)], "type": e.type, "label": TYPE_LABELS[e.type], "ref": e.ref, "hyp": e.hyp,
             "line": e.line, "flags": [FLAG_LABELS[f] for f in e.flags], "critical": id(e) in critical}
            for e in pe.left_errors()]
    return {"draft_errors": pe.draft_errors, "corrected": pe.corrected, "missed": pe.missed,
            "miscorrected": pe.miscorrected, "introduced": pe.introduced, "rate": pe.correction_rate,
            "critical": len(critical), "left": left}


def learner_context(score: Score, learner: str, exercise: str, file_name: str,
                    elapsed: float | None = None) -> dict:
    """Everything the learner page shows, as plain JSON data (kept in the batch cache)."""
    shown = set()
    pieces = []
    for text, mark in text_pieces(score):
        if mark is None:
            pieces.append({"text": text})
            continue
        shown.add(mark.index)
        e = mark.error
        pieces.append({"text": text if not mark.is_omission else e.ref, "n": mark.index + 1, "type": e.type,
                       "omission": mark.is_omission, "title": _title(e, mark.index + 1),
                       "draft": e.origin == "brouillon"})
    miscorrecting = {id(e) for e in score.post_edit.miscorrecting} if score.post_edit is not None else set()
    errors = [{"n": k + 1, "type": e.type, "label": TYPE_LABELS[e.type], "ref": e.ref, "hyp": e.hyp,
               "line": e.line, "flags": [FLAG_LABELS[f] for f in e.flags], "shown": k in shown,
               "origin": e.origin, "miscorrected": id(e) in miscorrecting}
              for k, e in enumerate(score.errors)]
    counts = {t: 0 for t in TYPE_LABELS}
    for e in score.errors:
        counts[e.type] += 1
    data = score.to_dict()
    ex = score.exercise
    return {
        "learner": learner,
        "exercise": exercise,
        "exercise_title": ex.title if ex and ex.title else exercise,
        "specialty": ex.specialty if ex else "",
        "file": file_name,
        "elapsed": elapsed,
        "note": score.note,
        "acquis": score.acquis,
        "decision": score.decision,
        "bareme": getattr(score.bareme, "name", ""),
        "scale": getattr(score.bareme, "scale", 20.0),
        "native_note": score.native_note,
        "criteria": criteria_rows(score.criteria),
        "metrics": data["metrics"],
        "terms_total": data["terms"]["total"],
        "terms_correct": data["terms"]["correct"],
        "pieces": pieces,
        "errors": errors,
        "legend": [{"type": t, "label": TYPE_LABELS[t], "colour": TYPE_COLOURS[t], "count": counts[t]}
                   for t in TYPE_LABELS],
        "terms": [{"term": t.term, "hyp": t.hyp, "label": TYPE_LABELS.get(t.type, t.type)}
                  for t in score.terms if not t.correct],
        "advice": [{"code": c, "label": CRITERIA_LABELS[c], "text": text} for c, text in score.advice.items()],
        "post_edit": post_edit_context(score),
        "template_deleted": [{"text": g.text, "line": g.reference_line, "note": template_note(g.text)}
                             for g in score.template_deleted or []],
    }


def render_learner(context: dict, back_link: str | None = "../index.html") -> str:
    """The learner page (HTML text) from its context."""
    return environment().get_template("learner.html.j2").render(
        **context, back_link=back_link, colours=TYPE_COLOURS)


def class_context(records: list[dict], title: str, bareme: str = "", pass_note: float = 10.0,
                  generated: str = "", inline_style: bool = True) -> dict:
    """The class index data: rows, summary figures and the four charts (``inline_style=False``:
    charts without style attributes, for the classroom server's CSP)."""
    ok = [r for r in records if r["status"] == "ok"]
    notes = [r["score"]["note"] for r in ok if r["score"]["note"] is not None]
    type_counts = {t: 0 for t in TYPE_LABELS}
    missed: dict[str, int] = {}
    passes = {c: [0, 0] for c in CRITERIA}
    for r in ok:
        s = r["score"]
        for e in s["errors"]:
            type_counts[e["type"]] = type_counts.get(e["type"], 0) + 1
        for t in s["terms"]["failed"]:
            missed[t["term"]] = missed.get(t["term"], 0) + 1
        for c in CRITERIA:
            a = s["criteria"].get(c, {}).get("acquis")
            if a is not None:
                passes[c][0] += bool(a)
                passes[c][1] += 1
    per_copy = max(len(ok), 1)
    type_rows = sorted(((TYPE_LABELS[t], n / per_copy, TYPE_COLOURS[t]) for t, n in type_counts.items()),
                       key=lambda x: -x[1])
    top_terms = sorted(missed.items(), key=lambda kv: (-kv[1], kv[0].casefold()))[:15]
    svg = {
        "notes": charts.histogram(notes, "Répartition des notes sur 20", pass_mark=pass_note,
                                  inline_style=inline_style),
        "types": charts.bar_chart(type_rows, "Erreurs par type (moyenne par copie)", label_width=220,
                                  inline_style=inline_style),
        "terms": charts.bar_chart([(term, n, "#c0504d") for term, n in top_terms],
                                  "Termes médicaux les plus souvent manqués (nombre de copies)",
                                  inline_style=inline_style),
        "criteria": charts.bar_chart(
            [(f"{c} · {CRITERIA_LABELS[c]}", (p / n if n else None), "#2e8b57") for c, (p, n) in passes.items()],
            "Taux de réussite par critère (copies où il est mesuré)", maximum=1.0, percent=True, width=600,
            label_width=300, inline_style=inline_style),
    }
    rows = []
    for r in records:
        s = r.get("score") or {}
        crit = s.get("criteria", {})
        m = s.get("metrics", {})
        rows.append({
            "learner": r["learner"], "exercise": r["exercise"], "status": r["status"], "message": r["message"],
            "report": quote(r.get("report") or ""), "note": s.get("note"), "acquis": s.get("acquis"),
            "criteria": [crit.get(c, {}).get("acquis") for c in CRITERIA],
            "wer": m.get("wer"), "cer": m.get("cer"), "terms": m.get("term_accuracy"),
            "errors": len(s.get("errors", [])) if s else None,
            "correction_rate": (s.get("post_edit") or {}).get("correction_rate"),
        })
    by_exercise: dict[str, list[dict]] = {}
    for r in ok:
        by_exercise.setdefault(r["exercise"], []).append(r)
    exercises = [{"exercise": ex, "title": rs[0].get("exercise_title") or ex, "count": len(rs),
                  "mean": mean(x["score"]["note"] for x in rs),
                  "acquis": sum(bool(x["score"]["acquis"]) for x in rs) / len(rs)}
                 for ex, rs in sorted(by_exercise.items())]
    return {
        "title": title, "bareme": bareme, "generated": generated, "criteria_codes": CRITERIA,
        "criteria_labels": CRITERIA_LABELS, "rows": rows, "exercises": exercises,
        "count": len(records), "ok": len(ok), "failed": len(records) - len(ok),
        "learners": len({r["learner"] for r in records}),
        "mean": mean(notes) if notes else None, "median": median(notes) if notes else None,
        "acquis_rate": (sum(bool(r["score"]["acquis"]) for r in ok) / len(ok)) if ok else None,
        "charts": {k: Markup(v) for k, v in svg.items()},  # built from escaped parts (charts.py)
        "missed_terms": top_terms,
        "post_edit": class_post_edit(ok),
    }


def class_post_edit(ok: list[dict], top: int = 15) -> dict | None:
    """The class's draft correction: overall rate, and the draft errors most often left
    uncorrected across learners (critical ones first among equals). None without post-editing."""
    post = [r for r in ok if r["score"].get("post_edit")]
    if not post:
        return None
    figures = {k: sum(r["score"]["post_edit"][k] for r in post)
               for k in ("draft_errors", "corrected", "missed", "miscorrected", "introduced")}
    copies_of: dict[str, int] = {}
    left: dict[tuple, dict] = {}
    for r in post:
        copies_of[r["exercise"]] = copies_of.get(r["exercise"], 0) + 1
        for e in r["score"]["errors"]:
            if e.get("origin") != "brouillon":
                continue
            key = (r["exercise"], e["type"], e["ref"], e["hyp"])
            entry = left.setdefault(key, {"exercise": r["exercise"], "title": r.get("exercise_title") or r["exercise"],
                                          "label": TYPE_LABELS.get(e["type"], e["type"]), "ref": e["ref"],
                                          "hyp": e["hyp"], "flags": [FLAG_LABELS[f] for f in e["flags"]],
                                          "critical": bool({"valeur_critique", "identite"} & set(e["flags"])),
                                          "learners": set()})
            entry["learners"].add(r["learner"])
    ranked = sorted(left.values(), key=lambda x: (-len(x["learners"]), not x["critical"], x["exercise"],
                                                  x["ref"].casefold(), x["hyp"].casefold()))
    rates = [r["score"]["post_edit"]["correction_rate"] for r in post
             if r["score"]["post_edit"]["correction_rate"] is not None]
    return {
        **figures, "copies": len(post),
        "rate": figures["corrected"] / figures["draft_errors"] if figures["draft_errors"] else None,
        "mean_rate": mean(rates) if rates else None,
        "critical_copies": sum(bool(r["score"]["post_edit"]["missed_critical"]) for r in post),
        "left": [{**{k: v for k, v in x.items() if k != "learners"}, "count": len(x["learners"]),
                  "of": copies_of[x["exercise"]]} for x in ranked[:top]],
    }


def render_class(context: dict) -> str:
    return environment().get_template("index.html.j2").render(**context)
