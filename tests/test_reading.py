"""Reading submissions: encodings, line ends, Unicode forms, spaces, docx and odt."""

import unicodedata

import docx
import pytest
from odf import text as odf_text
from odf.opendocument import OpenDocumentText

from transcribe.errors import TranscribeError
from transcribe.normalize import normalize_text
from transcribe.reading import read_document

TEXT = "Motif de consultation :\nDouleur à l'épaule ; fièvre à 38,5 °C !\nCœur normal."


@pytest.mark.parametrize("encoding,newline", [
    ("utf-8", "\n"), ("utf-8-sig", "\n"), ("cp1252", "\r\n"), ("latin-1", "\n"), ("utf-8", "\r\n"),
    ("utf-16", "\n"),
])
def test_txt_encodings_and_line_ends(tmp_path, encoding, newline):
    text = TEXT if encoding != "latin-1" else TEXT.replace("Cœur", "Coeur")
    path = tmp_path / "copie.txt"
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    assert read_document(path).text == text


def test_nfd_is_read_as_nfc(tmp_path):
    path = tmp_path / "nfd.txt"
    path.write_text(unicodedata.normalize("NFD", "Échographie réalisée"), encoding="utf-8")
    assert read_document(path).text == "Échographie réalisée"


def test_every_space_and_apostrophe_normalised():
    raw = "Motif\u00a0: fièvre\u202f; l\u2019hôpital\u2009!\t15\u202f000 a\u200bb"
    assert normalize_text(raw) == "Motif : fièvre ; l'hôpital ! 15 000 ab"


def test_docx_paragraphs_headings_and_breaks(tmp_path):
    path = tmp_path / "copie.docx"
    d = docx.Document()
    d.add_heading("Motif de consultation :", level=2)
    p = d.add_paragraph("Douleur\u00a0thoracique.")
    p.add_run().add_break()
    p.add_run("Depuis trois jours.")
    d.add_paragraph("")
    d.add_paragraph("Conclusion :").runs[0].bold = True
    d.save(path)
    doc = read_document(path)
    assert doc.text == "Motif de consultation :\nDouleur thoracique.\nDepuis trois jours.\n\nConclusion :"
    assert [p.heading for p in doc.paragraphs] == [True, False, False, True]


def test_odt_paragraphs_headings_and_breaks(tmp_path):
    path = tmp_path / "copie.odt"
    d = OpenDocumentText()
    d.text.addElement(odf_text.H(outlinelevel=2, text="Motif de consultation :"))
    p = odf_text.P(text="Douleur thoracique.")
    p.addElement(odf_text.LineBreak())
    p.addText("Depuis trois jours.")
    d.text.addElement(p)
    d.save(str(path))
    doc = read_document(path)
    assert doc.text == "Motif de consultation :\nDouleur thoracique.\nDepuis trois jours."
    assert [p.heading for p in doc.paragraphs] == [True, False]


@pytest.mark.parametrize("name,content,message", [
    ("copie.pdf", b"%PDF-1.4", "format non pris en charge « .pdf » : formats acceptés .txt, .docx, .odt."),
    ("copie.docx", b"pas un zip", "document Word (.docx) illisible ou corrompu."),
    ("copie.odt", b"pas un zip", "document OpenDocument (.odt) illisible ou corrompu."),
    ("vide.txt", b"  \n\r\n", "le fichier est vide (aucun texte)."),
    ("binaire.txt", b"\x00\x01\x02\xff\xfe\x00", "ce fichier n'est pas un texte (contenu binaire)."),
])
def test_bad_files_get_a_french_error_naming_the_file(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TranscribeError) as info:
        read_document(path)
    assert info.value.message == message
    assert str(path) in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(TranscribeError, match="fichier introuvable"):
        read_document(tmp_path / "absent.txt")
