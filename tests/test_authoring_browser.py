"""A trainer records an exercise in the page, through a fake microphone, and a learner does it.

The real `transcribe serve --classe` in a subprocess (its transcription worker starts the child
process, the embedded Whisper), driven by the system Chromium with Playwright. Chromium's fake
microphone plays a WAV made here from the bundled 9 s clip followed by silence (it loops the
file). Journey: record (the level meter moves, pause and resume, « Recommencer »), send, wait
for the transcription, correct two words of the reference, fill the form, reload (nothing
lost), look at both previews, publish, assign to a class in both modes; a learner then does
the dictation and the draft correction and gets reports with ▶ replay.
Set ``TRANSCRIBE_SCREENSHOTS=docs`` to refresh the README's screenshot of the creation page.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest
import soundfile
from test_classroom_browser import LAUNCH_ARGS, PASSWORD, assert_tables_fit, chromium_path, server  # noqa: F401

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CLIP = ROOT / "audio_samples" / "00-court.flac"
SILENCE_AFTER = 4.0  # seconds of silence after the clip, before Chromium plays it again
HEAD = "Dr Claire MARTIN\nCardiologue"
SIGNATURE = "Dr Claire MARTIN"


def fake_microphone(folder: Path) -> Path:
    samples, rate = soundfile.read(str(CLIP), dtype="float32")
    wav = folder / "micro.wav"
    soundfile.write(str(wav), np.concatenate([samples, np.zeros(int(SILENCE_AFTER * rate), np.float32)]), rate,
                    subtype="PCM_16")
    return wav


def test_a_trainer_records_an_exercise_in_the_page_and_a_learner_does_it(server, tmp_path):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    url, _env = server
    clip_seconds = soundfile.info(str(CLIP)).duration
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=[
            *LAUNCH_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-audio-capture={fake_microphone(tmp_path)}", "--autoplay-policy=no-user-gesture-required"])
        errors: list[str] = []

        def new_page():
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
            context.grant_permissions(["microphone"], origin=url.rstrip("/"))
            page = context.new_page()
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            page.on("pageerror", lambda e: errors.append(str(e)))
            return page

        trainer = new_page()
        trainer.goto(url + "connexion")
        trainer.fill("#identifiant", "marie")
        trainer.fill("#mot_de_passe", PASSWORD)
        trainer.click("button:has-text('Se connecter')")
        trainer.wait_for_url(url + "formateur")
        trainer.click("nav a:has-text('Exercices')")
        trainer.click("#new-exercise")
        trainer.wait_for_url(url + "formateur/exercices/nouveau")

        # record: a first try thrown away, then the dictation, paused in the silence after it
        expect(trainer.locator("#recorder")).to_be_visible()
        trainer.click("#rec-start")
        expect(trainer.locator("#rec-stop")).to_be_enabled()
        trainer.wait_for_timeout(800)
        trainer.click("#rec-again")
        expect(trainer.locator("#rec-time")).to_have_text("0:00")
        expect(trainer.locator("#rec-start")).to_be_enabled()
        trainer.click("#rec-start")
        expect(trainer.locator("#rec-pause")).to_be_enabled()
        levels = [trainer.eval_on_selector("#rec-level", "m => m.value") for _ in range(20)
                  if trainer.wait_for_timeout(150) is None]
        assert max(levels) > 0.05  # the meter follows the microphone
        trainer.wait_for_timeout(int((clip_seconds + 1.2) * 1000) - 3000)
        trainer.click("#rec-pause")
        expect(trainer.locator("#rec-pause")).to_have_text("▶ Reprendre")
        trainer.wait_for_timeout(600)
        trainer.click("#rec-pause")
        trainer.wait_for_timeout(400)
        trainer.click("#rec-stop")
        expect(trainer.locator("#rec-playback")).to_be_visible()
        assert "prêt" in trainer.text_content("#rec-status")
        trainer.fill("#identifiant", "holter-navigateur")
        trainer.click("#send")

        # the transcription: the queue's page, reloaded by itself once done
        trainer.wait_for_url(url + "formateur/creations/holter-navigateur", timeout=60_000)
        trainer.wait_for_selector("#f-reference", timeout=180_000)
        reference = trainer.input_value("#f-reference")
        assert "électrocardiogramme" in reference.lower()
        corrected = 0
        for button in trainer.locator("#near-misses button.replace").all()[:2]:  # Whisper's near-misses, fixed
            button.click()
            corrected += 1
        text = trainer.input_value("#f-reference")
        for wrong, right in (("hipertension", "hypertension"), ("amylodipine", "amlodipine"),
                             ("atrial,", "atriale,"), ("atrial.", "atriale."), ("traité ", "traitée ")):
            if wrong in text and corrected < 2:
                text, corrected = text.replace(wrong, right), corrected + 1
        assert corrected == 2
        trainer.fill("#f-reference", text)
        trainer.locator("#unsure button.replay, #near-misses button.replay").first.click()  # ▶ on a word to check
        trainer.wait_for_function("() => document.getElementById('audio').currentTime > 0")

        trainer.fill("#f-entete", HEAD)
        trainer.fill("#f-signature", SIGNATURE)
        expect(trainer.locator("#template-view")).to_have_text(f"{HEAD}\n\n[texte dicté]\n\n{SIGNATURE}")
        trainer.fill("#f-titre", "Holter, enregistré dans la page")
        trainer.select_option("#f-difficulte", "facile")
        trainer.fill("#f-temps", "5")
        trainer.fill("#f-consigne", "Saisissez sous la dictée le compte rendu du Dr MARTIN dans le modèle.")
        trainer.fill("#f-fiche", "Médecin : Dr Claire MARTIN, cardiologue")
        expect(trainer.locator("#save-status")).to_contain_text("Enregistré sur le serveur", timeout=15_000)
        trainer.reload()  # nothing typed is lost
        assert trainer.input_value("#f-reference") == text
        assert trainer.input_value("#f-titre") == "Holter, enregistré dans la page"
        shots = Path(os.environ.get("TRANSCRIBE_SCREENSHOTS") or tmp_path)  # =docs refreshes the README's
        trainer.evaluate("window.scrollTo(0, 0)")
        trainer.screenshot(path=str(shots / "creation-exercice.png"), full_page=False)

        trainer.click("#preview-dictee")
        trainer.wait_for_url(url + "formateur/creations/holter-navigateur/apercu/dictee")
        assert trainer.input_value("#texte").startswith(HEAD + "\n")
        expect(trainer.locator("#submit")).to_be_disabled()
        trainer.click("#preview-notice a")
        trainer.click("#preview-correction")
        assert "électrocardiogramme" in trainer.input_value("#texte").lower()  # Whisper's own draft
        trainer.go_back()
        trainer.click("#publish")
        trainer.wait_for_url(re.compile(r".*/formateur/creations/holter-navigateur\?publie=1$"))
        expect(trainer.locator("#published")).to_contain_text("Version 1 publiée")

        trainer.goto(url + "formateur")
        trainer.fill("#nom", "Session de mai")
        trainer.click("button:has-text('Créer la classe')")
        trainer.wait_for_url(re.compile(r".*/formateur/classes/\d+$"))
        class_url, code = trainer.url, trainer.text_content("#join-code")
        for mode in ("dictee", "correction"):
            trainer.select_option("#exercice", "holter-navigateur")
            trainer.select_option("#mode", mode)
            trainer.click("#assign-form button[type=submit]")
            trainer.wait_for_selector(f"#devoirs tr:has-text('holter-navigateur') >> nth={0 if mode == 'dictee' else 1}")

        # the learner: dictation into the template, then the draft's correction, each with ▶ replay
        learner = new_page()
        learner.goto(url + "inscription")
        learner.fill("#code", code)
        learner.fill("#identifiant", "paul")
        learner.fill("#mot_de_passe", PASSWORD)
        learner.fill("#confirmation", PASSWORD)
        learner.click("button:has-text('Créer mon compte')")
        learner.wait_for_url(url)
        learner.click("a[href='/exercices/holter-navigateur/dictee']")
        start = learner.input_value("#texte")
        assert start == f"{HEAD}\n\n\n\n{SIGNATURE}\n"
        learner.fill("#texte", start.replace("\n\n\n\n", "\n\n" + text.replace("électrocardiogramme", "electrocardiogramme")
                                             + "\n\n"))
        learner.click("#submit")
        learner.wait_for_url(re.compile(r".*/tentatives/\d+$"))
        assert learner.text_content("#note").split("/")[0].strip() != "20,0"
        replay = learner.locator("button.replay:not([disabled])").first
        expect(replay).to_be_visible(timeout=15_000)
        replay.click()
        learner.wait_for_function("() => !document.getElementById('replay-audio').paused")
        learner.goto(url + "exercices/holter-navigateur/correction")
        draft = learner.input_value("#texte")
        learner.fill("#texte", draft.replace("hipertension", "hypertension"))
        learner.click("#submit")
        learner.wait_for_url(re.compile(r".*/tentatives/\d+$"))
        expect(learner.locator("#correction-brouillon")).to_be_visible()
        assert learner.locator("button.replay").count() >= 1

        trainer.goto(class_url + "/rapport")  # both modes: the post-editing columns too, within 1280 px
        trainer.screenshot(path=str(tmp_path / "rapport.png"), full_page=True)
        assert_tables_fit(trainer)
        browser.close()
    assert errors == []
