"""The authoring form: its fields (as the trainer typed them) ↔ the files of an exercise.

The form holds text fields only, kept exactly as typed (``Creation.draft``), so that a
reload shows what was typed, mistakes included. ``compose`` turns them into the exercise's
files, in the format of ``exercise.py``:

- ``<id>.txt``, the reference: the letterhead (``entete``), the dictated text
  (``reference``, Whisper's text corrected by the trainer) and the signature block
  (``signature``), separated by blank lines;
- ``<id>.modele.txt``, the template: the same letterhead, the marker ``[texte dicté]``, the
  same signature (lines of the reference that are given, not dictated: the learner is never
  marked on them as if they were heard);
- ``<id>.toml``, the metadata: title, specialty, difficulty, time allowed, sections, terms,
  critical values (one a line), the patient's identity, the instructions (``consigne``) and
  the information sheet (``fiche``: « Libellé : valeur », one a line).

``problems`` says, in French, what keeps the form from being an exercise: the checks of the
fields themselves, then the toolkit's own loader (``load_exercise``, confined) on the files
composed, which checks the sheet against the identity and the template against the reference.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ....errors import TranscribeError
from ....exercise import BODY_MARKER, DIFFICULTIES, MAX_TIME_LIMIT, load_exercise, template_path

TEXT_FIELDS = ("reference", "entete", "signature", "consigne", "fiche", "valeurs", "termes", "rubriques")
LINE_FIELDS = ("titre", "specialite", "difficulte", "temps", "nom", "prenom", "date_naissance", "ipp")
FIELDS = TEXT_FIELDS + LINE_FIELDS
PATIENT = (("nom", "nom"), ("prenom", "prenom"), ("date_naissance", "date_naissance"), ("ipp", "ipp"))
MAX_FIELD_CHARS = 200_000
METADATA_HEADER = "# Métadonnées de l'exercice {id}, écrites par le formulaire de création du serveur de classe.\n"


def initial_draft(result: dict) -> dict[str, str]:
    """The form filled from what ``create_exercise`` made (``NewExercise.to_dict()``): Whisper's
    text as the reference, every suggestion in its field."""
    s, given = result.get("suggestions") or {}, result.get("given") or {}
    patient = s.get("patient") or {}
    limit = s.get("time_limit_minutes")
    draft = {name: "" for name in FIELDS}
    draft.update(reference=(result.get("reference") or "").strip(), titre=s.get("title") or "",
                 specialite=s.get("specialty") or "", difficulte=s.get("difficulty") or "",
                 temps="" if limit is None else _number(limit),
                 valeurs="\n".join(s.get("critical_values") or []), termes="\n".join(s.get("terms") or []),
                 rubriques="\n".join(s.get("sections") or []), consigne=given.get("consigne") or "",
                 fiche="\n".join(f"{label} : {value}" for label, value in (given.get("fiche") or {}).items()))
    for field, key in PATIENT:
        draft[field] = str(patient.get(key, ""))
    return draft


def _number(value: float) -> str:
    return (f"{value:g}").replace(".", ",")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def _block(text: str) -> str:
    """A multi-line field as it goes into a file: Windows line ends and the blank lines around dropped."""
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip("\n")


@dataclass
class Composed:
    reference: str
    template: str
    metadata: str


def _sheet(text: str) -> tuple[dict[str, str], list[str]]:
    sheet, problems = {}, []
    for n, line in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        if not line.strip():
            continue
        label, sep, value = line.partition(":")
        if not sep or not label.strip() or not value.strip():
            problems.append(f"Fiche, ligne {n} : « {line.strip()[:80]} » : écrivez « Libellé : valeur ».")
        elif label.strip() in sheet:
            problems.append(f"Fiche, ligne {n} : le libellé « {label.strip()} » est déjà donné plus haut.")
        else:
            sheet[label.strip()] = value.strip()
    return sheet, problems


def compose(draft: dict[str, str], exercise_id: str) -> tuple[Composed | None, list[str]]:
    """The exercise's files from the form, or the problems of the fields (French)."""
    import tomli_w

    field = {name: str(draft.get(name) or "") for name in FIELDS}
    problems = []
    body, head, signature = _block(field["reference"]), _block(field["entete"]), _block(field["signature"])
    if not body.strip():
        problems.append("Le texte dicté (la référence) est vide.")
    if BODY_MARKER in (head + signature).casefold() or BODY_MARKER in body.casefold():
        problems.append(f"La ligne « {BODY_MARKER} » est placée par le serveur : retirez-la du texte.")
    title = " ".join(field["titre"].split())
    if not title:
        problems.append("Donnez un titre à l'exercice.")
    metadata: dict = {"title": title}
    if field["specialite"].strip():
        metadata["specialty"] = field["specialite"].strip()
    difficulty = field["difficulte"].strip()
    if difficulty and difficulty not in DIFFICULTIES:
        problems.append(f"Difficulté « {difficulty} » inconnue (facile, moyen ou difficile).")
    minutes = field["temps"].strip().replace(",", ".")
    if minutes:
        try:
            limit = float(minutes)
            if not 0 < limit <= MAX_TIME_LIMIT:
                raise ValueError
            metadata["time_limit_minutes"] = int(limit) if limit == int(limit) else limit
        except ValueError:
            problems.append(f"Temps imparti : un nombre de minutes supérieur à 0 et au plus {MAX_TIME_LIMIT} est "
                            f"attendu (trouvé : « {field['temps'].strip()[:40]} »).")
    if difficulty in DIFFICULTIES:
        metadata["difficulty"] = difficulty
    for name, key in (("rubriques", "sections"), ("termes", "terms"), ("valeurs", "critical_values")):
        if _lines(field[name]):
            metadata[key] = _lines(field[name])
    if field["consigne"].strip():
        metadata["consigne"] = " ".join(field["consigne"].split())
    patient = {key: " ".join(field[name].split()) for name, key in PATIENT if field[name].strip()}
    if patient:
        metadata["patient"] = patient
    sheet, sheet_problems = _sheet(field["fiche"])
    problems += sheet_problems
    if sheet:
        metadata["fiche"] = sheet
    if problems:
        return None, problems
    reference = "\n\n".join(part for part in (head, body, signature) if part) + "\n"
    template = template_of(head, signature)
    composed = Composed(reference, template, METADATA_HEADER.format(id=exercise_id) + "\n" + tomli_w.dumps(metadata))
    return composed, loader_problems(composed, exercise_id)


def template_of(head: str, signature: str) -> str:
    """The template: the letterhead, the marker where the dictated text goes, the signature."""
    return "\n\n".join(part for part in (_block(head), BODY_MARKER, _block(signature)) if part) + "\n"


def write(composed: Composed, references: Path, exercise_id: str) -> Path:
    """The three files into a references folder (atomically, the reference last); its path."""
    from ....files import write_atomic

    reference = references / f"{exercise_id}.txt"
    write_atomic(references / f"{exercise_id}.toml", composed.metadata)
    write_atomic(template_path(reference), composed.template)
    write_atomic(reference, composed.reference)
    return reference


def loader_problems(composed: Composed, exercise_id: str) -> list[str]:
    """What the toolkit's loader says of the files (a sheet that contradicts the identity…),
    line numbers of the generated files left out: the trainer sees fields, not files."""
    with tempfile.TemporaryDirectory(prefix="creation-") as folder:
        path = write(composed, Path(folder), exercise_id)
        try:
            load_exercise(path, confined=True)
        except TranscribeError as exc:
            return [_without_lines(exc.message)]
    return []


def _without_lines(message: str) -> str:
    message = re.sub(r"(fiche invalide|modèle invalide), ligne \d+(, | : )", r"\1 : ", message)
    return message[:1].upper() + message[1:]
