"""Hand-labelled submissions: the tool types every error as the trainer who labelled them.

Two answer keys written independently of the code: ``examples/submissions/ERRORS.md``
(the README's example class) and ``tests/fixtures/labelled/labels.json`` (30 copies over
the 15 exercises: perfect copies in cp1252/CRLF, NFD, NBSP and .docx, identity and dose
errors, laterality, split and merged words, homophones, admitted variants…).
"""

import json
import re

import pytest

from transcribe.grading import grade
from transcribe.scoring import score_files

from conftest import EXAMPLES, REFERENCES, ROOT

LABELLED = ROOT / "tests" / "fixtures" / "labelled"


def _errors_md():
    text = (EXAMPLES / "ERRORS.md").read_text(encoding="utf-8")
    cases = []
    for section in re.split(r"\n## ", text)[1:]:
        name = section.split("\n")[0].strip()
        expected = []
        for row in section.split("\n"):
            if row.startswith(("| `", "| ∅")):
                cells = [c.strip() for c in row.strip("|").split("|")]
                unquote = lambda c: "" if c == "∅" else c.strip("`")  # noqa: E731
                expected.append((cells[2], unquote(cells[0]), unquote(cells[1])))
        cases.append(pytest.param(name, expected, id=name))
    return cases


@pytest.mark.parametrize("name,expected", _errors_md())
def test_example_class_matches_its_answer_key(name, expected):
    exercise = name.split("/")[1].rsplit(".", 1)[0]
    score = score_files(EXAMPLES / name, REFERENCES / f"{exercise}.txt")
    assert sorted((e.type, e.ref, e.hyp) for e in score.errors) == sorted(expected)


LABELS = json.loads((LABELLED / "labels.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("item", LABELS, ids=[i["file"] for i in LABELS])
def test_labelled_copies(item):
    score = score_files(LABELLED / item["file"], REFERENCES / f"{item['reference']}.txt")
    got = [(e.type, e.ref, e.hyp) for e in score.errors]
    assert sorted(got) == sorted((e["type"], e["ref"], e["hyp"]) for e in item["errors"])
    flags = {(e.type, e.ref, e.hyp): set(e.flags) for e in score.errors}
    for e in item["errors"]:  # the trainer's flags are there (the lexicon may add terme_medical)
        assert set(e["flags"]) <= flags[(e["type"], e["ref"], e["hyp"])], e


@pytest.mark.parametrize("file,acquis,failed", [
    ("01-parfaite-cp1252-crlf.txt", True, set()),
    ("03-parfaite-docx.docx", True, set()),
    ("04-date-naissance-fausse.txt", False, {"IDV"}),
    ("07-nom-patient-faux.txt", False, {"IDV"}),
    ("19-bloc-unique.txt", False, {"MEF"}),
])
def test_labelled_grading_decisions(file, acquis, failed):
    item = next(i for i in LABELS if i["file"] == file)
    score = grade(score_files(LABELLED / file, REFERENCES / f"{item['reference']}.txt"))
    assert score.acquis is acquis
    assert {c for c, v in score.criteria.items() if v["acquis"] is False} == failed
    if acquis:
        assert score.note == 20.0
