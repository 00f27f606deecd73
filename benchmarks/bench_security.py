"""The classroom server's resistance figures: memory and time under hostile bursts.

A real ``transcribe serve --classe`` (one process, the real Argon2id parameters) is started
on a free port with a SQLite database (setup, not timed: a trainer, 30 accounts). The
server's resident memory is sampled from /proc every 5 ms. Measured:

1. 20 logins at once with invented names: the server's RSS growth (peer: its RSS at rest);
2. the median time of a wrong password for an existing name and for an unknown one, 25 each,
   interleaved (peer: each other; the ratio must be within 25 %), and the server's CPU time
   for each (less sensitive to what else the machine runs);
3. 20 wrong passwords at once for one account: how many were verified (401) and how many
   throttled (429); at most 10 may be verified;
4. 10 anonymous 59 MB posts to the exercise upload at once: their answers, the bytes the
   server let in before answering, and its RSS growth (peer: the 590 MB sent).

Addresses vary through X-Forwarded-For (the loopback is a trusted proxy by default), so that
the per-address limit does not hide the per-name one. Linux only (/proc).

    python benchmarks/bench_security.py
    PYTHONPATH=<a checkout of another commit> python benchmarks/bench_security.py   # that code's figures
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path[:0] = [str(TESTS), str(TESTS / "security")]
from security_kit import at_once  # noqa: E402  (threads released together, as the security tests do)

PASSWORD = "mot-de-passe-de-mesure"
ACCOUNTS = 30
SAMPLES = 25  # wrong passwords timed per kind (the machine is shared: medians of many)
BODY = 59_000_000


def prepare(database: str) -> None:
    """A trainer and ACCOUNTS learner-less trainer accounts sharing one real Argon2id hash."""
    from transcribe.web import db, migrate
    from transcribe.web.classroom import accounts
    from transcribe.web.classroom.models import TRAINER

    engine = db.make_engine(database)
    migrate.create_schema(engine)
    sessions = db.session_factory(engine)
    digest = accounts.hash_password(PASSWORD)
    with sessions.begin() as session:
        for name in ["cible", *(f"compte{k:02d}" for k in range(ACCOUNTS))]:
            user = accounts.create_user(session, name, PASSWORD, TRAINER, password_hash=digest)
            user.password_hash = digest
    engine.dispose()


def start(database: str, data: Path) -> tuple[subprocess.Popen, str]:
    from transcribe.web.server import free_port

    port = free_port()
    env = {**os.environ, "TRANSCRIBE_DATA_DIR": str(data)}
    process = subprocess.Popen([sys.executable, "-m", "transcribe", "serve", "--classe", "--database", database,
                                "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(url + "/connexion", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(process.stderr.read().decode())


def cpu_seconds(pid: int) -> float:
    """The CPU time the process has used (user + system, all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status)[1]) / 1024


class Peak:
    """The highest RSS of a process while the block runs, sampled every 5 ms."""

    def __init__(self, pid: int):
        self.pid, self.peak, self.stop = pid, 0.0, threading.Event()

    def __enter__(self):
        self.start = rss_mib(self.pid)
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, rss_mib(self.pid))
            time.sleep(0.005)

    def __exit__(self, *exc):
        time.sleep(0.2)
        self.stop.set()
        self.thread.join()


def login(url: str, name: str, password: str, address: str) -> tuple[int, float]:
    """(status, seconds of the POST) of one login from ``address`` (X-Forwarded-For)."""
    with httpx.Client(base_url=url, headers={"X-Forwarded-For": address}, timeout=120) as client:
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/connexion").text)[1]
        started = time.perf_counter()
        response = client.post("/connexion", data={"csrf": csrf, "identifiant": name, "mot_de_passe": password})
        return response.status_code, time.perf_counter() - started


def big_post(url: str) -> tuple[str, int]:
    """An anonymous 59 MB multipart post: (the answer's status line, bytes the server took)."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    head = (f"POST /formateur/exercices HTTP/1.1\r\nHost: {host}\r\nContent-Type: multipart/form-data; "
            f"boundary=xyz\r\nContent-Length: {BODY}\r\n\r\n").encode()
    sock.sendall(head)
    sent, chunk = 0, b"x" * 65536
    answer = b""
    sock.settimeout(0.05)
    try:
        while sent < BODY:
            try:
                sent += sock.send(chunk[:min(len(chunk), BODY - sent)])
            except socket.timeout:
                pass
            try:
                answer += sock.recv(4096)
            except socket.timeout:
                continue
            if answer:
                break
    except OSError:
        pass
    sock.settimeout(5)
    try:
        while b"\r\n" not in answer:
            data = sock.recv(4096)
            if not data:
                break
            answer += data
    except OSError:
        pass
    sock.close()
    return answer.split(b"\r\n", 1)[0].decode(errors="replace"), sent


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-securite-"))
    database = f"sqlite:///{folder / 'classe.sqlite3'}"
    prepare(database)
    process, url = start(database, folder / "donnees")
    try:
        login(url, "compte00", "faux", "10.9.0.1")  # warm: the dummy hash, the first request
        login(url, "inconnu", "faux", "10.9.0.2")
        time.sleep(3)  # the server's warm-up thread (grading resources) settles
        print(f"Serveur au repos : {rss_mib(process.pid):.0f} Mio. Charge de la machine (2 cœurs, partagée) : "
              f"{os.getloadavg()[0]:.1f}")

        with Peak(process.pid) as peak:
            statuses = at_once(20, lambda k: login(url, f"invente{k:02d}", "faux", f"10.1.0.{k}")[0])
        print(f"1. 20 connexions simultanées, noms inventés : RSS {peak.start:.0f} → max {peak.peak:.0f} Mio, "
              f"+{peak.peak - peak.start:.0f} Mio (objectif < 300) ; réponses {sorted(set(statuses))}")

        times = {"existant": [], "inconnu": []}
        work = {"existant": [], "inconnu": []}
        for k in range(SAMPLES):  # interleaved, one address and one name each: no throttle involved
            for kind, name, address in (("existant", f"compte{k + 1:02d}", f"10.2.0.{k}"),
                                        ("inconnu", f"personne{k:02d}", f"10.3.0.{k}")):
                before = cpu_seconds(process.pid)
                times[kind].append(login(url, name, "faux", address)[1])
                work[kind].append(cpu_seconds(process.pid) - before)
        a, b = statistics.median(times["existant"]), statistics.median(times["inconnu"])
        c, d = statistics.median(work["existant"]), statistics.median(work["inconnu"])
        print(f"2. connexion ratée, médiane sur {SAMPLES} : nom existant {a * 1000:.0f} ms, nom inconnu {b * 1000:.0f} ms ; "
              f"rapport inconnu / existant × {b / a:.2f} (objectif entre 0,75 et 1,25) ; temps de calcul du serveur "
              f"{c * 1000:.0f} ms contre {d * 1000:.0f} ms, × {d / c:.2f} (moins sensible à la charge de la machine)")

        results = at_once(20, lambda k: login(url, "cible", f"essai-{k}", f"10.4.0.{k}")[0])
        print(f"3. 20 mauvais mots de passe simultanés pour « cible » : {results.count(401)} vérifiés (401), "
              f"{results.count(429)} refusés sans vérification (429) (objectif : au plus 10 vérifiés)")

        with Peak(process.pid) as peak:
            posts = at_once(10, lambda k: big_post(url))
        taken = sum(sent for _, sent in posts)
        print(f"4. 10 envois anonymes de 59 Mo : réponses {sorted(set(s for s, _ in posts))} ; "
              f"octets acceptés par le serveur avant sa réponse {taken / 1e6:.1f} Mo sur {10 * BODY / 1e6:.0f} Mo ; "
              f"RSS {peak.start:.0f} → max {peak.peak:.0f} Mio, +{peak.peak - peak.start:.0f} Mio (objectif < 100)")
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
