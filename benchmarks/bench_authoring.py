"""A recording becomes an exercise through the classroom server: upload to ready, and learners meanwhile.

A real ``transcribe serve --classe`` is started (a fresh one, with an empty transcript cache,
for each timed run). Measured:

1. **Upload to ready**: a trainer posts a dictation to ``/formateur/exercices/nouveau`` (the
   page's request: streamed, checked, queued) and asks for its state until the transcription
   is done (the form filled, the exercise ready to review), as a multiple of the audio's
   duration — against its peer in the same run, a bare ``transcribe asr`` of the same audio in
   a fresh process (start-up and model load included in both), alternated run after run. The
   target: at most 0.5× the duration for a 2-minute dictation on 2 cores.
2. **Learners while a transcription runs**: ``--learners`` accounts logged in, each doing
   ``bench_serve.py``'s dictation round (open, start, three autosaves, submit, report) over and
   over; the p95 of their autosaves first on an idle server (the peer), then while the trainer's
   recording is transcribed (target: under 300 ms), and the time to ready under that load.

    python benchmarks/bench_authoring.py [--runs 2] [--learners 20] [--audio FILE] [--workers 2]

The default dictation is the longest bundled one (08-compte-rendu-operatoire, 1 min 50 s).
Everything goes to a temporary folder, removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from bench_classroom import CLASS_PASSWORD, prepare_classroom, start_classroom, stop  # the classroom bench's server
from bench_serve import dictation_round, make_exercises, percentile  # the solo bench's learners' round

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_AUDIO = ROOT / "audio_samples" / "08-compte-rendu-operatoire.flac"
IDLE_SECONDS = 25.0


def bare_asr(audio: Path, env: dict) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "transcribe", "asr", str(audio), "--no-cache"], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


async def trainer_client(url: str) -> tuple[httpx.AsyncClient, str]:
    client = httpx.AsyncClient(base_url=url, timeout=600)
    page = await client.get("/connexion")
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    response = await client.post("/connexion", data={"identifiant": "formateur", "mot_de_passe": CLASS_PASSWORD,
                                                     "csrf": csrf})
    assert response.status_code == 303, response.text
    page = await client.get("/formateur/exercices/nouveau")
    return client, re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)


async def upload_to_ready(url: str, audio: Path, exercise_id: str) -> float:
    """Seconds from the upload's first byte to the transcription done, as the page sees it."""
    client, csrf = await trainer_client(url)
    try:
        start = time.perf_counter()
        response = await client.post("/formateur/exercices/nouveau", data={"csrf": csrf, "identifiant": exercise_id},
                                     files={"audio": (audio.name, audio.read_bytes(), "audio/flac")},
                                     headers={"Accept": "application/json", "X-CSRF-Token": csrf})
        assert response.status_code == 201, response.text
        state_url = response.json()["adresse"] + "/etat"
        while True:
            state = (await client.get(state_url, headers={"Accept": "application/json"})).json()
            if state["etat"] in ("terminee", "echec"):
                break
            await asyncio.sleep(0.25)
        elapsed = time.perf_counter() - start
    finally:
        await client.aclose()
    if state["etat"] != "terminee":
        raise SystemExit("transcription impossible : " + state["message"])
    return elapsed


async def learner(url: str, index: int, text: str, stop_at: asyncio.Event, autosaves: list[float],
                  counts: dict) -> None:
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=url, timeout=600, limits=limits) as client:
        page = await client.get("/connexion")
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
        response = await client.post("/connexion", data={"identifiant": f"apprenant{index:03d}",
                                                         "mot_de_passe": CLASS_PASSWORD, "csrf": csrf})
        counts["logged"] += 1
        if response.status_code != 303:
            counts["errors"] += 1
            return
        rng, latencies, answered = random.Random(index), [], []
        while not stop_at.is_set():
            await dictation_round(client, "/exercices/charge-000/dictee", text, rng, latencies, answered, counts,
                                  csrf_page=True, autosaves=autosaves)
            await asyncio.sleep(rng.uniform(0.5, 1.5))  # typing between two rounds


async def loaded(url: str, learners: int, text: str, audio: Path) -> dict:
    """Learners on an idle server for a while (the peer), then while a recording is transcribed."""
    idle, during, counts = [], [], {"requests": 0, "errors": 0, "logged": 0}
    phase = {"autosaves": []}  # the logins' moments (an Argon2 hash each) are not measured
    stop_at = asyncio.Event()

    tasks = [asyncio.create_task(learner(url, k, text, stop_at, _Switch(phase), counts)) for k in range(learners)]
    while counts["logged"] < learners:
        await asyncio.sleep(0.2)
    await asyncio.sleep(2.0)
    phase["autosaves"] = idle
    await asyncio.sleep(IDLE_SECONDS)
    phase["autosaves"] = during
    ready = await upload_to_ready(url, audio, "bench-charge")
    stop_at.set()
    await asyncio.gather(*tasks)
    return {"idle": idle, "during": during, "ready": ready, **counts}


class _Switch:
    """A list whose appends go to the phase's list of the moment (idle, then during the transcription)."""

    def __init__(self, phase: dict):
        self.phase = phase

    def append(self, value: float) -> None:
        self.phase["autosaves"].append(value)


def server(root: Path, name: str, learners: int, workers: int) -> tuple[subprocess.Popen, str, str]:
    data, references = root / f"donnees-{name}", root / f"exercices-{name}"
    data.mkdir()
    references.mkdir()
    text = make_exercises(references, 1)
    database = f"sqlite:///{data / 'classe.sqlite3'}"
    prepare_classroom(database, data, references, learners)
    os.environ["TRANSCRIBE_CACHE_DIR"] = str(root / f"cache-{name}")  # an empty transcript cache for this server
    process, url = start_classroom(workers, references, data, database)
    return process, url, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--learners", type=int, default=20)
    parser.add_argument("--audio", type=Path, default=DEFAULT_AUDIO)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    import soundfile

    duration = soundfile.info(str(args.audio)).duration
    root = Path(tempfile.mkdtemp(prefix="bench-creation-"))
    cache = os.environ.get("TRANSCRIBE_CACHE_DIR")
    ready, asr = [], []
    try:
        for run in range(args.runs):
            process, url, _text = server(root, f"seul-{run}", 1, args.workers)
            try:
                ready.append(asyncio.run(upload_to_ready(url, args.audio, f"bench-{run}")))
            finally:
                stop(process)
            env = dict(os.environ, TRANSCRIBE_CACHE_DIR=str(root / f"cache-asr-{run}"))
            asr.append(bare_asr(args.audio, env))
        process, url, text = server(root, "charge", args.learners, args.workers)
        try:
            load = asyncio.run(loaded(url, args.learners, text, args.audio))
        finally:
            stop(process)
    finally:
        if cache is None:
            os.environ.pop("TRANSCRIBE_CACHE_DIR", None)
        else:
            os.environ["TRANSCRIBE_CACHE_DIR"] = cache
        shutil.rmtree(root, ignore_errors=True)
    a, b = statistics.median(ready), statistics.median(asr)
    print(f"audio : {args.audio.name}, {duration:.1f} s ; serveur --workers {args.workers} ; {args.runs} passage(s) "
          f"alternés ; {os.cpu_count()} cœur(s) sur la machine")
    print(f"\n{'mesure':46} {'médiane (s)':>12} {'× durée audio':>14}   passages (s)")
    print(f"{'envoi → exercice prêt, par le serveur':46} {a:12.1f} {a / duration:14.2f}   "
          + " ".join(f"{x:.1f}" for x in ready))
    print(f"{'transcribe asr (pair : transcription seule)':46} {b:12.1f} {b / duration:14.2f}   "
          + " ".join(f"{x:.1f}" for x in asr))
    print(f"{'envoi → prêt, ' + str(args.learners) + ' apprenants au travail':46} {load['ready']:12.1f} "
          f"{load['ready'] / duration:14.2f}")
    print(f"serveur / transcription seule : × {a / b:.2f} (cible : ≤ 0,5 × la durée audio)")
    idle, during = sorted(load["idle"]), sorted(load["during"])
    print(f"\nsauvegardes automatiques de {args.learners} apprenants ({len(idle)} puis {len(during)} mesurées, "
          f"{load['errors']} erreur(s))")
    print("| serveur | p50 | p95 | max |\n| --- | ---: | ---: | ---: |")
    for label, values in (("au repos (pair)", idle), ("pendant une transcription", during)):
        print(f"| {label} | {1000 * percentile(values, 50):.0f} ms | {1000 * percentile(values, 95):.0f} ms | "
              f"{1000 * values[-1]:.0f} ms |")
    print(f"p95 pendant / au repos : × {percentile(during, 95) / percentile(idle, 95):.2f} (cible : p95 < 300 ms)")


if __name__ == "__main__":
    main()
