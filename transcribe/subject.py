"""An exercise's subject for a learner who works in a word processor (« sujet »).

Two kinds of files, kept apart so that the copy handed in holds the document only:

- the **template** (``template_docx``, ``template_odt``): the exercise's template
  (``exercise.Given``), one paragraph per line, an empty paragraph where the dictated text
  goes. Typed into and read back (``reading``), it is the copy the workspace would get: the
  same note. Written as ``<id>.docx`` / ``<id>.odt``, the names ``transcribe grade`` expects
  in a learner's folder (hand in one of the two);
- the **subject** (``subject_docx``, ``subject_odt``, ``subject_text``): title, instructions,
  the information sheet (patient record, prescriber, date), the recording and the time
  allowed. Written as ``<id>.sujet.docx`` / ``<id>.sujet.odt``.

``write_subject`` writes them, with a copy of the recording, into a folder; it never
overwrites a file (a learner's copy may already be there).
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from .errors import TranscribeError
from .exercise import Exercise, Given
from .files import write_atomic

HELP = ("Saisissez le texte dicté dans le modèle ({name}.docx ou {name}.odt), à la place de la ligne vide, "
        "sans supprimer l'en-tête ni la signature ; rendez ce fichier seul.")


def template_lines(given: Given) -> list[str]:
    """The template's lines as paragraphs: each marker an empty one."""
    return given.start_text().rstrip("\n").split("\n") if given.template is not None else [""]


def template_docx(given: Given) -> bytes:
    """The template as a Word document (python-docx)."""
    import docx

    document = docx.Document()
    for line in template_lines(given):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def template_odt(given: Given) -> bytes:
    """The template as an OpenDocument text (odfpy)."""
    from odf import teletype
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    document = OpenDocumentText()
    for line in template_lines(given):
        paragraph = P()
        teletype.addTextToElement(paragraph, line)
        document.text.addElement(paragraph)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def _duration(exercise: Exercise) -> str:
    path = exercise.audio_path
    if path is None:
        return ""
    try:
        import soundfile

        seconds = int(round(soundfile.info(str(path)).duration))
    except Exception:  # an unreadable audio file: the subject is still written, without its length
        return ""
    return f" ({seconds // 60} min {seconds % 60:02d} s)"


def subject_parts(exercise: Exercise) -> list[tuple[str, object]]:
    """The subject as (kind, content) parts: title, text, heading, sheet (label/value pairs)."""
    given = exercise.given
    parts: list[tuple[str, object]] = [("title", f"{exercise.title} — sujet")]
    if given.instructions:
        parts += [("heading", "Consigne"), ("text", given.instructions)]
    if given.sheet:
        parts += [("heading", "Fiche de renseignements"), ("sheet", list(given.sheet))]
    facts = []
    if exercise.audio_path is not None:
        facts.append(f"Enregistrement : {exercise.audio_path.name}{_duration(exercise)}")
    if exercise.time_limit_minutes:
        facts.append(f"Temps imparti : {exercise.time_limit_minutes:g} min")
    if given.template is not None:
        facts.append(HELP.format(name=exercise.id))
    if facts:
        parts += [("heading", "Travail à rendre")] + [("text", fact) for fact in facts]
    return parts


def subject_text(exercise: Exercise) -> str:
    """The subject as plain text (the terminal's version), the template at the end."""
    lines = []
    for kind, content in subject_parts(exercise):
        if kind == "title":
            lines += [content, "=" * len(content)]
        elif kind == "heading":
            lines += ["", content, "-" * len(content)]
        elif kind == "sheet":
            width = max(len(label) for label, _ in content)
            lines += [f"{label.ljust(width)} : {value}" for label, value in content]
        else:
            lines.append(content)
    if exercise.given.template is not None:
        lines += ["", "Modèle du document", "-" * 18, exercise.given.template.rstrip("\n")]
    return "\n".join(lines) + "\n"


def subject_docx(exercise: Exercise) -> bytes:
    import docx

    document = docx.Document()
    for kind, content in subject_parts(exercise):
        if kind == "title":
            document.add_heading(content, level=1)
        elif kind == "heading":
            document.add_heading(content, level=2)
        elif kind == "sheet":
            table = document.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            for label, value in content:
                row = table.add_row().cells
                row[0].text, row[1].text = label, value
        else:
            document.add_paragraph(content)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def subject_odt(exercise: Exercise) -> bytes:
    from odf import teletype
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, P

    document = OpenDocumentText()
    for kind, content in subject_parts(exercise):
        if kind in ("title", "heading"):
            element = H(outlinelevel=1 if kind == "title" else 2)
            teletype.addTextToElement(element, content)
        elif kind == "sheet":
            element = Table(name="Fiche")
            element.addElement(TableColumn(numbercolumnsrepeated=2))
            for label, value in content:
                row = TableRow()
                for cell_text in (label, value):
                    cell, paragraph = TableCell(), P()
                    teletype.addTextToElement(paragraph, cell_text)
                    cell.addElement(paragraph)
                    row.addElement(cell)
                element.addElement(row)
        else:
            element = P()
            teletype.addTextToElement(element, content)
        document.text.addElement(element)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def subject_files(exercise: Exercise) -> dict[str, bytes | Path]:
    """File name → content (or the audio file to copy) of the subject's folder."""
    files: dict[str, bytes | Path] = {}
    if exercise.given.template is not None:
        files[f"{exercise.id}.docx"] = template_docx(exercise.given)
        files[f"{exercise.id}.odt"] = template_odt(exercise.given)
    files[f"{exercise.id}.sujet.docx"] = subject_docx(exercise)
    files[f"{exercise.id}.sujet.odt"] = subject_odt(exercise)
    if exercise.audio_path is not None:
        files[exercise.audio_path.name] = exercise.audio_path
    return files


def write_subject(exercise: Exercise, out: str | Path) -> list[Path]:
    """Write the subject's files into ``out`` (created); refused, before anything is written,
    when one of them exists already."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise TranscribeError("ce n'est pas un dossier : le sujet s'écrit dans un dossier (--out DOSSIER).", out)
    files = subject_files(exercise)
    existing = [name for name in files if (out / name).exists()]
    if existing:
        raise TranscribeError("fichier(s) déjà présent(s), jamais écrasé(s) (une copie d'apprenant ?) : "
                              + ", ".join(existing) + " ; choisissez un autre dossier ou supprimez-les.", out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files.items():
        target = out / name
        if isinstance(content, Path):
            partial = out / f".{name}.partiel"
            shutil.copyfile(content, partial)
            partial.replace(target)
        else:
            write_atomic(target, content)
        written.append(target)
    return written
