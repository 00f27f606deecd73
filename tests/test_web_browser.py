"""Learner journeys in the real page: headless Chromium (Debian's) driven by Playwright.

The server is the real `transcribe serve` command, in a subprocess, on a free port, with a
temporary data folder. Screenshots go to the test's temporary folder; set
``TRANSCRIBE_SCREENSHOTS=docs`` to refresh the README's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from conftest import REFERENCES

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
EXERCISE = "14-ordonnance"


def chromium_path() -> str:
    path = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not path:
        pytest.fail("chromium est introuvable : ces tests ont besoin d'un vrai navigateur (apt-get install chromium).")
    return path


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required"])
        yield browser
        browser.close()


@pytest.fixture
def server(tmp_path):
    """`transcribe serve` on a free port; yields its URL."""
    env = {**os.environ, "TRANSCRIBE_DATA_DIR": str(tmp_path / "donnees"), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-c", "from transcribe.cli import main; main()", "serve"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = process.stdout.readline()
        match = re.match(r"Espace de dictée : (http://127\.0\.0\.1:\d+/)$", line.strip())
        assert match, line + process.stderr.read()
        url = match.group(1)
        for _ in range(200):
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(process.stderr.read())
                import time

                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []
    page.console_errors = errors  # a test expecting an error clears it
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    assert errors == [], errors  # no script error, no CSP violation


def screenshot(page, tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    page.screenshot(path=str(target), full_page=False)
    folder = os.environ.get("TRANSCRIBE_SCREENSHOTS")
    if folder:
        shutil.copy(target, Path(folder) / name)


def current_time(page, selector: str = "#audio") -> float:
    return page.eval_on_selector(selector, "a => a.currentTime")


def attempts(url: str) -> list[dict]:
    with urllib.request.urlopen(url + "progression/tentatives.json") as response:
        return json.load(response)["tentatives"]


def test_dictation_journey(server, page, tmp_path):
    page.goto(server)
    page.get_by_role("link", name="Saisie sous dictée : Ordonnance").click()
    assert page.url == f"{server}exercices/{EXERCISE}/dictee"
    assert page.locator("#timer").inner_text() == "démarre à la première écoute"

    # play, then the keys: Échap pauses and steps back 1.5 s, F8 forward 3 s, F7 back 3 s
    page.locator("#btn-play").click()
    page.wait_for_function("() => document.getElementById('audio').currentTime > 3")
    page.locator("#texte").focus()
    before = current_time(page)
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.getElementById('audio').paused")
    paused_at = current_time(page)
    assert before - 1.51 <= paused_at <= before - 1.0  # the automatic back-step
    page.keyboard.press("F8")
    page.keyboard.press("F8")
    assert current_time(page) == pytest.approx(paused_at + 6, abs=0.01)
    page.keyboard.press("F7")
    assert current_time(page) == pytest.approx(paused_at + 3, abs=0.01)
    assert page.locator("#position").inner_text() == f"0:{int(paused_at + 3):02d}"
    assert re.fullmatch(r"0:0\d", page.locator("#timer").inner_text())  # the clock runs from the first play

    # speed, from the keyboard: the slider goes down by 5 % a step, pitch kept
    page.locator("#speed").focus()
    for _ in range(5):
        page.keyboard.press("ArrowLeft")
    assert page.locator("#speed-value").inner_text() == "75 %"
    assert page.eval_on_selector("#audio", "a => [a.playbackRate, a.preservesPitch]") == [0.75, True]

    # type a copy with one error; the counter follows; autosave; reload finds the text again
    copy = (REFERENCES / f"{EXERCISE}.txt").read_text(encoding="utf-8").replace("Lévothyroxine", "Levothyroxine")
    page.locator("#texte").fill(copy[:-20])
    page.locator("#texte").press_sequentially(copy[-20:])
    assert page.locator("#words").inner_text() == str(len(re.findall(r"[\w]+(?:['’-][\w]+)*", copy)))
    page.wait_for_function("() => document.getElementById('save-status').textContent.startsWith('Enregistré sur le serveur à')")
    page.reload()
    assert page.locator("#texte").input_value() == copy.replace("\r\n", "\n")
    assert page.locator("#speed-value").inner_text() == "75 %"  # the player's settings are kept too
    screenshot(page, tmp_path, "espace-dictee.png")

    # submit (a double click sends one copy): the report, the note, an error and its ▶
    page.locator("#submit").dblclick()
    page.wait_for_url(re.compile(r".*/tentatives/1$"))
    assert page.locator("#note").inner_text().startswith("19,5")
    assert page.locator("#e1").inner_text() == "Levothyroxine"
    replay = page.get_by_role("button", name="Réécouter le passage de l'erreur 1")
    start = float(replay.get_attribute("data-t"))
    replay.click()
    page.wait_for_function("() => !document.getElementById('replay-audio').paused")
    position = current_time(page, "#replay-audio")
    assert start <= position < start + 1.5
    assert page.locator("#replay-status").inner_text().startswith("Lecture depuis 0:")
    screenshot(page, tmp_path, "espace-correction.png")
    assert len(attempts(server)) == 1


def test_draft_correction_journey(server, page):
    page.goto(server)
    page.get_by_role("link", name="Correction du brouillon : Ordonnance").click()
    draft = (REFERENCES / f"{EXERCISE}.brouillon.txt").read_text(encoding="utf-8")
    area = page.locator("#texte")
    assert area.input_value() == draft
    assert page.locator("#timer").inner_text() == "démarre à la première écoute ou modification"
    # correct « Elaine » in place, from the keyboard: the clock starts with the first change
    start = draft.index("Elaine")
    area.evaluate(f"a => {{ a.focus(); a.setSelectionRange({start}, {start + len('Elaine')}); }}")
    page.keyboard.type("Hélène")
    page.wait_for_function("() => /^\\d+:\\d\\d$/.test(document.getElementById('timer').textContent)")
    area.evaluate("a => { const i = a.value.indexOf('à jeu.') + 5; a.setSelectionRange(i, i); }")
    page.keyboard.type("n")
    assert area.input_value() == draft.replace("Elaine", "Hélène").replace("à jeu.", "à jeun.")
    page.locator("#submit").click()
    page.wait_for_url(re.compile(r".*/tentatives/1$"))
    counts = page.locator("#correction-brouillon .counts div").all_inner_texts()
    assert [c.replace("\n", " ") for c in counts] == [  # the 4 given lines not added: 4 draft errors left
        "34 erreurs dans le brouillon", "2 corrigées", "32 oubliées (laissées du brouillon)", "0 introduites",
        "6 % taux de correction"]
    assert page.get_by_role("link", name="Refaire cet exercice").get_attribute("href") == \
        f"/exercices/{EXERCISE}/correction"
    [attempt] = attempts(server)
    assert attempt["mode"] == "correction" and attempt["duree_minutes"] is not None


def test_keys_are_settable_and_kept(server, page):
    page.goto(f"{server}exercices/{EXERCISE}/dictee")
    page.locator("summary", has_text="Réglages du lecteur").click()
    button = page.locator("[data-capture=retour]")
    button.click()
    assert button.inner_text() == "Appuyez sur une touche…"
    page.keyboard.press("a")
    assert "sert à écrire" in page.locator("#settings-message").inner_text()
    page.keyboard.press("F2")
    assert page.locator("kbd[data-key-of=retour]").inner_text() == "F2"
    page.locator("#set-retour").fill("5")
    page.locator("#set-retour").press("Tab")
    page.reload()
    assert page.locator("kbd[data-key-of=retour]").inner_text() == "F2"
    assert page.locator("[data-setting=retour]").first.inner_text() == "5"
    page.evaluate("document.getElementById('audio').currentTime = 20")
    page.wait_for_function("() => document.getElementById('audio').currentTime == 20")
    page.keyboard.press("F2")
    assert current_time(page) == pytest.approx(15, abs=0.01)


def test_progress_after_two_attempts(server, page):
    for exercise, change in (("14-ordonnance", ("MARCHAND", "MARCHANT")), ("13-certificat-medical", ("", ""))):
        page.goto(f"{server}exercices/{exercise}/dictee")
        page.locator("#texte").fill((REFERENCES / f"{exercise}.txt").read_text(encoding="utf-8").replace(*change))
        page.locator("#submit").click()
        page.wait_for_url(re.compile(r".*/tentatives/\d+$"))
    page.get_by_role("navigation").get_by_role("link", name="Ma progression").click()
    rows = page.locator("#attempts tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator("td").nth(1).inner_text() == "Certificat médical initial"
    assert page.locator("#criteria-rates tbody tr").nth(3).locator("td").all_inner_texts() == [
        "IDV · Confidentialité et identitovigilance", "1", "2", "50 %"]
    assert page.locator("svg.chart circle").count() == 2
    assert page.locator("#suggestion a").inner_text() == "Compte rendu opératoire : prothèse totale de hanche"


def test_no_serious_accessibility_violation_nor_horizontal_scrolling(server, page):
    from axe_playwright_python.sync_playwright import Axe

    page.goto(f"{server}exercices/{EXERCISE}/dictee")
    page.locator("#texte").fill((REFERENCES / f"{EXERCISE}.txt").read_text(encoding="utf-8")[:400])
    page.locator("#submit").click()
    page.wait_for_url(re.compile(r".*/tentatives/1$"))
    axe = Axe()
    for url in ("", f"exercices/{EXERCISE}/dictee", "tentatives/1", "progression", "exercices/inconnu/dictee"):
        page.goto(server + url)
        violations = axe.run(page).response["violations"]
        serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations
                   if v["impact"] in ("serious", "critical")]
        assert serious == [], (url, serious)
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), url  # 1280×720
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 404 (Not Found)"]
    page.console_errors.clear()  # the unknown exercise's page, on purpose
