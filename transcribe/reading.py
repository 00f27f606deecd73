"""Reading submissions and references: .txt (any usual encoding), .docx and .odt.

Every file is opened through the input gate (`inputs`): regular files only, size limits,
office archives checked before python-docx or odfpy unpack them.

A read file becomes a `Document`: its paragraphs, each with its text (line breaks kept as
\\n) and whether it is a heading, so that the layout criterion (MEF) can look at the
structure and not only at the words. Text is normalised (see `normalize`).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from . import inputs
from .errors import TranscribeError
from .normalize import normalize_text

SUPPORTED_SUFFIXES = (".txt", ".docx", ".odt")


@dataclass
class Paragraph:
    text: str
    heading: bool = False
    style: str = ""


@dataclass
class Document:
    path: Path | None
    paragraphs: list[Paragraph] = field(default_factory=list)
    format: str = "txt"

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


def decode_text_bytes(data: bytes, path: Path | None = None) -> str:
    """UTF-8 (with or without BOM) first, then UTF-16 with BOM, then cp1252 / latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise TranscribeError("fichier texte illisible (UTF-16 invalide).", path) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if b"\x00" in data:
        raise TranscribeError("ce fichier n'est pas un texte (contenu binaire).", path)
    try:
        # cp1252 is latin-1 plus typographic characters (’ « œ …) in 0x80–0x9F.
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_text_file(path: str | Path) -> str:
    """The normalised text of a plain-text file, through the input gate (regular file, size)."""
    path = Path(path)
    return normalize_text(decode_text_bytes(inputs.read_bytes(path, "texte"), path))


def _paragraphs_from_text(text: str) -> list[Paragraph]:
    return [Paragraph(line) for line in normalize_text(text).split("\n")]


def _read_docx(path: Path) -> list[Paragraph]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
        paragraphs = []
        for p in document.paragraphs:
            style = (p.style.name or "") if p.style is not None else ""
            text = normalize_text(p.text)
            bold_runs = [r for r in p.runs if r.text.strip()]
            all_bold = bool(bold_runs) and all(r.bold for r in bold_runs)
            heading = style.lower().startswith(("heading", "titre", "title")) or (
                all_bold and text.rstrip().endswith(":")
            )
            paragraphs.append(Paragraph(text, heading=heading, style=style))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise TranscribeError("document Word (.docx) illisible ou corrompu.", path) from exc
    except Exception as exc:  # python-docx and lxml raise many kinds on a damaged part
        raise TranscribeError(f"document Word (.docx) illisible ou corrompu ({type(exc).__name__}).", path) from exc
    return paragraphs


def _read_odt(path: Path) -> list[Paragraph]:
    from odf import teletype
    from odf.namespaces import TEXTNS
    from odf.opendocument import load

    paragraphs = []
    paragraph, heading_tag = (TEXTNS, "p"), (TEXTNS, "h")
    wanted = {paragraph, heading_tag}

    def walk(node):
        for child in node.childNodes:
            if getattr(child, "qname", None) in wanted:
                heading = child.qname == heading_tag
                style = child.getAttribute("stylename") or ""
                heading = heading or style.lower().startswith(("heading", "titre"))
                paragraphs.append(Paragraph(normalize_text(teletype.extractText(child)), heading, style))
            elif getattr(child, "childNodes", None):
                walk(child)

    try:
        walk(load(str(path)).text)
    except RecursionError as exc:
        raise TranscribeError("document OpenDocument (.odt) refusé : imbrication trop profonde.", path) from exc
    except Exception as exc:  # odfpy raises many kinds on a damaged document
        raise TranscribeError("document OpenDocument (.odt) illisible ou corrompu.", path) from exc
    return paragraphs


def read_document(path: str | Path) -> Document:
    """Read a submission (.txt, .docx, .odt); a clear French error for anything else."""
    path = Path(path)
    suffix = path.suffix.lower()
    inputs.check_file(path, None)  # exists, a regular file (size: by format, below)
    if suffix not in SUPPORTED_SUFFIXES:
        raise TranscribeError(
            f"format non pris en charge « {suffix or '(sans extension)'} » : "
            "formats acceptés .txt, .docx, .odt.", path)
    if suffix == ".txt":
        paragraphs = _paragraphs_from_text(read_text_file(path))
    else:
        inputs.check_office(path)
        paragraphs = _read_docx(path) if suffix == ".docx" else _read_odt(path)
    document = Document(path=path, paragraphs=paragraphs, format=suffix[1:])
    inputs.check_text_size(document.text, path)
    if not document.text.strip():
        raise TranscribeError("le fichier est vide (aucun texte).", path)
    return document


def document_from_text(text: str, path: str | Path | None = None) -> Document:
    return Document(path=Path(path) if path else None, paragraphs=_paragraphs_from_text(text))
