"""The input gate: regular files only, size limits, office archives checked before unpacking,
bidi controls removed, symbolic links out of a class folder refused, manifests checked."""

import os
import zipfile

import docx
import pytest
from odf import text as odf_text
from odf.opendocument import OpenDocumentText

from transcribe import inputs
from transcribe.batch import BatchOptions, run_batch
from transcribe.errors import TranscribeError
from transcribe.grading import load_bareme
from transcribe.normalize import normalize_text
from transcribe.reading import read_document


def error_of(call, *args) -> TranscribeError:
    with pytest.raises(TranscribeError) as info:
        call(*args)
    return info.value


def make_docx(path, text="Patient : M. DURAND."):
    document = docx.Document()
    document.add_paragraph(text)
    document.save(str(path))
    return path


def make_odt(path, text="Patient : M. DURAND."):
    document = OpenDocumentText()
    document.text.addElement(odf_text.P(text=text))
    document.save(str(path))
    return path


def rewrite_member(path, member: str, data: bytes, compress=zipfile.ZIP_DEFLATED):
    """The same archive with one member's content replaced (or added)."""
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist() if info.filename != member]
    with zipfile.ZipFile(path, "w", compress) as target:
        for info, content in members:
            target.writestr(info, content)
        target.writestr(member, data)


def test_named_pipe_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "copie.txt"
    os.mkfifo(fifo)
    exc = error_of(read_document, fifo)  # would block forever if the file were opened
    assert (exc.path, exc.message) == (fifo, "ce n'est pas un fichier ordinaire (tube nommé, périphérique ou "
                                             "socket) : refusé.")
    assert error_of(inputs.read_bytes, "/dev/zero").message.startswith("ce n'est pas un fichier ordinaire")


def test_size_limit_is_settable(tmp_path, monkeypatch):
    copy = tmp_path / "copie.txt"
    copy.write_text("mot " * 1000, encoding="utf-8")  # 4000 bytes
    assert read_document(copy).text.startswith("mot mot")
    monkeypatch.setenv("TRANSCRIBE_MAX_TEXT_MB", "0,001")
    assert error_of(read_document, copy).message == (
        "fichier trop volumineux (0,0 Mo, limite 0,0 Mo, réglable par la variable d'environnement "
        "TRANSCRIBE_MAX_TEXT_MB).")
    monkeypatch.setenv("TRANSCRIBE_MAX_TEXT_MB", "nan")
    assert error_of(read_document, copy).message == (
        "variable d'environnement TRANSCRIBE_MAX_TEXT_MB invalide « nan » : un nombre de mégaoctets positif "
        "est attendu (par exemple 5 ou 0,5).")


def test_docx_text_beyond_the_text_limit_is_refused(tmp_path, monkeypatch):
    path = make_docx(tmp_path / "copie.docx", "mot " * 1000)
    monkeypatch.setenv("TRANSCRIBE_MAX_TEXT_MB", "0.001")
    assert error_of(read_document, path).message.startswith("texte trop long (limite 0,0 Mo")


def test_docx_with_broken_xml_names_the_member(tmp_path):
    path = make_docx(tmp_path / "copie.docx")
    rewrite_member(path, "word/document.xml", b"<document>\n<body><p></body>")
    exc = error_of(read_document, path)
    assert exc.path == path
    assert exc.message == ("document Word (.docx) illisible ou corrompu : XML invalide dans « word/document.xml » "
                           "(ligne 2, colonne 11).")


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
                  b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                  b'<w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>')


@pytest.mark.parametrize("maker, member, name", [
    (make_docx, "word/document.xml", "document Word (.docx)"),
    (make_odt, "content.xml", "document OpenDocument (.odt)"),
])
def test_office_xml_with_entities_is_refused(tmp_path, maker, member, name):
    path = maker(tmp_path / f"copie{'.docx' if maker is make_docx else '.odt'}")
    rewrite_member(path, member, BILLION_LAUGHS)
    assert error_of(read_document, path).message == (
        f"{name} refusé : « {member} » déclare une DTD ou des entités XML (interdit dans un document "
        "bureautique).")


def test_zip_bomb_is_refused_before_unpacking(tmp_path):
    path = make_docx(tmp_path / "copie.docx")
    rewrite_member(path, "word/media/zeros.bin", b"\0" * 3_000_000)  # 3 MB → about 3 KB
    assert error_of(read_document, path).message == (
        "document Word (.docx) refusé : « word/media/zeros.bin » se décompresse plus de 100 fois "
        "(archive piégée ?).")


def test_declared_sizes_over_the_unpacked_limit_are_refused(tmp_path, monkeypatch):
    path = make_odt(tmp_path / "copie.odt")
    rewrite_member(path, "Pictures/notes.txt", b"Patient : M. DURAND. " * 25_000)  # 525 KB, under 1 MB
    size_mb = os.path.getsize(path) / 1e6
    monkeypatch.setenv("TRANSCRIBE_MAX_OFFICE_MB", f"{size_mb * 1.01:.6f}")
    message = error_of(read_document, path).message
    assert message.startswith("document OpenDocument (.odt) refusé : son contenu décompressé ferait 0,5 Mo "
                              "(limite 0,")
    assert message.endswith(", 5 fois TRANSCRIBE_MAX_OFFICE_MB).")
    monkeypatch.setenv("TRANSCRIBE_MAX_OFFICE_MB", f"{size_mb * 0.5:.6f}")
    assert error_of(read_document, path).message.startswith("fichier trop volumineux (0,0 Mo, limite 0,0 Mo, "
                                                            "réglable par la variable d'environnement "
                                                            "TRANSCRIBE_MAX_OFFICE_MB).")


def test_truncated_office_files_get_a_french_error(tmp_path):
    for maker, suffix, name in ((make_docx, ".docx", "Word (.docx)"), (make_odt, ".odt", "OpenDocument (.odt)")):
        path = maker(tmp_path / f"copie{suffix}")
        path.write_bytes(path.read_bytes()[: os.path.getsize(path) // 2])
        assert error_of(read_document, path).message == f"document {name} illisible ou corrompu."


def test_good_office_files_still_read(tmp_path):
    assert read_document(make_docx(tmp_path / "a.docx")).text == "Patient : M. DURAND."
    assert read_document(make_odt(tmp_path / "a.odt")).text == "Patient : M. DURAND."


def test_bidi_controls_are_removed_like_zero_width_ones():
    text = "Dr \u202eNITRAM\u202c \u2066Claire\u2069 \u200eok\u200f \u061cx\u200b"
    assert normalize_text(text) == "Dr NITRAM Claire ok x"


def options(copies, out, **kw):
    return BatchOptions(submissions=copies, references=kw.pop("references"), out=out, bareme=load_bareme(),
                        jobs=1, **kw)


def test_grade_refuses_links_out_of_the_class_folder(tmp_path, mini_exercise):
    secret = tmp_path / "secret.txt"
    secret.write_text("MOT DE PASSE : hunter2\n", encoding="utf-8")
    copies = tmp_path / "copies"
    (copies / "ana").mkdir(parents=True)
    (copies / "ana" / "mini.txt").symlink_to(secret)
    (copies / "ben").symlink_to(tmp_path)  # a learner folder that is the whole parent folder
    (copies / "eve").mkdir()
    (copies / "eve" / "mini.txt").write_text(mini_exercise.read_text(encoding="utf-8"), encoding="utf-8")
    (copies / "eve" / "lien.txt").symlink_to(copies / "eve" / "mini.txt")  # inside: graded as any file
    out = tmp_path / "out"
    result = run_batch(options(copies, out, references=mini_exercise.parent))
    link_out = ("lien symbolique vers l'extérieur du dossier des copies : refusé (le contenu ne serait pas celui "
                "de la copie).")
    assert [(r["learner"], r["exercise"], r["status"], r["message"]) for r in result.records] == [
        ("ana", "mini", "erreur", f"ana/mini.txt : {link_out}"),
        ("ben", "", "erreur", f"dossier d'apprenant « ben » : {link_out}"),
        ("eve", "lien", "erreur", "eve/lien.txt : exercice « lien » inconnu : pas de référence lien.txt dans "
                                  f"{mini_exercise.parent}."),
        ("eve", "mini", "ok", ""),
    ]
    assert "hunter2" not in "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))


def test_fifo_in_a_class_folder_is_one_failed_row(tmp_path, mini_exercise):
    copies = tmp_path / "copies"
    (copies / "ana").mkdir(parents=True)
    os.mkfifo(copies / "ana" / "mini.txt")
    [record] = run_batch(options(copies, tmp_path / "out", references=mini_exercise.parent)).records
    assert record["message"] == ("ana/mini.txt : ce n'est pas un fichier ordinaire (tube nommé, périphérique "
                                 "ou socket) : refusé.")


@pytest.mark.parametrize("content, message", [
    (b"apprenant,exercice\n\x00\x01\x02\xff\xfe\n", "manifeste illisible : ce fichier n'est pas un texte "
                                                     "(contenu binaire)."),
    (b"\xff\xfea\x00\x00\x00", "manifeste illisible : ce fichier n'est pas un texte (contenu binaire)."),
    (b'apprenant,exercice\n"ana,mini\n' + b"x" * 200_000, "manifeste illisible : CSV invalide ligne 3 "
                                                           "(guillemet non fermé ou cellule démesurée ?)."),
])
def test_binary_or_broken_manifest_is_a_french_error(tmp_path, mini_exercise, content, message):
    copies = tmp_path / "copies"
    (copies / "ana").mkdir(parents=True)
    manifest = tmp_path / "manifeste.csv"
    manifest.write_bytes(content)
    exc = error_of(run_batch, options(copies, tmp_path / "out", references=mini_exercise.parent,
                                      manifest=manifest))
    assert (exc.path, exc.message) == (manifest, message)


@pytest.mark.parametrize("minutes", ["1e400", "inf", "nan", "-5", "-inf"])
def test_manifest_durations_must_be_finite(tmp_path, mini_exercise, minutes):
    copies = tmp_path / "copies"
    (copies / "ana").mkdir(parents=True)
    (copies / "ana" / "mini.txt").write_text(mini_exercise.read_text(encoding="utf-8"), encoding="utf-8")
    manifest = tmp_path / "manifeste.csv"
    manifest.write_text(f"apprenant,exercice,duree_minutes\nana,mini,{minutes}\n", encoding="utf-8")
    out = tmp_path / "out"
    [record] = run_batch(options(copies, out, references=mini_exercise.parent, manifest=manifest)).records
    assert record["message"] == (f"durée invalide « {minutes} » (un nombre de minutes est attendu) "
                                 "(manifeste ligne 2).")
    text = (out / "gradebook.json").read_text(encoding="utf-8")
    assert "Infinity" not in text and "NaN" not in text
