"""Grading the skill: six criteria (FID TER ORT IDV MEF DEL), the barème, the note /20.

The barème is a TOML file (``data/baremes/defaut.toml`` documents every key; ``brevet``
and ``ahdi`` are the two other presets, chosen by name). Points come off per error (each
word of an omitted or added passage counts); an error repeated on the same word counts once
when ``repeat_once`` is set; the note is
``max(0, scale − points)`` brought back to 20. The skill is *acquis* when every required
criterion that could be measured is acquis and the note reaches ``pass_note``; IDV has no
tolerance: one identity or critical-value error makes the skill *non acquis*.

A line of the exercise's template that the copy deleted (``Score.template_deleted``) is one
layout matter: ``points.ligne_modele`` each (default: the points of one omitted word), and
MEF is not acquis, its detail saying « ligne du modèle supprimée : « … » ».
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .classify import CONTENT_TYPES, ERROR_TYPES, Error
from .errors import TranscribeError
from .layout import compare_layout
from .scoring import Score

CRITERIA = ("FID", "TER", "ORT", "IDV", "MEF", "DEL")
CRITERIA_LABELS = {
    "FID": "Fidélité à l'enregistrement",
    "TER": "Terminologie spécialisée",
    "ORT": "Orthographe et syntaxe",
    "IDV": "Confidentialité et identitovigilance",
    "MEF": "Mise en forme et mise en page",
    "DEL": "Procédures et délais",
}
SPELLING_TYPES = ("usage", "homophone", "accord", "accent", "majuscule", "ponctuation")
# Types a trainer's barème may leave out, and the type whose points they take: barèmes written
# before ``homophone`` existed keep working, a homophone weighing what an agreement error does
# (both are grammatical faults).
DEFAULT_POINTS_FROM = {"homophone": "accord"}
PRESETS = ("defaut", "brevet", "ahdi")
# The points of a deleted line of the exercise's template, beside the error types in [points]
# (it is not an error type: the score lists those lines apart); absent, an omission's points.
TEMPLATE_LINE_KEY = "ligne_modele"
ADVICE = {
    "FID": "Réécoutez l'enregistrement passage par passage : chaque mot oublié, ajouté ou remplacé change le document.",
    "TER": "Révisez l'orthographe des termes médicaux listés et vérifiez-les dans un dictionnaire médical.",
    "ORT": "Relisez-vous en vérifiant les accords (pluriels, participes), les homophones (a/à, et/est, ces/ses…), les accents et la ponctuation.",
    "IDV": "Vérifiez lettre à lettre l'identité du patient, les dates, doses, valeurs et la latéralité : une seule erreur est éliminatoire.",
    "MEF": "Respectez la structure du modèle : en-tête patient, une rubrique par ligne, paragraphes et signature.",
    "DEL": "Entraînez-vous en temps limité : le document doit être rendu dans le délai imparti.",
}


@dataclass
class Bareme:
    name: str = "Barème"
    scale: float = 20.0
    pass_note: float = 10.0
    repeat_once: bool = True
    points: dict[str, float] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)
    required: list[str] = field(default_factory=lambda: list(CRITERIA))
    groups: dict | None = None
    critical: dict | None = None
    fail_on_critical: bool = False
    template_line: float = 1.0  # points per deleted line of the exercise's template
    source: str = ""


def _fail(path, key: str, problem: str):
    raise TranscribeError(f"barème invalide, clé « {key} » : {problem}", path)


def _number(path, key: str, value, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _fail(path, key, f"un nombre est attendu (trouvé : {value!r}).")
    if not math.isfinite(value):
        _fail(path, key, f"un nombre fini est attendu (trouvé : {value!r}).")
    if value < minimum:
        _fail(path, key, f"doit être supérieur ou égal à {minimum:g}.")
    return float(value)


def parse_bareme(data: dict, path: str | Path | None = None) -> Bareme:
    """Check and build a barème from its TOML data; a French error names the bad key."""
    known = {"name", "scale", "pass_note", "repeat_once", "points", "thresholds", "required",
             "groups", "critical", "fail_on_critical", "description"}
    for key in data:
        if key not in known:
            _fail(path, key, "clé inconnue (clés possibles : " + ", ".join(sorted(known)) + ").")
    scale = _number(path, "scale", data.get("scale", 20), minimum=1)
    points_data = data.get("points")
    if not isinstance(points_data, dict):
        _fail(path, "points", "une table [points] est attendue, un nombre de points par type d'erreur.")
    points = {}
    for kind in sorted(ERROR_TYPES, key=lambda k: k in DEFAULT_POINTS_FROM):  # defaults last
        if kind not in points_data and kind in DEFAULT_POINTS_FROM:
            points[kind] = points[DEFAULT_POINTS_FROM[kind]]
            continue
        if kind not in points_data:
            _fail(path, f"points.{kind}", "manquante (chaque type d'erreur doit avoir ses points).")
        points[kind] = _number(path, f"points.{kind}", points_data[kind])
    for kind in points_data:
        if kind not in ERROR_TYPES and kind != TEMPLATE_LINE_KEY:
            _fail(path, f"points.{kind}", "type d'erreur inconnu (types : " + ", ".join(ERROR_TYPES) + ").")
    thresholds_data = data.get("thresholds", {})
    if not isinstance(thresholds_data, dict):
        _fail(path, "thresholds", "une table [thresholds] est attendue.")
    thresholds = {}
    defaults = {"FID": 2.0, "TER": 0.8, "ORT": 4.0, "IDV": 0.0, "MEF": 0.8, "DEL": 1.0}
    for code in CRITERIA:
        thresholds[code] = _number(path, f"thresholds.{code}", thresholds_data.get(code, defaults[code]))
    for code in thresholds_data:
        if code not in CRITERIA:
            _fail(path, f"thresholds.{code}", "critère inconnu (critères : " + ", ".join(CRITERIA) + ").")
    if thresholds["TER"] > 1 or thresholds["MEF"] > 1:
        _fail(path, "thresholds.TER" if thresholds["TER"] > 1 else "thresholds.MEF",
              "doit être une proportion entre 0 et 1.")
    required = data.get("required", list(CRITERIA))
    if not isinstance(required, list) or any(code not in CRITERIA for code in required):
        _fail(path, "required", "liste de critères parmi " + ", ".join(CRITERIA) + " attendue.")
    groups = data.get("groups")
    if groups is not None:
        if not isinstance(groups, dict) or set(groups) - {"types", "size", "points"}:
            _fail(path, "groups", "table avec types, size et points attendue.")
        if any(t not in ERROR_TYPES for t in groups.get("types", [])):
            _fail(path, "groups.types", "types d'erreurs inconnus.")
        _number(path, "groups.size", groups.get("size", 4), minimum=1)
        _number(path, "groups.points", groups.get("points", 0.5))
    critical = data.get("critical")
    if critical is not None:
        if not isinstance(critical, dict):
            _fail(path, "critical", "une table [critical] est attendue.")
        _number(path, "critical.points", critical.get("points", 3))
    template_line = _number(path, f"points.{TEMPLATE_LINE_KEY}", points_data.get(TEMPLATE_LINE_KEY, points["omission"]))
    pass_note = _number(path, "pass_note", data.get("pass_note", scale / 2))
    if pass_note > scale:
        _fail(path, "pass_note", f"ne peut pas dépasser l'échelle ({scale:g}).")
    return Bareme(
        name=str(data.get("name", "Barème")), scale=scale, pass_note=pass_note,
        repeat_once=bool(data.get("repeat_once", True)), points=points, thresholds=thresholds,
        required=list(required), groups=groups, critical=critical,
        fail_on_critical=bool(data.get("fail_on_critical", False)), template_line=template_line,
        source=str(path or ""),
    )


def load_bareme(name_or_path: str | Path | None = None) -> Bareme:
    """A preset by name (defaut, brevet, ahdi) or a trainer's TOML file."""
    if name_or_path is None or str(name_or_path) in PRESETS:
        name = str(name_or_path or "defaut")
        resource = resources.files("transcribe") / "data" / "baremes" / f"{name}.toml"
        return parse_bareme(tomllib.loads(resource.read_text(encoding="utf-8")), f"{name}.toml")
    path = Path(name_or_path)
    if not path.is_file():
        raise TranscribeError(
            "barème introuvable (donnez un fichier .toml ou un nom parmi " + ", ".join(PRESETS) + ").", path)
    from .exercise import read_metadata

    try:
        data = read_metadata(path)
    except TranscribeError as exc:
        raise TranscribeError(exc.message.replace("métadonnées illisibles", "barème illisible"), path) from exc
    return parse_bareme(data, path)


def is_critical(error: Error, bareme: Bareme) -> bool:
    if not bareme.critical:
        return False
    flags = set(bareme.critical.get("flags", ["identite", "valeur_critique"]))
    if flags & set(error.flags):
        return True
    return "terme_medical" in error.flags and error.type in bareme.critical.get("medical_terms_types", [])


def counted_errors(errors: list[Error], bareme: Bareme) -> list[Error]:
    """The errors that cost points: a repeated error on the same word counts once."""
    if not bareme.repeat_once:
        return list(errors)
    seen, kept = set(), []
    for e in errors:
        key = (e.type, e.ref.lower(), e.hyp.lower())
        if e.type in ("omission", "ajout", "ponctuation") or key not in seen:
            kept.append(e)
        seen.add(key)
    return kept


def points_lost(errors: list[Error], bareme: Bareme) -> float:
    total = 0.0
    grouped: dict[str, int] = {}
    group_types = set(bareme.groups.get("types", [])) if bareme.groups else set()
    for e in counted_errors(errors, bareme):
        if is_critical(e, bareme):
            total += float(bareme.critical.get("points", 3))
        elif e.type in group_types:
            grouped[e.type] = grouped.get(e.type, 0) + 1
        else:
            total += bareme.points[e.type] * e.words  # each omitted or added word counts
    if bareme.groups and grouped:
        size = int(bareme.groups.get("size", 4))
        total += (sum(grouped.values()) // size) * float(bareme.groups.get("points", 0.5))
    return total


def template_note(text: str) -> str:
    """What every report says of a deleted line of the template."""
    return f"ligne du modèle supprimée : « {text} »"


def _criterion(acquis, value, threshold, detail) -> dict:
    return {"acquis": acquis, "value": None if value is None else round(float(value), 4),
            "threshold": None if threshold is None else float(threshold), "detail": detail}


def _fr(x: float, digits: int = 1) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def grade(score: Score, bareme: Bareme | None = None, elapsed_minutes: float | None = None) -> Score:
    """Fill the score's criteria, note, acquis and decision; returns the same score."""
    if elapsed_minutes is not None and (not math.isfinite(elapsed_minutes) or elapsed_minutes < 0):
        raise TranscribeError(f"durée invalide ({elapsed_minutes!r} min) : un nombre de minutes fini, "
                              "positif ou nul, est attendu.")
    bareme = bareme or load_bareme()
    t = bareme.thresholds
    n_words = max(score.rates.ref_words, 1)
    errors = score.errors
    criteria: dict[str, dict] = {}

    content = sum(e.words for e in errors if e.type in CONTENT_TYPES)
    fid = 100 * content / n_words
    criteria["FID"] = _criterion(fid <= t["FID"], fid, t["FID"],
                                 f"{content} mot(s) oublié(s), ajouté(s) ou remplacé(s), "
                                 f"soit {_fr(fid)} pour 100 mots")

    ter = score.term_accuracy
    failed_terms = [x.term for x in score.terms if not x.correct]
    if ter is None:
        criteria["TER"] = _criterion(None, None, t["TER"], "aucun terme médical repéré dans la référence")
    else:
        detail = f"{sum(x.correct for x in score.terms)}/{len(score.terms)} termes médicaux exacts"
        if failed_terms:
            detail += " ; à revoir : " + ", ".join(failed_terms[:6]) + (" …" if len(failed_terms) > 6 else "")
        criteria["TER"] = _criterion(ter >= t["TER"], ter, t["TER"], detail)

    spelling = [e for e in counted_errors(errors, bareme) if e.type in SPELLING_TYPES]
    ort_points = sum(bareme.points[e.type] for e in spelling)
    ort = 100 * ort_points / n_words
    by_type = {k: sum(e.type == k for e in spelling) for k in SPELLING_TYPES}
    criteria["ORT"] = _criterion(ort <= t["ORT"], ort, t["ORT"],
                                 f"{_fr(ort_points)} point(s) de fautes pour {n_words} mots ("
                                 + ", ".join(f"{k} {v}" for k, v in by_type.items() if v) + ")"
                                 if spelling else "aucune faute d'orthographe ni de ponctuation")

    idv_errors = [e for e in errors if {"identite", "valeur_critique"} & set(e.flags)]
    if idv_errors:
        parts = []
        for e in idv_errors[:5]:
            what = "identité" if "identite" in e.flags else "valeur critique"
            parts.append(f"{what} « {e.ref or '—'} » saisie « {e.hyp or '—'} »")
        detail = " ; ".join(parts) + (" …" if len(idv_errors) > 5 else "")
    else:
        detail = "identité du patient et valeurs critiques exactes"
    criteria["IDV"] = _criterion(len(idv_errors) <= t["IDV"] and not (t["IDV"] == 0 and idv_errors),
                                 len(idv_errors), t["IDV"], detail)

    exercise = score.exercise
    layout = compare_layout(score.reference.lines, score.submission.lines, score.ref_items,
                            score.hyp_items, score.edits,
                            exercise.sections if exercise else None,
                            list(exercise.patient.values()) if exercise else None)
    deleted = score.template_deleted or []
    mef_ok = layout.score >= t["MEF"] and not layout.one_block and not layout.sections_missing and not deleted
    notes = [template_note(g.text) for g in deleted] + layout.notes
    criteria["MEF"] = _criterion(mef_ok, layout.score, t["MEF"],
                                 " ; ".join(notes) if notes else "structure conforme à la référence")
    score.layout = layout

    limit = exercise.time_limit_minutes if exercise else None
    if elapsed_minutes is None or not limit:
        reason = "temps non communiqué" if elapsed_minutes is None else "pas de temps imparti pour cet exercice"
        criteria["DEL"] = _criterion(None, None, t["DEL"], reason + " : critère non mesuré")
    else:
        ratio = elapsed_minutes / limit
        criteria["DEL"] = _criterion(ratio <= t["DEL"], ratio, t["DEL"],
                                     f"{_fr(elapsed_minutes, 0)} min pour {_fr(limit, 0)} min imparties")

    lost = points_lost(errors, bareme) + bareme.template_line * len(deleted)
    native = max(0.0, bareme.scale - lost)
    note = round(native * 20 / bareme.scale, 2)
    failed = [c for c in bareme.required if criteria[c]["acquis"] is False]
    reasons = [f"{c} ({CRITERIA_LABELS[c].lower()}) non acquis : {criteria[c]['detail']}" for c in failed]
    critical = [e for e in errors if is_critical(e, bareme)]
    if bareme.fail_on_critical and critical:
        reasons.append(f"{len(critical)} erreur(s) critique(s) : le document est refusé")
    if native < bareme.pass_note:
        reasons.append(f"note {_fr(native, 2)}/{bareme.scale:g} inférieure au seuil de {bareme.pass_note:g}")
    score.criteria = criteria
    score.note = note
    score.acquis = not reasons
    score.decision = ("Compétence acquise : tous les critères exigés sont atteints." if not reasons
                      else "Compétence non acquise — " + " ; ".join(reasons) + ".")
    score.advice = {c: ADVICE[c] for c in CRITERIA if criteria[c]["acquis"] is False}
    score.bareme = bareme
    score.points_lost = lost
    return score
