"""Every bundled exercise in the real page, in both modes: the learner keeps what is given
(the template pre-filled, or placed around the draft) and types the dictated text (the
reference's body, inserted at the cursor as a keyboard would) → 20/20, ACQUIS. Deleting the
letterhead costs the documented penalty, named « ligne du modèle supprimée ». One browser and
one server for the whole module (system Chromium, `transcribe serve` in a subprocess)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request

import pytest

from test_web_browser import browser, chromium_path  # noqa: F401  (the module's one browser)
from transcribe.drafts import draft_path
from transcribe.exercise import list_exercises

pytestmark = pytest.mark.slow

EXERCISES = list_exercises()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("serveur")
    env = {**os.environ, "TRANSCRIBE_DATA_DIR": str(data / "donnees"), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-c", "from transcribe.cli import main; main()", "serve"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = process.stdout.readline()
        match = re.match(r"Espace de dictée : (http://127\.0\.0\.1:\d+/)$", line.strip())
        assert match, line + process.stderr.read()
        for _ in range(200):
            try:
                urllib.request.urlopen(match.group(1), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(process.stderr.read())
                time.sleep(0.05)
        yield match.group(1)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def page(browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    assert errors == [], errors  # no script error, no CSP violation


def submit_and_read(page) -> tuple[str, str]:
    page.locator("#submit").click()
    page.wait_for_url(re.compile(r".*/tentatives/\d+$"))
    return page.locator("#note").inner_text(), page.locator(".summary .badge").inner_text()


@pytest.mark.parametrize("exercise", EXERCISES, ids=[e.id for e in EXERCISES])
def test_dictation_keep_the_template_type_the_dictation(server, page, exercise):
    given = exercise.given
    page.goto(f"{server}exercices/{exercise.id}/dictee")
    area = page.locator("#texte")
    assert area.input_value() == given.start_text()
    assert page.locator("#consigne").inner_text() == given.instructions
    assert page.locator("#fiche dt").all_inner_texts() == [label for label, _ in given.sheet]
    area.focus()
    assert area.evaluate("a => [a.selectionStart, a.selectionEnd]") == [given.caret(), given.caret()]
    page.keyboard.insert_text(given.body(exercise.reference_text()))
    assert area.input_value() == exercise.reference_text()
    assert submit_and_read(page) == ("20,0 / 20", "Compétence acquise")


@pytest.mark.parametrize("exercise", EXERCISES, ids=[e.id for e in EXERCISES])
def test_correction_place_the_draft_in_the_template_and_correct_it(server, page, exercise):
    given = exercise.given
    draft = draft_path(exercise.reference_path).read_text(encoding="utf-8")
    page.goto(f"{server}exercices/{exercise.id}/correction")
    area = page.locator("#texte")
    assert area.input_value() == draft
    assert page.locator("#modele").inner_text().rstrip("\n") == given.template.rstrip("\n")
    page.get_by_role("button", name="Placer le texte dans le modèle").click()
    start, caret = given.start_text(), given.caret()
    assert area.input_value() == start[:caret] + draft.strip() + start[caret:]
    # the draft is selected: the corrected text replaces it, the template's lines stay
    page.keyboard.insert_text(given.body(exercise.reference_text()))
    assert area.input_value() == exercise.reference_text()
    assert submit_and_read(page) == ("20,0 / 20", "Compétence acquise")
    counts = page.locator("#correction-brouillon .counts div").all_inner_texts()
    draft_errors = int(counts[0].split()[0])
    assert counts[1].replace("\n", " ") == f"{draft_errors} corrigées" and draft_errors > 0


def test_deleting_the_letterhead_is_the_documented_penalty(server, page):
    exercise = next(e for e in EXERCISES if e.id == "14-ordonnance")
    given = exercise.given
    page.goto(f"{server}exercices/{exercise.id}/dictee")
    area = page.locator("#texte")
    area.evaluate("a => { a.focus(); a.setSelectionRange(0, a.value.indexOf('\\n\\n') + 2); }")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(given.body(exercise.reference_text()))
    assert submit_and_read(page) == ("17,0 / 20", "Compétence non acquise")
    block = page.locator("#modele-supprime")
    assert block.locator("h2").inner_text() == "Lignes du modèle supprimées (3)"
    assert block.locator("li").all_inner_texts() == [
        "ligne du modèle supprimée : « Dr Vincent LAMBERT »", "ligne du modèle supprimée : « Médecin généraliste »",
        "ligne du modèle supprimée : « 8 place du Marché, 37000 Tours »"]
    assert page.get_by_role("heading", name="Erreurs (0)").is_visible()  # not a run of omitted words
    assert "ligne du modèle supprimée : « Dr Vincent LAMBERT »" in page.locator("table.criteria").inner_text()


def test_the_subject_is_reachable_resumed_and_printable(server, page):
    page.goto(f"{server}exercices/13-certificat-medical/dictee")
    page.get_by_role("link", name="sujet", exact=True).click()
    assert page.evaluate("document.activeElement.id") == "sujet"
    area = page.locator("#texte")
    area.focus()
    page.keyboard.insert_text("Certificat médical initial")
    page.wait_for_function("() => document.getElementById('save-status').textContent.startsWith('Enregistré')")
    page.reload()  # the copy comes back as typed, not as the template
    assert "Certificat médical initial" in area.input_value()
    assert area.input_value().startswith("Dr Mathilde GARNIER\nMédecin généraliste\n")
    page.emulate_media(media="print")
    assert page.locator("#fiche").is_visible() and not page.locator("#texte").is_visible()
    assert not page.locator(".player").is_visible()
    page.emulate_media(media="screen")
    page.goto(f"{server}exercices/13-certificat-medical/sujet")
    assert page.locator("#modele").inner_text().startswith("Dr Mathilde GARNIER")
    page.emulate_media(media="print")
    assert not page.locator("#print").is_visible() and page.locator("#consigne").is_visible()
