"""The 15 bundled exercises as a learner receives them: every line of the reference that the
dictation never says is given (pre-filled from the template, or on the sheet), and a copy
that keeps the template and types the dictated text gets 20/20, in both modes."""

import re

import pytest

from transcribe.asr.commands import apply_commands
from transcribe.bundled import audio_dir
from transcribe.drafts import draft_path
from transcribe.exercise import list_exercises
from transcribe.grading import grade, load_bareme
from transcribe.postedit import score_post_edit
from transcribe.scoring import score_texts

EXERCISES = list_exercises()
IDS = [e.id for e in EXERCISES]


def said_lines(exercise) -> set[int]:
    """The reference lines the dictation says: half of their words (at least) found, the same,
    in the dictated words once their commands are applied (the ASR part's post-processing)."""
    dictated = apply_commands((audio_dir() / f"{exercise.id}.dictee.txt").read_text(encoding="utf-8"))
    score = score_texts(dictated, exercise.reference_text())  # no exercise: no template, plain alignment
    words: dict[int, list[int]] = {}
    for i, item in enumerate(score.ref_items):
        if not item.is_punct:
            words.setdefault(item.line, []).append(i)
    same = {i for e in score.edits if e.op == "equal" for i in e.ref}
    return {line for line, items in words.items() if 2 * len(same.intersection(items)) >= len(items)}


def test_fifteen_exercises_each_with_template_sheet_and_instructions():
    assert len(EXERCISES) == 15
    for exercise in EXERCISES:
        given = exercise.given
        assert given.template_path.name == f"{exercise.id}.modele.txt"
        assert given.instructions.startswith("Saisissez sous la dictée ") and given.instructions.endswith(".")
        labels = [label for label, _ in given.sheet]
        assert labels[:4] == ["Nom", "Prénom", "Sexe", "Date de naissance"], exercise.id
        assert ("IPP" in labels) == ("ipp" in exercise.patient), exercise.id


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_every_line_the_dictation_never_says_is_given(exercise):
    lines = exercise.reference_text().split("\n")
    unsaid = {n for n, line in enumerate(lines, 1) if re.search(r"\w", line)} - said_lines(exercise)
    given = {g.reference_line for g in exercise.given.lines}
    sheet_words = set(re.findall(r"\w+", " ".join(v for _, v in exercise.given.sheet).lower()))
    on_sheet = {n for n in unsaid if set(re.findall(r"\w+", lines[n - 1].lower())) <= sheet_words}
    assert unsaid <= given | on_sheet, [lines[n - 1] for n in sorted(unsaid - given - on_sheet)]
    # and nothing dictated is pre-filled: the learner would type it twice
    assert given <= unsaid, [lines[n - 1] for n in sorted(given - unsaid)]
    assert {lines[n - 1] for n in unsaid} == {g.text for g in exercise.given.lines}


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_the_template_with_the_dictated_text_is_the_reference_and_scores_20(exercise):
    reference = exercise.reference_text()
    copy = exercise.given.fill(exercise.given.body(reference))
    assert copy == reference
    score = grade(score_texts(copy, reference, exercise), load_bareme(), exercise.time_limit_minutes)
    assert (score.note, score.acquis, score.errors, score.template_deleted) == (20.0, True, [], [])


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_each_draft_is_completable_to_20_from_what_is_given(exercise):
    """Correction mode starts from the current draft (whatever the ASR made of it): correcting
    what was dictated and completing the document from the template is a perfect copy, and
    every draft error counts as corrected."""
    reference = exercise.reference_text()
    draft = draft_path(exercise.reference_path).read_text(encoding="utf-8")
    final = exercise.given.fill(exercise.given.body(reference))
    score = score_post_edit(final, draft, reference, exercise, load_bareme(), exercise.time_limit_minutes)
    assert (score.note, score.acquis) == (20.0, True)
    pe = score.post_edit
    assert pe.draft_errors > 0 and pe.corrected == pe.draft_errors and pe.introduced == 0
    # the draft handed in as it is: its template lines are missing, each one layout matter
    untouched = score_post_edit(draft, draft, reference, exercise, load_bareme())
    assert [g.text for g in untouched.template_deleted] == [g.text for g in exercise.given.lines]
    left = untouched.post_edit
    assert (left.corrected, left.miscorrected, left.introduced) == (0, 0, 0)
    assert left.missed == left.draft_errors
