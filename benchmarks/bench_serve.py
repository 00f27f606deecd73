"""The learner workspace under load: 50 learners submitting 300-word copies at once.

A real ``transcribe serve --workers N`` is started on a free port with a temporary data
folder and a generated exercises folder (one 300-word exercise per simulated learner, so
that each works on their own copy: in solo mode a copy is one per exercise). Each learner,
concurrently, does what the page does: open the workspace, start the clock, autosave three
times while typing, submit, open the report — ``--rounds`` times. Measured: requests per
second over the run, p50/p95 latency of a submission (the POST that grades and stores the
copy), and attempts lost (the database count must equal the submissions answered).

The peer, in the same run: the same server with one worker (ratio of throughput), and the
grading alone in-process (the floor of a submission's latency).

    python benchmarks/bench_serve.py [--learners 50] [--rounds 2] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import httpx

from transcribe import bundled
from transcribe.asr.timings import Timings, reference_text, shipped_timings_path, text_sha256
from transcribe.exercise import find_exercise, load_exercise
from transcribe.files import write_atomic
from transcribe.web.feedback import grade_copy

from bench_grade import mistype_words  # noqa: E402  (the grading bench's typing mistakes)

PARTS = ("03-neurologie-consultation", "08-compte-rendu-operatoire")


def mistype(rng: random.Random, reference: str) -> str:
    """A learner's copy: a few words left out, accents dropped, agreements changed."""
    return mistype_words(rng, reference, doubled_letters=False)


def make_exercises(folder: Path, count: int) -> str:
    """``count`` exercises sharing one 300-word reference and one audio file; returns the text."""
    first, second = (find_exercise(p) for p in PARTS)
    text = first.reference_text().rstrip("\n") + "\n\n" + second.reference_text()
    terms = first.terms + second.terms
    shutil.copy(first.audio_path, folder / "dictee.flac")
    for k in range(count):
        (folder / f"charge-{k:03d}.txt").write_text(text, encoding="utf-8")
        (folder / f"charge-{k:03d}.toml").write_text(
            f'title = "Charge {k}"\nspecialty = "neurologie"\naudio = "dictee.flac"\ntime_limit_minutes = 30\n'
            f"terms = {json.dumps(terms, ensure_ascii=False)}\n", encoding="utf-8")
    # Replay timings for the shared reference, so that no learner's page starts a Whisper run.
    exercise = load_exercise(folder / "charge-000.txt")
    reference = reference_text(exercise)
    write_atomic(shipped_timings_path(exercise),
                 json.dumps(Timings(text_sha256(reference), [0], [0.0]).to_dict()))
    return text


def start_server(workers: int, references: Path, data: Path) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "TRANSCRIBE_DATA_DIR": str(data), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-c", "from transcribe.cli import main; main()", "serve",
                                "--references", str(references), "--workers", str(workers)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = process.stdout.readline()
    match = re.search(r"(http://\S+/)", line)
    if not match:
        raise SystemExit("le serveur n'a pas démarré : " + line + process.stderr.read())
    url = match.group(1)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("le serveur ne répond pas.")


async def dictation_round(client: httpx.AsyncClient, base: str, text: str, rng: random.Random,
                          latencies: list[float], answered: list[str], counts: dict, csrf_page: bool = False,
                          autosaves: list[float] | None = None) -> None:
    """What the dictation page does once: open it, start listening, three autosaves, hand the copy
    in, open the report. ``csrf_page``: the classroom's pages carry a CSRF token to send back;
    ``autosaves``: where to note each autosave's latency."""
    page = await client.get(base)
    counts["requests"] += 1
    token = re.search(r'data-token="([^"]+)"', page.text).group(1)
    headers, form = {}, {}
    if csrf_page:
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
        headers, form = {"X-CSRF-Token": csrf}, {"csrf": csrf}
    await client.post(f"{base}/debut", json={"jeton": token}, headers=headers)
    copy = mistype(rng, text)
    for share in (0.3, 0.6, 0.9):
        start = time.perf_counter()
        await client.post(f"{base}/sauvegarde", json={"jeton": token, "texte": copy[:int(len(copy) * share)]},
                          headers=headers)
        if autosaves is not None:
            autosaves.append(time.perf_counter() - start)
    counts["requests"] += 4
    start = time.perf_counter()
    response = await client.post(f"{base}/rendre", data={"jeton": token, "texte": copy, **form})
    latencies.append(time.perf_counter() - start)
    counts["requests"] += 1
    if response.status_code == 303:
        answered.append(response.headers["location"])
        report = await client.get(response.headers["location"])
        counts["requests"] += 1
        assert report.status_code == 200
    else:
        counts["errors"] += 1


async def learner(client: httpx.AsyncClient, index: int, text: str, rounds: int, rng: random.Random,
                  latencies: list[float], answered: list[str], counts: dict) -> None:
    for _ in range(rounds):
        await dictation_round(client, f"/exercices/charge-{index:03d}/dictee", text, rng, latencies, answered, counts)


async def load(url: str, learners: int, rounds: int, text: str) -> dict:
    latencies: list[float] = []
    answered: list[str] = []
    counts = {"requests": 0, "errors": 0}
    limits = httpx.Limits(max_connections=learners, max_keepalive_connections=learners)
    async with httpx.AsyncClient(base_url=url, timeout=300, limits=limits) as client:
        start = time.perf_counter()
        await asyncio.gather(*(learner(client, k, text, rounds, random.Random(k), latencies, answered, counts)
                               for k in range(learners)))
        wall = time.perf_counter() - start
    return {"wall": wall, "latencies": latencies, "answered": answered, **counts}


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def run(workers: int, learners: int, rounds: int, root: Path) -> dict:
    references = root / f"exercices-{workers}"
    data = root / f"donnees-{workers}"
    references.mkdir()
    text = make_exercises(references, learners)
    process, url = start_server(workers, references, data)
    try:
        result = asyncio.run(load(url, learners, rounds, text))
    finally:
        process.terminate()
        process.wait(timeout=30)
    with sqlite3.connect(data / "espace-apprenant.sqlite3") as db:
        stored = db.execute("select count(*) from attempts").fetchone()[0]
    result.update(stored=stored, workers=workers, words=len(text.split()))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"machine : {os.cpu_count()} cœurs ; exercices : {bundled.references_dir()}", file=sys.stderr)
    root = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    try:
        # the in-process floor: grading one copy, no HTTP, no database
        probe = root / "probe"
        probe.mkdir()
        text = make_exercises(probe, 1)
        exercise = load_exercise(probe / "charge-000.txt")
        rng = random.Random(0)
        copies = [mistype(rng, text) for _ in range(20)]
        grade_copy(exercise, copies[0], None)  # warm caches (lexicon, dictionary)
        start = time.perf_counter()
        for copy in copies:
            grade_copy(exercise, copy, 12.0)
        floor = (time.perf_counter() - start) / len(copies)
        results = [run(w, args.learners, args.rounds, root) for w in sorted({1, args.workers})]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"\n{args.learners} apprenants × {args.rounds} copies de {results[0]['words']} mots, en parallèle\n")
    print("| serveur | requêtes/s | copies/s | soumission p50 | soumission p95 | copies rendues | en base | perdues |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        lat = sorted(r["latencies"])
        submissions = len(r["answered"])
        print(f"| {r['workers']} processus | {r['requests'] / r['wall']:.1f} | {submissions / r['wall']:.1f} | "
              f"{1000 * percentile(lat, 50):.0f} ms | {1000 * percentile(lat, 95):.0f} ms | {submissions} | "
              f"{r['stored']} | {submissions - r['stored'] + r['errors']} |")
    print(f"\ncorrection seule, dans le processus (plancher d'une soumission) : {1000 * floor:.0f} ms par copie")
    if len(results) > 1:
        ratio = (len(results[1]["answered"]) / results[1]["wall"]) / (len(results[0]["answered"]) / results[0]["wall"])
        print(f"débit {results[1]['workers']} processus / 1 processus : × {ratio:.2f}")
    lost = [r for r in results if r["stored"] != len(r["answered"]) or r["errors"]]
    if lost:
        raise SystemExit("des tentatives ont été perdues.")


if __name__ == "__main__":
    main()
