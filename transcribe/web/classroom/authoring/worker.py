"""The transcription worker: a thread of each server process that runs the queue's jobs.

It claims a job (``queue.claim``: one at a time on the whole server), starts a child process
for it (``python -m transcribe.authoring.child``: Whisper outside the server's interpreter,
at a lower priority, so that the learners' requests are never held by it), passes the
child's progress to the job's row, renews the job's lease every few seconds while the child
works, and records the end: the form filled with Whisper's work, or the French reason of a
refusal. A job whose lease it loses (another worker took it after a pause too long) is
abandoned, its child killed. The server stopping kills the child and puts the job back in
the queue; it starts again at the next start (``queue``).

``runner`` is how a job's work is done: ``run_in_child`` by default; the tests of the pages
pass ``run_in_process`` with a fake speech recogniser.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable

from . import queue, store

log = logging.getLogger(__name__)
POLL_SECONDS = 2.0
PROGRESS_EVERY_SECONDS = 0.5
UNEXPECTED = ("La transcription s'est arrêtée sur une erreur inattendue (code {code}) : supprimez ce brouillon et "
              "envoyez l'enregistrement de nouveau, ou prévenez la personne qui gère le serveur.")

Runner = Callable[[dict, Callable[[dict], bool], threading.Event], dict]


def run_in_child(spec: dict, on_progress: Callable[[dict], bool], stop: threading.Event) -> dict:
    """The job in a child process: ``{"fin": result}``, ``{"erreur": message}`` or ``{"arret": True}``."""
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen([sys.executable, "-m", "transcribe.authoring.child"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=errors, text=True, encoding="utf-8")
        watcher = threading.Thread(target=_kill_on, args=(stop, process), name="transcription-watch", daemon=True)
        watcher.start()
        try:
            process.stdin.write(json.dumps(spec, ensure_ascii=False))
            process.stdin.close()
            outcome: dict = {}
            for line in process.stdout:
                try:
                    message = json.loads(line)
                except ValueError:
                    continue
                if "etape" in message:
                    if not on_progress(message):
                        stop.set()
                elif "fin" in message or "erreur" in message:
                    outcome = message
            code = process.wait()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        if outcome:
            return outcome
        if stop.is_set():
            return {"arret": True}
        errors.seek(0)
        log.error("transcription %s : le processus s'est arrêté (code %s) : %s", spec.get("id"), code,
                  errors.read()[-4000:].decode("utf-8", "replace"))
        return {"erreur": UNEXPECTED.format(code=code)}


def _kill_on(stop: threading.Event, process: subprocess.Popen) -> None:
    while process.poll() is None:
        if stop.wait(0.5):
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
            return


def run_in_process(spec: dict, on_progress: Callable[[dict], bool], stop: threading.Event) -> dict:
    """The job in this process (tests: a fake speech recogniser replaces Whisper here)."""
    from ....authoring import child

    outcome: dict = {}

    def emit(message: dict) -> None:
        if "etape" in message:
            on_progress(message)
        else:
            outcome.update(message)

    child.run(spec, emit)
    return outcome


class Worker:
    def __init__(self, settings, sessions, runner: Runner = run_in_child, poll_seconds: float = POLL_SECONDS):
        self.settings = settings
        self.sessions = sessions
        self.runner = runner
        self.poll_seconds = poll_seconds
        self.id = f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._job_stop: threading.Event | None = None
        self._thread: threading.Thread | None = None

    # --- lifespan -----------------------------------------------------------------------------

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="transcriptions", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._job_stop is not None:
            self._job_stop.set()
        if self._thread is not None:
            self._thread.join(timeout=15)

    def wake(self) -> None:
        """A job was queued: look now instead of at the next poll."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                worked = self.run_once()
            except Exception:  # the database away for a moment: try again later
                log.exception("file des transcriptions")
                worked = False
            if not worked:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()

    # --- one job --------------------------------------------------------------------------------

    def run_once(self) -> bool:
        """Claim and run one job (in this thread); whether there was one."""
        claimed = queue.claim(self.sessions, self.id)
        if claimed is None:
            return False
        with self.sessions.begin() as session:
            spec = store.job_spec(self.settings, session, claimed)
        if spec is None:  # the creation was deleted meanwhile
            return True
        stop = self._job_stop = threading.Event()
        if self._stop.is_set():
            stop.set()
        beating = threading.Thread(target=self._beat, args=(claimed.id, stop), name="transcription-lease",
                                   daemon=True)
        beating.start()
        last = [0.0, ""]

        def on_progress(message: dict) -> bool:
            stage = str(message.get("etape", ""))
            if stage == last[1] and time.monotonic() - last[0] < PROGRESS_EVERY_SECONDS and stage != "pret":
                return not stop.is_set()
            last[:] = [time.monotonic(), stage]
            ours = queue.progress(self.sessions, claimed.id, self.id, stage, float(message.get("avancement", 0)),
                                  str(message.get("message", "")))
            return ours and not stop.is_set()

        try:
            outcome = self.runner(spec, on_progress, stop)
        except Exception:
            log.exception("transcription %s", spec["id"])
            outcome = {"erreur": UNEXPECTED.format(code="exception")}
        finally:
            done = stop.is_set()
            stop.set()
            beating.join(timeout=5)
            self._job_stop = None
        self._record(claimed, outcome, stopped=done and "fin" not in outcome and "erreur" not in outcome)
        return True

    def _beat(self, job_id: int, stop: threading.Event) -> None:
        while not stop.wait(queue.HEARTBEAT_SECONDS):
            try:
                if not queue.heartbeat(self.sessions, job_id, self.id):
                    stop.set()  # no longer ours: another worker took it, or it was deleted
            except Exception:
                log.exception("bail de la transcription %s", job_id)

    def _record(self, claimed: queue.Claimed, outcome: dict, stopped: bool) -> None:
        if stopped or "arret" in outcome:
            queue.release(self.sessions, claimed.id, self.id)
            return
        with self.sessions.begin() as session:
            if "fin" in outcome:
                if queue.finish(session, claimed.id, self.id, True, "Transcription terminée."):
                    store.transcribed(self.settings, session, claimed.creation_id, outcome["fin"])
            else:
                message = str(outcome.get("erreur") or UNEXPECTED.format(code="?"))
                message = message[:1].upper() + message[1:]
                if queue.finish(session, claimed.id, self.id, False, message):
                    store.failed(session, claimed.creation_id, message)
