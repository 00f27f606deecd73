"""Helpers of the classroom tests: an app in classroom mode, accounts, a logged-in browser."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from starlette.testclient import TestClient

from transcribe.web import store
from transcribe.web.app import create_app
from transcribe.web.classroom import accounts
from transcribe.web.classroom.models import TRAINER
from transcribe.web.config import Settings
from transcribe.web.db import WorkingCopy, utcnow

PASSWORD = "correct-horse-battery"
EXERCISE = "14-ordonnance"


def cheap_hashes():
    """Argon2id with the smallest cost: the tests exercise the flows, not the hash's strength
    (``test_passwords_are_argon2id`` checks the real parameters)."""
    from argon2 import PasswordHasher

    accounts.HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def classroom_app(database_url: str, tmp_path, **settings):
    cheap_hashes()
    return create_app(Settings(database_url, None, tmp_path / "data", classroom=True, **settings))


def add_user(app, name: str, role: str = TRAINER, password: str = PASSWORD, display: str = ""):
    with app.state.services.sessions.begin() as session:
        user = accounts.create_user(session, name, password, role, display)
        return user.id


class Browser:
    """A TestClient with its own cookies, that knows its CSRF token."""

    def __init__(self, app):
        self.app = app
        self.client = TestClient(app, follow_redirects=False)
        self.csrf = ""

    def refresh_csrf(self, path: str = "/connexion") -> str:
        page = self.client.get(path)
        found = re.search(r'<meta name="csrf-token" content="([^"]*)"', page.text)
        self.csrf = found.group(1) if found else ""
        return self.csrf

    def login(self, name: str, password: str = PASSWORD):
        self.refresh_csrf("/connexion")
        response = self.client.post("/connexion", data={"identifiant": name, "mot_de_passe": password,
                                                        "csrf": self.csrf})
        if response.status_code == 303:
            self.refresh_csrf(response.headers["location"])
        return response

    def get(self, path: str, **kw):
        return self.client.get(path, **kw)

    def post(self, path: str, data: dict | None = None, files=None, csrf: bool = True, **kw):
        data = dict(data or {})
        if csrf:
            data["csrf"] = self.csrf
        return self.client.post(path, data=data, files=files, **kw)


def register(app, code: str, name: str, display: str = "") -> Browser:
    browser = Browser(app)
    browser.refresh_csrf("/inscription")
    response = browser.post("/inscription", {"code": code, "identifiant": name, "nom": display,
                                             "mot_de_passe": PASSWORD, "confirmation": PASSWORD})
    assert response.status_code == 303, response.text
    browser.refresh_csrf("/")
    return browser


def create_class(trainer: Browser, name: str = "Classe A") -> tuple[int, str]:
    response = trainer.post("/formateur/classes", {"nom": name})
    assert response.status_code == 303, response.text
    class_id = int(response.headers["location"].rsplit("/", 1)[1])
    page = trainer.get(f"/formateur/classes/{class_id}")
    code = re.search(r'<code id="join-code">([^<]+)</code>', page.text).group(1)
    return class_id, code


def assign(trainer: Browser, class_id: int, exercise: str = EXERCISE, mode: str = "dictee", **period):
    response = trainer.post(f"/formateur/classes/{class_id}/devoirs", {"exercice": exercise, "mode": mode, **period})
    assert response.status_code == 303, response.text


def grade_text(exercise, text: str, elapsed_minutes: float | None):
    """The score and report of a typed copy, as the workspace computes them."""
    from transcribe.grading import grade, load_bareme
    from transcribe.reading import document_from_text
    from transcribe.report.html import learner_context
    from transcribe.scoring import score_documents

    reference = document_from_text(exercise.reference_text(), exercise.reference_path)
    score = grade(score_documents(document_from_text(text), reference, exercise), load_bareme(), elapsed_minutes)
    context = learner_context(score, "apprenant", exercise.id, "copie", elapsed_minutes)
    return score.to_dict(), context, context["exercise_title"], "0" * 64


def submit_attempt(app, learner_name: str, exercise_id: str, text: str, minutes: float = 7.5, pastes: int = 0):
    """An attempt stored through the workspace's store (as its submit route does)."""
    svc = app.state.services
    with svc.sessions.begin() as session:
        learner_id = accounts.find_user(session, learner_name).learner_id
    copy = store.working_copy(svc.sessions, learner_id, exercise_id, "dictee")
    with svc.sessions.begin() as session:
        session.get(WorkingCopy, copy.id).started_at = utcnow() - timedelta(minutes=minutes)
    exercise = svc.catalogue.get(exercise_id).exercise
    attempt, created = store.submit(svc.sessions, learner_id, exercise_id, "dictee",
                                    store.Submission(copy.token, text, pastes, pastes * 10),
                                    lambda t, m: grade_text(exercise, t, m))
    assert created
    return attempt



SHORT_CLIP = Path(__file__).resolve().parent.parent / "audio_samples" / "00-court.flac"


def make_creation(app, trainer: Browser, exercise_id: str, audio: Path = SHORT_CLIP, **fields) -> dict:
    """An exercise made in the browser, as far as its transcription: the recording uploaded
    through the page's form, the job run by the worker (in this process, the embedded Whisper:
    the transcript cache makes it cheap after the first time); then ``fields`` autosaved.
    Returns the creation page's form fields."""
    from transcribe.web.classroom.authoring import worker

    response = trainer.post("/formateur/exercices/nouveau", {"identifiant": exercise_id},
                            files={"audio": (audio.name, audio.read_bytes(), "audio/flac")})
    assert response.status_code == 303, response.text
    services = app.state.services
    services.creations.runner = worker.run_in_process
    assert services.creations.run_once()
    if fields:
        revision = current_revision(trainer, exercise_id)
        saved = trainer.client.post(f"/formateur/creations/{exercise_id}/sauvegarde",
                                    json={"revision": revision, "champs": fields}, headers={"X-CSRF-Token": trainer.csrf})
        assert saved.status_code == 200, saved.text
    from sqlalchemy import select

    from transcribe.web.classroom.models import Creation

    with services.sessions.begin() as session:
        return dict(session.scalar(select(Creation).where(Creation.exercise_id == exercise_id)).draft)


def current_revision(trainer: Browser, exercise_id: str) -> int:
    page = trainer.get(f"/formateur/creations/{exercise_id}")
    return int(re.search(r'data-revision="(\d+)"', page.text)[1])


def publish(trainer: Browser, exercise_id: str, **fields):
    """Publish the creation (the form's fields sent with it, as the page does)."""
    return trainer.post(f"/formateur/creations/{exercise_id}/publier",
                        {"revision": current_revision(trainer, exercise_id), **fields})
