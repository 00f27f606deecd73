"""`transcribe exercises sujet ID`: the subject for a word-processor learner — the template as
.docx and .odt (typed into and graded: the workspace's note), instructions and sheet apart."""

import json

import docx
import pytest
from click.testing import CliRunner
from odf import teletype
from odf.opendocument import load
from odf.text import P

from conftest import REFERENCES
from transcribe.cli import main
from transcribe.exercise import find_exercise
from transcribe.grading import grade, load_bareme
from transcribe.scoring import score_texts

EXERCISE = find_exercise("14-ordonnance", REFERENCES)
BODY = EXERCISE.given.body(EXERCISE.reference_text()).split("\n")
LETTERHEAD = ["Dr Vincent LAMBERT", "Médecin généraliste", "8 place du Marché, 37000 Tours"]


@pytest.fixture(scope="module")
def subject(tmp_path_factory):
    out = tmp_path_factory.mktemp("sujet") / "ordonnance"
    result = CliRunner().invoke(main, ["exercises", "sujet", "14-ordonnance", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr == (f"Sujet de « 14-ordonnance » écrit dans {out} : 14-ordonnance.docx, 14-ordonnance.odt, "
                             "14-ordonnance.sujet.docx, 14-ordonnance.sujet.odt, 14-ordonnance.flac.\n")
    return out


def marker_index(paragraphs: list[str]) -> int:
    """The empty paragraph after the letterhead: where the dictated text goes."""
    return next(k for k, text in enumerate(paragraphs) if k >= len(LETTERHEAD) and not text
                and paragraphs[k - 1] == "")


def fill_docx(path, target):
    document = docx.Document(str(path))
    paragraphs = document.paragraphs
    k = marker_index([p.text for p in paragraphs])
    paragraphs[k].text = BODY[0]
    for line in BODY[1:]:
        paragraphs[k + 1].insert_paragraph_before(line)
    document.save(str(target))


def fill_odt(path, target):
    document = load(str(path))
    paragraphs = document.text.getElementsByType(P)
    k = marker_index([teletype.extractText(p) for p in paragraphs])
    teletype.addTextToElement(paragraphs[k], BODY[0])
    for line in BODY[1:]:
        paragraph = P()
        teletype.addTextToElement(paragraph, line)
        document.text.insertBefore(paragraph, paragraphs[k + 1])
    document.save(str(target))


def test_the_template_opens_with_its_letterhead_and_signature(subject):
    paragraphs = [p.text for p in docx.Document(str(subject / "14-ordonnance.docx")).paragraphs]
    assert paragraphs == LETTERHEAD + ["", "", "", "Dr Vincent LAMBERT"]
    odt = [teletype.extractText(p) for p in load(str(subject / "14-ordonnance.odt")).text.getElementsByType(P)]
    assert odt == paragraphs
    assert (subject / "14-ordonnance.flac").read_bytes() == EXERCISE.audio_path.read_bytes()


def test_the_subject_holds_instructions_and_sheet_apart(subject):
    document = docx.Document(str(subject / "14-ordonnance.sujet.docx"))
    texts = [p.text for p in document.paragraphs]
    assert texts[:3] == ["Ordonnance — sujet", "Consigne", EXERCISE.given.instructions]
    assert [[c.text for c in row.cells] for row in document.tables[0].rows] == [list(e) for e in EXERCISE.given.sheet]
    assert "Temps imparti : 10 min" in texts and "Enregistrement : 14-ordonnance.flac (1 min 07 s)" in texts
    odt = load(str(subject / "14-ordonnance.sujet.odt"))
    text = teletype.extractText(odt.text)
    assert EXERCISE.given.instructions in text and "Date de naissance09/12/1949" in text


@pytest.mark.parametrize("suffix, fill", [(".docx", fill_docx), (".odt", fill_odt)])
def test_the_template_typed_into_gets_the_workspace_s_note(subject, tmp_path, suffix, fill):
    copies = tmp_path / "copies" / "ana"
    copies.mkdir(parents=True)
    copy = copies / f"14-ordonnance{suffix}"
    fill(subject / f"14-ordonnance{suffix}", copy)
    result = CliRunner().invoke(main, ["score", str(copy), "--exercise", "14-ordonnance", "--json", "--elapsed", "8"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["note"], data["acquis"], data["errors"], data["template_lines_deleted"]) == (20.0, True, [], [])
    # what the workspace grades: the template with the body typed at the cursor
    typed = grade(score_texts(EXERCISE.given.fill("\n".join(BODY)), EXERCISE.reference_text(), EXERCISE),
                  load_bareme(), 8).to_dict()
    assert data == typed
    out = tmp_path / "corrections"
    result = CliRunner().invoke(main, ["grade", str(tmp_path / "copies"), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    [item] = json.loads((out / "gradebook.json").read_text(encoding="utf-8"))["items"]
    assert (item["learner"], item["score"]["note"], item["score"]["acquis"]) == ("ana", 20.0, True)


def test_without_out_the_subject_is_printed():
    result = CliRunner().invoke(main, ["exercises", "sujet", "14-ordonnance"])
    assert result.exit_code == 0
    lines = result.stdout.split("\n")
    assert lines[:2] == ["Ordonnance — sujet", "=================="]
    assert "Date de naissance    : 09/12/1949" in lines
    assert result.stdout.endswith("8 place du Marché, 37000 Tours\n\n[texte dicté]\n\nDr Vincent LAMBERT\n")


def test_an_existing_file_is_never_overwritten(subject):
    before = (subject / "14-ordonnance.docx").read_bytes()
    result = CliRunner().invoke(main, ["exercises", "sujet", "14-ordonnance", "--out", str(subject)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Erreur : {subject} : fichier(s) déjà présent(s), jamais écrasé(s) (une copie "
                                    "d'apprenant ?) : 14-ordonnance.docx, ")
    assert (subject / "14-ordonnance.docx").read_bytes() == before


def test_unknown_exercise_and_an_exercise_without_template(mini_exercise, tmp_path):
    result = CliRunner().invoke(main, ["exercises", "sujet", "99-absent", "--out", str(tmp_path / "s")])
    assert result.exit_code == 2 and "exercice « 99-absent » inconnu (pas de 99-absent.txt)" in result.stderr
    out = tmp_path / "mini-sujet"
    result = CliRunner().invoke(main, ["exercises", "sujet", "mini", "--references", str(mini_exercise.parent),
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["mini.sujet.docx", "mini.sujet.odt"]


def test_exercises_alone_still_lists():
    result = CliRunner().invoke(main, ["exercises", "--json"])
    assert result.exit_code == 0 and len(json.loads(result.stdout)) == 15
