"""The classroom server under load: 200 learners logged in, submitting at once, SQLite vs PostgreSQL.

A real ``transcribe serve --classe --workers N`` is started on a free port, first on a SQLite
file, then on a throwaway PostgreSQL cluster (``tests/pgcluster.py``; skipped when PostgreSQL
is not installed). Setup, not timed: a trainer, one class, one 300-word exercise assigned, and
``--learners`` accounts. Then every learner, concurrently and each with their own cookies,
logs in (a real Argon2id verification), and does what the page does: open the workspace,
start the clock, autosave three times, submit, open the report, ``--rounds`` times.
Measured: logins and submissions per second over the run, p50/p95 latency of a submission,
and attempts lost (the database count must equal the submissions answered). The peer in
the same run: SQLite against PostgreSQL, same server, same load. The exercise and the
learners' copies are ``bench_serve.py``'s (the solo workspace's bench).

    python benchmarks/bench_classroom.py [--learners 200] [--rounds 1] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import httpx
from bench_serve import PARTS, dictation_round, make_exercises, percentile  # the solo bench's load and exercises

from transcribe.exercise import find_exercise



def copy_text() -> str:
    """The 300-word reference of bench_serve's exercises: two bundled dictations in a row."""
    first, second = (find_exercise(p) for p in PARTS)
    return first.reference_text().rstrip("\n") + "\n\n" + second.reference_text()


# --- classroom mode: accounts, one class, 200 learners on SQLite and on PostgreSQL ----------

CLASS_PASSWORD = "mot-de-passe-de-charge"


def prepare_classroom(database: str, data: Path, references: Path, learners: int) -> None:
    """A trainer, a class with the first exercise assigned, and ``learners`` accounts (not timed)."""
    from transcribe.web import db, migrate
    from transcribe.web.classroom import accounts
    from transcribe.web.classroom.models import LEARNER, TRAINER, Assignment, SchoolClass

    engine = db.make_engine(database)
    migrate.create_schema(engine)
    sessions = db.session_factory(engine)
    with sessions.begin() as session:
        trainer = accounts.create_user(session, "formateur", CLASS_PASSWORD, TRAINER)
        school_class = SchoolClass(name="Charge", trainer_id=trainer.id, join_code=accounts.new_join_code())
        session.add(school_class)
        session.flush()
        session.add(Assignment(class_id=school_class.id, exercise_id="charge-000", mode="dictee"))
        digest = accounts.hash_password(CLASS_PASSWORD)  # one real Argon2id hash, shared: setup stays quick
        for k in range(learners):
            user = accounts.create_user(session, f"apprenant{k:03d}", CLASS_PASSWORD, LEARNER)
            user.password_hash = digest
            accounts.join(session, user, school_class)
    engine.dispose()


def start_classroom(workers: int, references: Path, data: Path, database: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "TRANSCRIBE_DATA_DIR": str(data), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-c", "from transcribe.cli import main; main()", "serve", "--classe",
                                "--references", str(references), "--workers", str(workers), "--database", database],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = process.stdout.readline()
    match = re.search(r"(http://\S+/)", line)
    if not match:
        raise SystemExit("le serveur n'a pas démarré : " + line + process.stderr.read())
    url = match.group(1)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "connexion", timeout=2).close()
            return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("le serveur ne répond pas.")


async def class_learner(url: str, index: int, text: str, rounds: int, rng: random.Random, latencies: list[float],
                        answered: list[str], counts: dict, logins: list[float]) -> None:
    """One learner in their own browser (cookies): log in, then what the page does, ``rounds`` times."""
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=0)  # the server closes idle ones (5 s)
    async with httpx.AsyncClient(base_url=url, timeout=600, limits=limits) as client:
        page = await client.get("/connexion")
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
        start = time.perf_counter()
        response = await client.post("/connexion", data={"identifiant": f"apprenant{index:03d}",
                                                         "mot_de_passe": CLASS_PASSWORD, "csrf": csrf})
        logins.append(time.perf_counter() - start)
        counts["requests"] += 2
        if response.status_code != 303:
            counts["errors"] += 1
            return
        for _ in range(rounds):
            await dictation_round(client, "/exercices/charge-000/dictee", text, rng, latencies, answered, counts,
                                  csrf_page=True)


async def class_load(url: str, learners: int, rounds: int, text: str) -> dict:
    latencies: list[float] = []
    answered: list[str] = []
    logins: list[float] = []
    counts = {"requests": 0, "errors": 0}
    start = time.perf_counter()
    await asyncio.gather(*(class_learner(url, k, text, rounds, random.Random(k), latencies, answered, counts, logins)
                           for k in range(learners)))
    wall = time.perf_counter() - start
    return {"wall": wall, "latencies": latencies, "answered": answered, "logins": logins, **counts}


def count_attempts(database: str) -> int:
    from sqlalchemy import func, select

    from transcribe.web import db

    engine = db.make_engine(database)
    with db.session_factory(engine).begin() as session:
        count = session.scalar(select(func.count(db.Attempt.id)))
    engine.dispose()
    return count


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:  # a loaded machine: workers still finishing
        process.kill()
        process.wait()


def run_classroom(kind: str, workers: int, learners: int, rounds: int, root: Path, cluster) -> dict:
    references = root / f"classe-{kind}"
    data = root / f"donnees-classe-{kind}"
    references.mkdir()
    data.mkdir()
    text = make_exercises(references, 1)
    database = (f"sqlite:///{data / 'classe.sqlite3'}" if kind == "sqlite"
                else cluster.create_database("charge"))
    prepare_classroom(database, data, references, learners)
    process, url = start_classroom(workers, references, data, database)
    try:
        result = asyncio.run(class_load(url, learners, rounds, text))
    finally:
        stop(process)
    result.update(stored=count_attempts(database), workers=workers, words=len(text.split()), kind=kind)
    return result


def classroom_main(args) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    import pgcluster

    root = Path(tempfile.mkdtemp(prefix="bench-classe-"))
    cluster = pgcluster.start()
    print(f"\nmode classe : {args.learners} apprenants connectés × {args.rounds} copie(s) de {len(copy_text().split())} mots, "
          f"en parallèle, {args.workers} processus serveur\n")
    print("| base | connexions/s | copies/s | soumission p50 | soumission p95 | copies rendues | en base | perdues |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |", flush=True)
    results = []
    try:
        for kind in ["sqlite"] + (["postgresql"] if cluster else []):
            r = run_classroom(kind, args.workers, args.learners, args.rounds, root, cluster)
            results.append(r)
            lat = sorted(r["latencies"])
            submissions = len(r["answered"])
            print(f"| {'SQLite' if r['kind'] == 'sqlite' else 'PostgreSQL'} | "
                  f"{len(r['logins']) / r['wall']:.1f} | {submissions / r['wall']:.1f} | "
                  f"{1000 * percentile(lat, 50):.0f} ms | {1000 * percentile(lat, 95):.0f} ms | {submissions} | "
                  f"{r['stored']} | {submissions - r['stored'] + r['errors']} |", flush=True)
    finally:
        if cluster:
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
    if len(results) > 1:
        ratio = (len(results[1]["answered"]) / results[1]["wall"]) / (len(results[0]["answered"]) / results[0]["wall"])
        print(f"débit PostgreSQL / SQLite : × {ratio:.2f}")
    if [r for r in results if r["stored"] != len(r["answered"]) or r["errors"]]:
        raise SystemExit("des tentatives ont été perdues.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"machine : {os.cpu_count()} cœurs", file=sys.stderr)
    classroom_main(args)


if __name__ == "__main__":
    main()
