#!/usr/bin/env python3
"""Regenerate the example learner submissions and their error list.

Each submission is the exercise's reference (``references/<id>.txt``) with deliberate,
documented errors applied (``SUBMISSIONS`` below: the single source of truth), saved as
``examples/submissions/<learner>/<id>.<txt|docx|odt>``.  ``examples/submissions/ERRORS.md``
is written from the same list, so the two always agree.

Formats exercised: UTF-8 .txt (LF), a cp1252 .txt with CRLF line ends, a Word .docx
(python-docx; section headings as "Heading 2" paragraphs) and a LibreOffice .odt (odfpy;
headings as ``text:h``).  Output is deterministic (fixed document properties and dates).

Usage::

    python tools/make_submissions.py
"""

from __future__ import annotations

import datetime as _dt
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCES = ROOT / "references"
OUT = ROOT / "examples" / "submissions"

TYPES = {"omission", "ajout", "substitution", "usage", "homophone", "accord", "accent", "majuscule", "ponctuation"}
FLAGS = {"terme_medical", "valeur_critique", "identite"}


@dataclass
class Edit:
    """Replace ``old`` (unique in the text, or its ``nth`` occurrence) by ``new``.

    ``ref``/``hyp`` are the words shown in ERRORS.md (default: ``old``/``new``).
    """

    old: str
    new: str
    type: str
    flags: tuple[str, ...] = ()
    ref: str | None = None
    hyp: str | None = None
    nth: int = 0


@dataclass
class Submission:
    learner: str
    exercise: str
    fmt: str = "txt"                      # txt | txt-cp1252-crlf | docx | odt
    edits: list[Edit] = field(default_factory=list)
    single_block: bool = False            # typed as one paragraph, no line breaks
    notes: str = ""


E = Edit
SUBMISSIONS: list[Submission] = [
    # ---- alice: careful learner -------------------------------------------------------
    Submission("alice", "01-cardiologie-consultation", notes="Copie parfaite : aucune erreur."),
    Submission("alice", "05-echographie-abdominale", edits=[
        E("d'échographie", "d'echographie", "accent", ref="échographie", hyp="echographie"),
        E("hyperéchogène", "hyperechogène", "accent", ("terme_medical",)),
        E("plusieurs calculs mobiles", "plusieurs calcul mobiles", "accord", ref="calculs", hyp="calcul"),
    ]),
    Submission("alice", "04-pediatrie-consultation", fmt="docx", edits=[
        E("Amoxicilline", "Amoxiciline", "usage", ("terme_medical",)),
        E("Poids 13,2 kg.", "Poids 13,2 kg", "ponctuation", ref=".", hyp=""),
        E("tympan droit normal", "tympan droit est normal", "ajout", ref="", hyp="est"),
    ]),
    # ---- bruno: many spelling and critical errors ------------------------------------
    Submission("bruno", "01-cardiologie-consultation", edits=[
        E("Hypertension", "Hypertention", "usage", ("terme_medical",)),
        E("amlodipine", "amlodipinne", "usage", ("terme_medical",)),
        E("au bras gauche", "au bras droit", "substitution", ("valeur_critique",),
          ref="gauche", hyp="droit"),
        E("bisoprolol 2,5 mg", "bisoprolol 25 mg", "substitution", ("valeur_critique",),
          ref="2,5", hyp="25"),
        E("Examens complémentaires :", "Examen complémentaires :", "accord", ref="Examens", hyp="Examen"),
        E("Souffle systolique", "souffle systolique", "majuscule", ("terme_medical",),
          ref="Souffle", hyp="souffle"),
    ]),
    Submission("bruno", "09-lettre-de-sortie", single_block=True,
               notes="Tout le document est saisi en un seul bloc, sans aucun retour à la ligne "
                     "(mise en forme non conforme).",
               edits=[
        E("Furosémide 40 mg le matin, ramipril", "Furosémide 40 mg le matin ramipril", "ponctuation",
          ref=",", hyp=""),
        E("ramipril 2,5 mg le soir, bisoprolol", "ramipril 2,5 mg le soir bisoprolol", "ponctuation",
          ref=",", hyp=""),
        E("kaliémie", "kalièmie", "accent", ("terme_medical",), ref="Kaliémie", hyp="Kalièmie"),
        E("Ionogramme sanguin", "Ionnogramme sanguin", "usage", ("terme_medical",),
          ref="Ionogramme", hyp="Ionnogramme"),
    ]),
    # ---- chloe: identity error, missing section; odt and cp1252 files ----------------
    Submission("chloe", "02-pneumologie-consultation", fmt="odt",
               notes="La section « Explorations fonctionnelles » (titre et paragraphe) manque.",
               edits=[
        E("née le 03/02/1958", "née le 03/02/1985", "substitution", ("identite", "valeur_critique"),
          ref="03/02/1958", hyp="03/02/1985"),
        E("Explorations fonctionnelles :\nLa spirométrie retrouve un trouble ventilatoire obstructif "
          "non réversible, VEMS à 42 % de la théorique.\n\n", "", "omission", ("terme_medical", "valeur_critique"),
          ref="Explorations fonctionnelles : La spirométrie retrouve un trouble ventilatoire "
              "obstructif non réversible, VEMS à 42 % de la théorique.", hyp=""),
        E("sibilants", "sibillants", "usage", ("terme_medical",),
          ref="Sibilants", hyp="Sibillants"),
    ]),
    Submission("chloe", "10-gyneco-obstetrique", fmt="txt-cp1252-crlf",
               notes="Fichier enregistré en Windows-1252 (cp1252) avec fins de ligne CRLF.",
               edits=[
        E("Césarienne", "Cesarienne", "accent", ("terme_medical",)),
        E("Hauteur utérine de 27 cm", "Hauteur utérine de 29 cm", "substitution", ("valeur_critique",),
          ref="27", hyp="29"),
        E("Col long et fermé. ", "", "omission", ref="Col long et fermé.", hyp=""),
        E("Grossesse évolutive de bon pronostic", "Grossesse évolutive de bons pronostic", "accord",
          ref="bon", hyp="bons"),
    ]),
    # ---- david: laterality, name, capitals, omitted sentence --------------------------
    Submission("david", "07-irm-genou", edits=[
        E("M. Kévin ROUSSEL", "M. Kévin ROUSEL", "usage", ("identite",), ref="ROUSSEL", hyp="ROUSEL"),
        E("Ligament croisé postérieur intact. ", "", "omission", ("terme_medical",),
          ref="Ligament croisé postérieur intact.", hyp=""),
        E("antérieur du genou droit", "antérieur du genou gauche", "substitution", ("valeur_critique",),
          ref="droit", hyp="gauche"),
        E("Avis chirurgical orthopédique.", "avis chirurgical orthopédique.", "majuscule",
          ref="Avis", hyp="avis"),
        E("Contusion osseuse du condyle", "Contusion osseuse importante du condyle", "ajout",
          ref="", hyp="importante"),
    ]),
    Submission("david", "12-psychiatrie-consultation", edits=[
        E("Idées suicidaires passives", "Idées suicidaire passives", "accord", ("terme_medical",),
          ref="suicidaires", hyp="suicidaire"),
        E("hydroxyzine", "hydroxizine", "usage", ("terme_medical",)),
        E("anhédonie", "anhedonie", "accent", ("terme_medical",)),
        E("Adressée par son médecin traitant", "Adressée par son medecin traitant", "accent",
          ref="médecin", hyp="medecin"),
        E("Insomnie d'endormissement et réveils précoces.", "Insomnie d'endormissement et réveils précoces",
          "ponctuation", ref=".", hyp=""),
        E("Pas d'élément délirant.", "Pas d'élément délirant", "ponctuation", ref=".", hyp=""),
        E("Sertraline 50 mg le matin", "Sertraline 50 mg le soir", "substitution", ref="matin", hyp="soir"),
    ]),
    Submission("david", "13-certificat-medical", edits=[
        E("Il déclare avoir été agressé", "Il déclare avoir été agresser", "accord",
          ref="agressé", hyp="agresser"),
        E("Plaie superficielle", "Plaie très superficielle", "ajout", ref="", hyp="très"),
        E("Ecchymose de 4 cm", "Ecchymose de 4 mm", "substitution", ("valeur_critique",),
          ref="cm", hyp="mm"),
        E("M. Thomas GIRAUD", "M. Tomas GIRAUD", "usage", ("identite",), ref="Thomas", hyp="Tomas"),
    ]),
    # ---- emma: mostly good, a few slips ------------------------------------------------
    Submission("emma", "14-ordonnance", edits=[
        E("Lévothyroxine", "Levothyroxine", "accent", ("terme_medical",)),
        E("Cholécalciférol 100 000 UI", "Cholécalciférol 10 000 UI", "substitution", ("valeur_critique",),
          ref="100 000", hyp="10 000"),
        E("un comprimé le soir.", "un comprimé le soir", "ponctuation", ref=".", hyp=""),
    ]),
    Submission("emma", "11-ophtalmologie-consultation", edits=[
        E("M. Bernard CHAUVIN", "M. Bernard Chauvin", "majuscule", ("identite",), ref="CHAUVIN", hyp="Chauvin"),
        E("Cataracte nucléaire dense de l'œil droit", "Cataracte nucléaire dense de l'œil gauche",
          "substitution", ("valeur_critique",), ref="droit", hyp="gauche"),
        E("Latanoprost un collyre", "Latanoprost un collyre collyre", "ajout", ref="", hyp="collyre"),
        E("glaucome", "glocome", "usage", ("terme_medical",), ref="Glaucome", hyp="Glocome"),
    ]),
    Submission("emma", "06-scanner-thoracique", edits=[
        E("iohexol", "iohexole", "usage", ("terme_medical",)),
        E("Emphysème centrolobulaire modéré", "Emphysème centro-lobulaire modéré", "usage",
          ("terme_medical",), ref="centrolobulaire", hyp="centro-lobulaire"),
        E("Nodule solide de 8 mm du lobe supérieur gauche", "Nodule solide de 8 mm du lobe supérieur droit",
          "substitution", ("valeur_critique",), ref="gauche", hyp="droit"),
        E("Pas d'épanchement péricardique.", "Pas d'épanchement pericardique.", "accent",
          ("terme_medical",), ref="péricardique", hyp="pericardique"),
    ]),
]

# ------------------------------------------------------------------------------ apply

def apply_edits(text: str, sub: Submission) -> str:
    for e in sub.edits:
        assert e.type in TYPES, e.type
        assert set(e.flags) <= FLAGS, e.flags
        # case-insensitive first letter only where the reference capitalises (sentence start)
        candidates = [e.old, e.old[:1].upper() + e.old[1:]]
        old = next((c for c in candidates if c in text), None)
        if old is None:
            raise SystemExit(f"{sub.learner}/{sub.exercise}: « {e.old} » absent de la référence")
        new = e.new if old == e.old else e.new[:1].upper() + e.new[1:]
        e.old, e.new = old, new  # as found in the reference (ERRORS.md context)
        count = text.count(old)
        if count > 1 and e.nth == 0 and len(old) < 40:
            # ambiguous: require an explicit occurrence
            raise SystemExit(f"{sub.learner}/{sub.exercise}: « {old} » ambigu ({count} occurrences)")
        idx = -1
        for _ in range(e.nth + 1):
            idx = text.index(old, idx + 1)
        text = text[:idx] + new + text[idx + len(old):]
    if sub.single_block:
        text = " ".join(text.split()) + "\n"
    return text


def blocks(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


def is_heading(line: str, sections: list[str]) -> bool:
    return line.endswith(" :") and line[:-2] in sections


def write_docx(path: Path, text: str, sections: list[str]) -> None:
    import docx

    doc = docx.Document()
    props = doc.core_properties
    props.author = "Apprenant"
    props.created = props.modified = _dt.datetime(2026, 3, 1, 9, 0, 0)
    props.last_modified_by = "Apprenant"
    props.revision = 1
    for line in blocks(text):
        if is_heading(line, sections):
            doc.add_heading(line, level=2)
        else:
            doc.add_paragraph(line)
    doc.save(path)
    _freeze_zip(path)


def write_odt(path: Path, text: str, sections: list[str]) -> None:
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    doc = OpenDocumentText()
    for line in blocks(text):
        if is_heading(line, sections):
            doc.text.addElement(H(outlinelevel=2, text=line))
        else:
            doc.text.addElement(P(text=line))
    doc.save(str(path))
    _freeze_zip(path)


def _freeze_zip(path: Path) -> None:
    """Rewrite a zip container with fixed timestamps so the bytes are reproducible."""
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w") as z:
        for info, data in items:
            data = re.sub(rb"<dc:date>[^<]*</dc:date>", b"<dc:date>2026-03-01T09:00:00</dc:date>", data)
            data = re.sub(rb"<meta:creation-date>[^<]*</meta:creation-date>",
                          b"<meta:creation-date>2026-03-01T09:00:00</meta:creation-date>", data)
            new = zipfile.ZipInfo(info.filename, date_time=(2026, 3, 1, 9, 0, 0))
            new.compress_type = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            new.external_attr = info.external_attr
            z.writestr(new, data)


def errors_md() -> str:
    out = [
        "# Erreurs introduites dans les copies d'exemple",
        "",
        "Generated by `tools/make_submissions.py` (do not edit by hand). One section per",
        "submission `<learner>/<file>`; one table row per deliberate error: the reference",
        "word(s), what the learner typed (empty = nothing), the error type (omission, ajout,",
        "substitution, usage, homophone, accord, accent, majuscule, ponctuation) and the flags",
        "(terme_medical, valeur_critique, identite). Layout problems are given as notes.",
        "",
    ]
    for sub in SUBMISSIONS:
        ext = {"txt-cp1252-crlf": "txt"}.get(sub.fmt, sub.fmt)
        out += [f"## {sub.learner}/{sub.exercise}.{ext}", ""]
        fmt_note = {"docx": "Format : Word .docx (titres de section en style Titre 2).",
                    "odt": "Format : LibreOffice .odt (titres de section en titres de niveau 2)."}.get(sub.fmt)
        for note in (fmt_note, sub.notes):
            if note:
                out.append(f"Note : {note}" if not note.startswith("Format") else note)
        if fmt_note or sub.notes:
            out.append("")
        out.append(f"Erreurs : {len(sub.edits)}")
        out.append("")
        if sub.edits:
            out += ["| référence | saisi | type | drapeaux | contexte (référence) |",
                    "| --- | --- | --- | --- | --- |"]
            for e in sub.edits:
                ref = e.ref if e.ref is not None else e.old
                hyp = e.hyp if e.hyp is not None else e.new
                ctx = e.old if len(e.old) <= 80 else e.old[:77] + "…"
                out.append(f"| {_cell(ref)} | {_cell(hyp)} | {e.type} | {', '.join(e.flags)} | {_cell(ctx)} |")
            out.append("")
    return "\n".join(out) + "\n"


def _cell(s: str) -> str:
    return "`" + s.replace("|", "\\|").replace("\n", " ") + "`" if s else "∅"


def main() -> int:
    import tomllib

    for sub in SUBMISSIONS:  # apply_edits() also resolves each edit's context for errors_md()
        ref_path = REFERENCES / f"{sub.exercise}.txt"
        meta = tomllib.loads(ref_path.with_suffix(".toml").read_text(encoding="utf-8"))
        text = apply_edits(ref_path.read_text(encoding="utf-8"), sub)
        folder = OUT / sub.learner
        folder.mkdir(parents=True, exist_ok=True)
        sections = meta.get("sections", [])
        if sub.fmt == "txt":
            (folder / f"{sub.exercise}.txt").write_bytes(text.encode("utf-8"))
        elif sub.fmt == "txt-cp1252-crlf":
            (folder / f"{sub.exercise}.txt").write_bytes(text.replace("\n", "\r\n").encode("cp1252"))
        elif sub.fmt == "docx":
            write_docx(folder / f"{sub.exercise}.docx", text, sections)
        elif sub.fmt == "odt":
            write_odt(folder / f"{sub.exercise}.odt", text, sections)
        else:
            raise SystemExit(f"format inconnu : {sub.fmt}")
        print(f"{sub.learner}/{sub.exercise} ({sub.fmt}, {len(sub.edits)} erreurs)")
    (OUT / "ERRORS.md").write_text(errors_md(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
