"""The classroom in a real browser: headless Chromium (Debian's) driven by Playwright, against
the real `transcribe serve --classe` command in a subprocess.

Journey: the trainer creates a class and assigns an exercise; a learner registers with the
class code, does the dictation and submits it; the trainer sees the attempt in the matrix,
exports the class, and `transcribe grade` on the exported folder gives the same note.
Set ``TRANSCRIBE_SCREENSHOTS=docs`` to refresh the README's screenshot of the class page.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
EXERCISE = "14-ordonnance"
PASSWORD = "correct-horse-battery"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]


def chromium_path() -> str:
    path = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")
    if not path:
        pytest.fail("chromium est introuvable : ce test a besoin d'un vrai navigateur (apt-get install chromium).")
    return path


def run_cli(env: dict, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from transcribe.cli import main; main()", *args], input=stdin,
                          capture_output=True, text=True, env=env, timeout=300)


def do_the_dictation(page) -> str:
    """Type the exercise's reference with one mistake, submit; the note shown on the report."""
    page.wait_for_selector("#texte")
    text = (ROOT / "references" / f"{EXERCISE}.txt").read_text(encoding="utf-8").replace("comprimé", "comprimer")
    page.fill("#texte", text)
    page.click("#submit")
    page.wait_for_url(re.compile(r".*/tentatives/\d+$"))
    return page.text_content("#note").split("/")[0].strip()


def assert_tables_fit(page) -> None:
    """The page is no wider than the window: a table wider than it scrolls in its own box."""
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    cut = page.evaluate("""() => [...document.querySelectorAll('table')].filter(t => {
        const box = t.closest('.table-wrap');
        const scrolls = box && getComputedStyle(box).overflowX === 'auto';
        return !scrolls && (t.getBoundingClientRect().right > window.innerWidth
                            || t.scrollWidth > t.parentElement.clientWidth + 1);
    }).map(t => t.id || t.className)""")
    assert cut == []


@pytest.fixture
def server(tmp_path):
    env = {**os.environ, "TRANSCRIBE_DATA_DIR": str(tmp_path / "donnees"), "PYTHONUNBUFFERED": "1"}
    created = run_cli(env, "users", "add", "--formateur", "marie", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert created.returncode == 0, created.stderr
    process = subprocess.Popen([sys.executable, "-c", "from transcribe.cli import main; main()", "serve",
                                "--classe"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = process.stdout.readline().strip()
        match = re.match(r"Serveur de classe : (http://127\.0\.0\.1:\d+/)$", line)
        assert match, line + process.stderr.read()
        url = match.group(1)
        for _ in range(400):
            try:
                urllib.request.urlopen(url + "connexion", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(process.stderr.read())
                time.sleep(0.05)
        yield url, env
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_trainer_assigns_learner_submits_trainer_exports_and_grade_agrees(server, tmp_path):
    from playwright.sync_api import sync_playwright

    url, env = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=LAUNCH_ARGS)
        errors: list[str] = []

        def new_page():
            context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR",
                                          accept_downloads=True)
            page = context.new_page()
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            page.on("pageerror", lambda e: errors.append(str(e)))
            return page

        trainer = new_page()
        trainer.goto(url)
        assert trainer.url.startswith(url + "connexion")
        trainer.fill("#identifiant", "marie")
        trainer.fill("#mot_de_passe", PASSWORD)
        trainer.click("button:has-text('Se connecter')")
        trainer.wait_for_url(url + "formateur")
        trainer.fill("#nom", "Session de mars")
        trainer.click("button:has-text('Créer la classe')")
        trainer.wait_for_url(re.compile(r".*/formateur/classes/\d+$"))
        class_url = trainer.url
        code = trainer.text_content("#join-code")
        trainer.select_option("#exercice", EXERCISE)
        trainer.select_option("#mode", "dictee")
        trainer.click("#assign-form button[type=submit]")
        trainer.wait_for_selector("#devoirs td:has-text('14-ordonnance')")

        learner = new_page()
        learner.goto(url + "inscription")
        learner.fill("#code", code.lower())
        learner.fill("#identifiant", "paul")
        learner.fill("#nom", "Paul Martin")
        learner.fill("#mot_de_passe", PASSWORD)
        learner.fill("#confirmation", PASSWORD)
        learner.click("button:has-text('Créer mon compte')")
        learner.wait_for_url(url)
        assert learner.locator("tr[id^=ex-]").count() == 1
        learner.click(f"#ex-{EXERCISE} a.button")
        shown_note = do_the_dictation(learner)

        trainer.goto(class_url)
        shots = Path(os.environ.get("TRANSCRIBE_SCREENSHOTS") or tmp_path)  # =docs refreshes the README's
        trainer.screenshot(path=str(shots / "classroom-trainer.png"), full_page=True)
        cell = trainer.locator("#matrix td.cell").first
        assert cell.locator("a").text_content() == shown_note
        cell.locator("a").click()
        trainer.wait_for_url(re.compile(r".*/formateur/tentatives/\d+$"))
        assert trainer.text_content("#note").split("/")[0].strip() == shown_note
        trainer.goto(class_url + "/rapport")
        assert_tables_fit(trainer)
        trainer.goto(class_url)
        with trainer.expect_download() as download:
            trainer.click("a:has-text('Copies et carnet (ZIP)')")
        archive = tmp_path / "export.zip"
        download.value.save_as(archive)
        browser.close()
    assert errors == []

    zipfile.ZipFile(archive).extractall(tmp_path / "export")
    export = tmp_path / "export"
    graded = run_cli(env, "grade", str(export / "copies"), "--references", str(export / "references"),
                     "--manifest", str(export / "manifeste.csv"), "--out", str(tmp_path / "corrections"), "--jobs", "1")
    assert graded.returncode == 0, graded.stderr
    items = json.loads((tmp_path / "corrections" / "gradebook.json").read_text(encoding="utf-8"))["items"]
    assert [(i["learner"], i["exercise"]) for i in items] == [("paul", EXERCISE)]
    assert f"{items[0]['score']['note']:.1f}".replace(".", ",") == shown_note
