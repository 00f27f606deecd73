"""Hand-labelled submissions: the tool types every error as the trainer who labelled them.

Three answer keys written independently of the code: ``examples/submissions/ERRORS.md``
(the README's example class), ``tests/fixtures/labelled/labels.json`` (30 copies over
the 15 exercises: perfect copies in cp1252/CRLF, NFD, NBSP and .docx, identity and dose
errors, laterality, split and merged words, homophones, admitted variants…) and
``tests/fixtures/labelled3/labels.json`` (28 copies over the 15 exercises, written from the
marking rules of issue 13 without reading the code: grammatical homophones, é/er/ez/ait,
plurals of compounds, capitals of titles and sentence starts, « Dr »/« Docteur », numbers
and units, dates in letters, admitted variants; its README gives each decision).
"""

import json
import re

import pytest

from transcribe.grading import grade
from transcribe.scoring import score_files

from conftest import EXAMPLES, REFERENCES, ROOT

LABELLED = ROOT / "tests" / "fixtures" / "labelled"
LABELLED3 = ROOT / "tests" / "fixtures" / "labelled3"


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
LABELS3 = json.loads((LABELLED3 / "labels.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("folder,item", [(LABELLED, i) for i in LABELS] + [(LABELLED3, i) for i in LABELS3],
                         ids=[i["file"] for i in LABELS + LABELS3])
def test_labelled_copies(folder, item):
    score = score_files(folder / item["file"], REFERENCES / f"{item['reference']}.txt")
    got = [(e.type, e.ref, e.hyp) for e in score.errors]
    assert sorted(got) == sorted((e["type"], e["ref"], e["hyp"]) for e in item["errors"])
    flags = {(e.type, e.ref, e.hyp): set(e.flags) for e in score.errors}
    for e in item["errors"]:  # the trainer's flags are there (the lexicon may add terme_medical)
        assert set(e["flags"]) <= flags[(e["type"], e["ref"], e["hyp"])], e


@pytest.mark.parametrize("item", LABELS3, ids=[i["file"] for i in LABELS3])
def test_third_key_terms_fail_by_spelling_not_by_a_sentence_capital(item):
    """The third key's rule (its README, « majuscule »): a lower-case letter starting a sentence
    or a list line keeps the term; an acronym's capitals (BPCO → Bpco, IRM → Irm) fail it."""
    score = score_files(LABELLED3 / item["file"], REFERENCES / f"{item['reference']}.txt")
    for e in score.errors:
        if e.type == "majuscule" and "terme_medical" in e.flags:
            term = next(t for t in score.terms if t.start <= e.ref_items[0] < t.end)
            assert term.correct is not any(c.isupper() for c in e.ref[1:]), (e.ref, e.hyp, term.term)


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
