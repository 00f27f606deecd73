"""docs/typologie.md is a test: its weights, homophone table, 1990 list and examples are the code's."""

import re

import pytest

from transcribe.exercise import load_exercise
from transcribe.grading import load_bareme
from transcribe.homophones import GROUPS
from transcribe.reading import document_from_text
from transcribe.report.labels import TYPE_LABELS
from transcribe.scoring import score_documents, score_texts
from transcribe.spelling import _REFORM_EE

from conftest import REFERENCES, ROOT

DOC = (ROOT / "docs" / "typologie.md").read_text(encoding="utf-8")


def _between(name: str) -> str:
    match = re.search(rf"<!-- {name}: début[^>]*-->(.*?)<!-- {name}: fin -->", DOC, re.S)
    assert match, f"section {name} introuvable dans docs/typologie.md"
    return match.group(1)


def _rows(text: str) -> list[list[str]]:
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in text.splitlines()
            if line.startswith("|")]
    return [r for r in rows[2:]]  # header and rule skipped


def _weights_table() -> list[list[str]]:
    section = DOC.split("## Les types et leur poids", 1)[1].split("\n## ", 1)[0]
    return _rows("\n".join(line for line in section.splitlines() if line.startswith("|")))


def test_every_type_is_in_the_weights_table_with_its_label():
    rows = _weights_table()
    assert [r[0].strip("`") for r in rows] == list(TYPE_LABELS)
    assert {r[0].strip("`"): r[1] for r in rows} == TYPE_LABELS


@pytest.mark.parametrize("column,name", [(2, "defaut"), (3, "brevet"), (4, "ahdi")])
def test_weights_are_the_baremes(column, name):
    bareme = load_bareme(name)
    grouped = set(bareme.groups.get("types", [])) if bareme.groups else set()
    for row in _weights_table():
        kind, cell = row[0].strip("`"), row[column]
        value = float(cell.split()[0].replace(",", "."))
        if kind in grouped:
            assert cell == f"{bareme.groups['points']:g} par groupe de {bareme.groups['size']}".replace(".", ",")
            assert value == bareme.groups["points"]
        else:
            assert value == bareme.points[kind], (name, kind)


def test_the_homophone_table_is_the_code_table():
    rows = [r[0] for r in _rows(_between("homophones"))]
    assert rows == [" / ".join(", ".join(member) for member in group) for group in GROUPS]


def test_the_1990_list_is_the_code_list():
    words = [w.strip() for w in _between("rectifications").replace("\n", " ").split(",")]
    assert words == list(_REFORM_EE)


EXAMPLES = _rows(_between("exemples"))


@pytest.mark.parametrize("row", EXAMPLES, ids=[f"{r[0]}-{r[3] or r[2][:20]}" for r in EXAMPLES])
def test_each_example(row):
    kind, ref, hyp, expected_ref, expected_hyp, flags, exercise_id = row
    if exercise_id == "—":
        score = score_texts(hyp, ref)
    else:
        exercise = load_exercise(REFERENCES / f"{exercise_id}.txt")
        assert ref in exercise.reference_text(), "l'exemple doit venir de la référence citée"
        score = score_documents(document_from_text(hyp), document_from_text(ref), exercise)
    got = [(e.type, e.ref, e.hyp, e.flags) for e in score.errors]
    if kind == "aucune":
        assert got == []
    else:
        assert got == [(kind, expected_ref, expected_hyp, [f.strip() for f in flags.split(",") if f.strip()])]


def test_examples_cover_every_type_and_admitted_variants():
    assert {r[0] for r in EXAMPLES} == set(TYPE_LABELS) | {"aucune"}
