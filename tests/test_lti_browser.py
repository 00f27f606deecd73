"""Moodle's launches in a real browser: headless Chromium (Debian's) driven by Playwright, the real
`transcribe serve --classe` in a subprocess on 127.0.0.1, the test platform on « localhost »: two
sites, so the browser applies its cross-site rules to the launch (SameSite=Lax cookies, the
Origin header, the CSP's form-action on the way back to Moodle).

Journey: the administrator (the server's trainer) registers the platform on « Moodle » ; the
teacher adds an activity from the platform in a new window and picks the exercise (Deep
Linking, back to the platform); a learner opens the activity in a new window, does the
dictation and submits; the note arrives at the platform; the teacher's launch opens the class
page, where the note shows as sent.
"""

from __future__ import annotations

import re
import time

import pytest
from lti_platform import INSTRUCTOR, LEARNER, Person, Platform, serve
from test_classroom_browser import LAUNCH_ARGS, PASSWORD, chromium_path, do_the_dictation, server  # noqa: F401

pytestmark = pytest.mark.slow

EXERCISE = "14-ordonnance"
TEACHER = Person("moodle-user-2", "Claire Martin", "claire.martin@centre.fr", INSTRUCTOR)
PAUL = Person("moodle-user-15", "Paul Petit", "paul.petit@centre.fr", LEARNER)


def test_moodle_launches_in_a_new_window_a_dictation_and_its_note_back(server):  # noqa: F811
    from playwright.sync_api import sync_playwright

    url, _env = server
    tool = url.rstrip("/")
    platform = Platform()
    platform.configure_tool(tool)
    platform.tool_login = tool + "/lti/login"
    platform.buttons = {
        "choisir": lambda: platform.prepare(TEACHER, "LtiDeepLinkingRequest"),
        "apprenant": lambda: platform.links and platform.prepare(PAUL, link=platform.links[-1]),
        "enseignant": lambda: platform.links and platform.prepare(TEACHER, link=platform.links[-1]),
    }
    with serve(platform.app(), "localhost") as platform_url, sync_playwright() as p:
        platform.base = platform_url
        browser = p.chromium.launch(executable_path=chromium_path(), args=LAUNCH_ARGS)
        errors: list[str] = []

        def new_context():
            context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR")
            context.on("console", lambda m: m.type == "error" and errors.append(m.text))
            context.on("weberror", lambda e: errors.append(str(e.error)))
            return context

        def launch(context, button: str):
            """Click the platform's button: the tool opens in a new window (Moodle's « Nouvelle fenêtre »)."""
            moodle = context.new_page()
            moodle.goto(platform_url + "/")
            with context.expect_page() as opened:
                moodle.click(f"#{button}")
            window = opened.value
            window.wait_for_load_state()
            return window

        admin = new_context().new_page()
        admin.goto(url + "connexion")
        admin.fill("#identifiant", "marie")
        admin.fill("#mot_de_passe", PASSWORD)
        admin.click("button:has-text('Se connecter')")
        admin.wait_for_url(url + "formateur")
        admin.click("nav >> text=Moodle")
        admin.wait_for_url(url + "lti/configuration")
        assert admin.text_content("#url-connexion") == tool + "/lti/login"
        assert "Nouvelle fenêtre" in admin.text_content("#nouvelle-fenetre")
        values = platform.registration()
        for name in ("nom", "issuer", "client_id", "deploiements", "keyset_url", "token_url", "auth_url"):
            admin.fill(f"#plateforme-form [name={name}]", values[name])
        admin.click("#plateforme-form button[type=submit]")
        admin.wait_for_selector("details.platform summary:has-text('Moodle de test')")

        teacher = new_context()
        choosing = launch(teacher, "choisir")
        choosing.wait_for_url(re.compile(r".*/lti/deep-linking\?demande=.+"))
        choosing.select_option("#exercice", EXERCISE)
        choosing.select_option("#mode", "dictee")
        choosing.click("#choix-form button[type=submit]")
        choosing.wait_for_url(platform_url + "/deep-link-return")
        assert choosing.text_content("#ajout") == "Activité ajoutée : Ordonnance (saisie sous dictée)"
        assert platform.links[-1]["custom"] == {"exercice": EXERCISE, "mode": "dictee"}

        learner = new_context()
        work = launch(learner, "apprenant")
        work.wait_for_url(f"{url}exercices/{EXERCISE}/dictee")
        shown_note = do_the_dictation(work)

        deadline = time.monotonic() + 60
        while not platform.scores and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(platform.scores) == 1, "la note n'est pas arrivée à la plateforme"
        body = dict(platform.scores[0].body)
        body.pop("timestamp")
        assert f"{body['scoreGiven']:.1f}".replace(".", ",") == shown_note
        assert {k: body[k] for k in ("userId", "scoreMaximum", "activityProgress", "gradingProgress")} == {
            "userId": PAUL.sub, "scoreMaximum": 20, "activityProgress": "Completed", "gradingProgress": "FullyGraded"}

        opened = launch(teacher, "enseignant")
        opened.wait_for_url(re.compile(r".*/formateur/classes/\d+$"))
        assert opened.text_content("h1") == platform.course_title
        row = opened.locator("#moodle-notes tbody tr").first
        assert "Paul Petit" in row.text_content() and "envoyée" in row.locator(".state").text_content()
        browser.close()
    assert errors == []
