"""Faults, nothing lost: a real server killed with SIGKILL while learners work, then restarted.

``transcribe serve --classe`` runs in its own process (uvicorn, the real Argon2 parameters),
four learners autosave and submit over HTTP, ``transcribe users list`` opens the same
database over and over, and the server is killed -9 in the middle of it. After a restart:
every submission the server acknowledged (its 303 to the report) is there with its text, each
copy in progress holds the last autosave acknowledged or the one in flight at the kill (at
most one save interval old), the database is intact, and the server works.

The review lost 31 acknowledged submissions this way, with an uploaded exercise whose audio
pointed at the database: each catalogue reload opened and closed the live file through
libsndfile, which drops the server's SQLite locks, and the next ``users list`` deleted the
live WAL. That exercise is planted here (as if uploaded before the check), and its metadata
touched while the learners work, so that the catalogue reloads.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import httpx
import pytest
from classroom_kit import PASSWORD, Browser, add_user, assign, classroom_app, create_class, register

from transcribe.web.server import free_port

LEARNERS = 4
EXERCISE = "14-ordonnance"
BASE = f"/exercices/{EXERCISE}/dictee"
SAVE_INTERVAL = 0.05  # seconds between a learner's autosaves (the page's is 3 s)


class Server:
    """``transcribe serve --classe`` in a subprocess, on a free port of the loopback."""

    def __init__(self, database: str, data, *options: str):
        self.database, self.data, self.options = database, data, options
        self.process: subprocess.Popen | None = None
        self.url = ""

    def env(self) -> dict:
        return {**os.environ, "TRANSCRIBE_DATA_DIR": str(self.data)}

    def start(self) -> "Server":
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "transcribe", "serve", "--classe", "--database", self.database, "--port", str(port),
             *self.options], env=self.env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(self.process.stderr.read().decode())
            try:
                if httpx.get(self.url + "/connexion", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError("the server did not start")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


def logged_in(url: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=url, follow_redirects=False, timeout=30)
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/connexion").text)[1]
    response = client.post("/connexion", data={"csrf": csrf, "identifiant": name, "mot_de_passe": PASSWORD})
    assert response.status_code == 303, response.text
    return client


class Learner(threading.Thread):
    """Autosaves every SAVE_INTERVAL and submits every few saves, noting what was acknowledged."""

    def __init__(self, url: str, name: str, stop: threading.Event):
        super().__init__(name=name, daemon=True)
        self.client, self.stop = logged_in(url, name), stop
        self.acknowledged: dict[str, tuple[int, str]] = {}  # token → (attempt id, text)
        self.saved: dict[str, str] = {}  # token → last text the server said it saved
        self.in_flight: dict[str, str] = {}  # token → text sent, no answer (yet)
        self.saves = 0

    def page(self) -> tuple[str, str]:
        page = self.client.get(BASE).text
        return (re.search(r'data-token="([^"]+)"', page)[1],
                re.search(r'name="csrf-token" content="([^"]+)"', page)[1])

    def run(self):
        try:
            token, csrf = self.page()
            count = 0
            while not self.stop.is_set():
                count += 1
                text = f"Ordonnance de {self.name}, version {count}"
                self.in_flight[token] = text
                if count % 7:
                    saved = self.client.post(f"{BASE}/sauvegarde", json={"jeton": token, "texte": text},
                                             headers={"X-CSRF-Token": csrf})
                    assert saved.status_code == 200, saved.text
                    self.saved[token] = self.in_flight.pop(token)
                    self.saves += 1
                    time.sleep(SAVE_INTERVAL)
                else:
                    sent = self.client.post(f"{BASE}/rendre", data={"csrf": csrf, "jeton": token, "texte": text})
                    assert sent.status_code == 303, sent.text
                    self.acknowledged[token] = (int(sent.headers["location"].rsplit("/", 1)[1]),
                                                self.in_flight.pop(token))
                    token, csrf = self.page()
        except (httpx.HTTPError, OSError):
            pass  # the server is gone


@pytest.fixture
def classroom(tmp_path):
    """A database with a trainer, a class assigned the exercise, and four learners."""
    database = f"sqlite:///{tmp_path / 'classe.sqlite3'}"
    app = classroom_app(database, tmp_path / "donnees")
    add_user(app, "marie")
    marie = Browser(app)
    marie.login("marie")
    class_id, code = create_class(marie)
    assign(marie, class_id, EXERCISE)
    for k in range(LEARNERS):
        register(app, code, f"apprenant{k}")
    app.state.services.engine.dispose()
    uploads = tmp_path / "donnees" / "exercices" / "references"
    uploads.mkdir(parents=True, exist_ok=True)
    (uploads / "17-fuite.txt").write_text("Compte rendu.\n", encoding="utf-8")
    (uploads / "17-fuite.toml").write_text('title = "Fuite"\naudio = "../../../classe.sqlite3"\n', encoding="utf-8")
    return database, tmp_path / "donnees", tmp_path / "classe.sqlite3"


def trainer_at_work(url: str, data, stop: threading.Event):
    """The uploads folder changes and the trainer looks at the exercises: the catalogue is read again."""
    toml = data / "exercices" / "references" / "17-fuite.toml"
    try:
        marie = logged_in(url, "marie")
        while not stop.is_set():
            os.utime(toml)
            assert marie.get("/formateur/exercices").status_code == 200
            time.sleep(0.1)
    except (httpx.HTTPError, OSError):
        pass  # the server is gone


def admin_commands(database: str, data, stop: threading.Event, runs: list):
    env = {**os.environ, "TRANSCRIBE_DATA_DIR": str(data)}
    while not stop.is_set():
        done = subprocess.run([sys.executable, "-m", "transcribe", "users", "list", "--database", database], env=env,
                              capture_output=True, text=True, timeout=60)
        runs.append(done)


def test_kill_9_while_learners_work_loses_no_submission(classroom):
    database, data, path = classroom
    server = Server(database, data).start()
    try:
        stop, runs = threading.Event(), []
        learners = [Learner(server.url, f"apprenant{k}", stop) for k in range(LEARNERS)]
        admin = threading.Thread(target=admin_commands, args=(database, data, stop, runs), daemon=True)
        trainer = threading.Thread(target=trainer_at_work, args=(server.url, data, stop), daemon=True)
        for thread in (*learners, admin, trainer):
            thread.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (sum(len(s.acknowledged) for s in learners) < 2 * LEARNERS
                                               or len(runs) < 2):
            time.sleep(0.2)
        server.kill()
        stop.set()
        for thread in (*learners, admin, trainer):
            thread.join(60)
    finally:
        server.stop()
    assert [r.returncode for r in runs if r.returncode] == [] and all("marie\tformateur" in r.stdout for r in runs)
    acknowledged = sum(len(s.acknowledged) for s in learners)
    assert acknowledged >= 2 * LEARNERS and sum(s.saves for s in learners) >= 10 * LEARNERS

    server = Server(database, data).start()  # the restart: recovery by SQLite, migrations, checks
    try:
        with sqlite3.connect(path) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            attempts = {token: (attempt_id, text) for attempt_id, token, text in
                        connection.execute("SELECT id, token, text FROM attempts")}
            copies = dict(connection.execute("SELECT token, text FROM working_copies"))
        for learner in learners:
            for token, kept in learner.acknowledged.items():
                assert attempts.get(token) == kept, (learner.name, token)
            for token, text in learner.saved.items():
                if token in learner.acknowledged or token in attempts:
                    continue  # submitted since (acknowledged or in flight at the kill)
                assert copies[token] in {text, learner.in_flight.get(token)}, (learner.name, copies[token], text)
        assert len(attempts) == len(set(a for a, _ in attempts.values()))
        after = logged_in(server.url, "apprenant0")  # it works: a new submission after the restart
        page = after.get(BASE).text
        token = re.search(r'data-token="([^"]+)"', page)[1]
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page)[1]
        sent = after.post(f"{BASE}/rendre", data={"csrf": csrf, "jeton": token, "texte": "Après le redémarrage"})
        assert sent.status_code == 303
        assert int(sent.headers["location"].rsplit("/", 1)[1]) > max(a for a, _ in attempts.values())
    finally:
        server.stop()


def test_the_client_address_comes_from_trusted_proxies_only(classroom):
    """--proxy is real: a wrong password sent through a trusted proxy is counted against the
    client's address (X-Forwarded-For); from any other address, the header is ignored."""
    database, data, path = classroom
    for option, expected in (("127.0.0.1", "ip:203.0.113.7"), ("aucun", "ip:127.0.0.1")):
        server = Server(database, data, "--proxy", option).start()
        try:
            client = httpx.Client(base_url=server.url, headers={"X-Forwarded-For": "203.0.113.7"})
            csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/connexion").text)[1]
            response = client.post("/connexion", data={"csrf": csrf, "identifiant": "marie", "mot_de_passe": "faux"})
            assert response.status_code == 401
        finally:
            server.stop()
        with sqlite3.connect(path) as connection:
            keys = [k for (k,) in connection.execute("SELECT key FROM login_failures WHERE key LIKE 'ip:%'")]
        assert keys[-1] == expected, option
