"""The security suite's kit: two trainers' worlds, a hasher that counts, raw ASGI posts.

Its fixtures are imported by the test modules that use them (a ``conftest.py`` here would
take the name ``conftest`` from the tests folder's own, which other tests import).

``world``: two trainers (marie, jules), each with a class, an assignment and a learner who
submitted an attempt (paul in Marie's class, lea in Jules's), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from classroom_kit import Browser, add_user, assign, classroom_app, create_class, register, submit_attempt

from transcribe.web.classroom import accounts

ROOT = Path(__file__).resolve().parents[2]
SHORT_FLAC = ROOT / "audio_samples" / "00-court.flac"


def make_world(app) -> dict:
    add_user(app, "marie")
    add_user(app, "jules")
    marie, jules = Browser(app), Browser(app)
    marie.login("marie")
    jules.login("jules")
    class_a, code_a = create_class(marie, "Classe de Marie")
    class_b, code_b = create_class(jules, "Classe de Jules")
    assign(marie, class_a)
    assign(jules, class_b)
    paul = register(app, code_a, "paul")
    lea = register(app, code_b, "lea")
    attempt_paul = submit_attempt(app, "paul", "14-ordonnance", "Ordonnance")
    attempt_lea = submit_attempt(app, "lea", "14-ordonnance", "Ordonnance")
    with app.state.services.sessions.begin() as session:
        ids = {name: accounts.find_user(session, name).id for name in ("paul", "lea")}
        platform, grades = moodle_rows(session, {"paul": (ids["paul"], class_a), "lea": (ids["lea"], class_b)})
    return {"app": app, "marie": marie, "jules": jules, "paul": paul, "lea": lea, "class_a": class_a,
            "class_b": class_b, "code_a": code_a, "code_b": code_b, "attempt_paul": attempt_paul.id,
            "attempt_lea": attempt_lea.id, "ids": ids, "platform": platform, "grades": grades}


def moodle_rows(session, learners: dict) -> tuple[int, dict]:
    """A Moodle platform (the server's, shared by its local trainers) and, for each learner, the
    note of their class's assignment waiting to go to Moodle: the ids the LTI routes take."""
    from sqlalchemy import select

    from transcribe.web.classroom.lti.models import GradeLink, Platform
    from transcribe.web.classroom.models import Assignment

    platform = Platform(name="Moodle", issuer="https://moodle.test", client_id="client", deployment_ids=["1"],
                        keyset_url="https://moodle.test/keys", token_url="https://moodle.test/token",
                        auth_url="https://moodle.test/auth")
    session.add(platform)
    session.flush()
    grades = {}
    for name, (user_id, class_id) in learners.items():
        assignment = session.scalar(select(Assignment).where(Assignment.class_id == class_id))
        link = GradeLink(user_id=user_id, platform_id=platform.id, subject=f"moodle-{name}", resource_link_id=name,
                         assignment_id=assignment.id, exercise_id=assignment.exercise_id, mode=assignment.mode)
        session.add(link)
        session.flush()
        grades[name] = link.id
    return platform.id, grades


@pytest.fixture
def world(database_url, tmp_path):
    """Two trainers, each with a class, an assignment and a learner who submitted an attempt."""
    app = classroom_app(database_url, tmp_path)
    yield make_world(app)
    app.state.services.engine.dispose()


@pytest.fixture
def sqlite_world(tmp_path):
    """The same world on SQLite only (tests that look at the database's file)."""
    app = classroom_app(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path)
    yield make_world(app)
    app.state.services.engine.dispose()


def at_once(count: int, work) -> list:
    """``work(k)`` for k in 0…count-1, in as many threads released together; the results."""
    barrier, results = threading.Barrier(count), [None] * count

    def one(k):
        barrier.wait()
        results[k] = work(k)

    threads = [threading.Thread(target=one, args=(k,)) for k in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


class CountingHasher(PasswordHasher):
    """Argon2id at the cheapest cost, that counts its hashes and verifications and the most of
    them running at once; ``delay`` makes each one last (a real hash takes ~100 ms)."""

    def __init__(self, delay: float = 0.0):
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.delay = delay
        self.lock = threading.Lock()
        self.running = self.peak = self.hashes = self.verifications = 0

    def _run(self, work, counter: str):
        with self.lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
            setattr(self, counter, getattr(self, counter) + 1)
        try:
            time.sleep(self.delay)
            return work()
        finally:
            with self.lock:
                self.running -= 1

    def hash(self, password, **kwargs):
        return self._run(lambda: super(CountingHasher, self).hash(password, **kwargs), "hashes")

    def verify(self, digest, password):
        return self._run(lambda: super(CountingHasher, self).verify(digest, password), "verifications")


@pytest.fixture
def hasher(monkeypatch):
    counting = CountingHasher()
    monkeypatch.setattr(accounts, "HASHER", counting)
    return counting


def asgi_post(app, path: str, headers: dict[str, str], size: int, chunk: int = 1 << 20,
              cookies: str = "") -> tuple[int, int, bytes]:
    """POST ``size`` bytes to ``app`` in ``chunk``-sized messages, as a server streams them:
    (status, bytes the application read, response body)."""
    read = 0
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    if cookies:
        raw.append((b"cookie", cookies.encode()))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"testserver"), *raw], "client": ("127.0.0.1", 5000),
             "server": ("testserver", 80), "state": {}}
    messages = []

    async def receive():
        nonlocal read
        if read >= size:
            await asyncio.sleep(3600)  # the client waits for the answer
        part = min(chunk, size - read)
        read += part
        return {"type": "http.request", "body": b"x" * part, "more_body": read < size}

    async def send(message):
        messages.append(message)

    async def run():
        await asyncio.wait_for(app(scope, receive, send), 30)

    asyncio.run(run())
    status = next(m["status"] for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return status, read, body
