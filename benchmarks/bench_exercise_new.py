"""From a recording to a ready exercise: `transcribe exercises new` against a bare `transcribe asr`.

Both commands run in a fresh process each (start-up and model load included, as a trainer
sees them), on the same dictation, with the same thread count (``TRANSCRIBE_CPU_THREADS``,
2 by default: the draft settings pin 2), without the transcript cache, alternated run after
run. Printed: the time to a ready exercise as a multiple of the audio's duration (the
target is at most 0.5× for a 2-minute dictation on 2 cores), the same for the bare ASR, and
their ratio: what authoring costs over speech recognition alone (decoding and checks,
voice-activity detection, suggestions, near-misses, timings, the files).

    python benchmarks/bench_exercise_new.py [--runs 3] [--audio FILE] [--threads 2]

The default dictation is the longest bundled one (08-compte-rendu-operatoire, 1 min 50 s).
Everything it writes goes to a temporary folder, removed at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_AUDIO = ROOT / "audio_samples" / "08-compte-rendu-operatoire.flac"


def timed(command: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--audio", type=Path, default=DEFAULT_AUDIO)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    import soundfile

    duration = soundfile.info(str(args.audio)).duration
    cli = [sys.executable, "-m", "transcribe"]
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, TRANSCRIBE_CPU_THREADS=str(args.threads), TRANSCRIBE_CACHE_DIR=str(Path(tmp) / "cache"))
        authoring, asr = [], []
        for run in range(args.runs):
            folder = Path(tmp) / f"exercices-{run}"
            authoring.append(timed(cli + ["exercises", "new", str(args.audio), "--id", "bench", "--references",
                                          str(folder), "--no-cache"], env))
            asr.append(timed(cli + ["asr", str(args.audio), "--no-cache"], env))
    a, b = statistics.median(authoring), statistics.median(asr)
    print(f"audio : {args.audio.name}, {duration:.1f} s ; {args.threads} fil(s) ; {args.runs} passage(s) alternés ; "
          f"{os.cpu_count()} cœur(s) sur la machine")
    print(f"{'commande':32} {'médiane (s)':>12} {'× durée audio':>14}   passages (s)")
    print(f"{'exercises new (exercice prêt)':32} {a:12.1f} {a / duration:14.2f}   "
          + " ".join(f"{x:.1f}" for x in authoring))
    print(f"{'asr (pair : transcription seule)':32} {b:12.1f} {b / duration:14.2f}   " + " ".join(f"{x:.1f}" for x in asr))
    print(f"surcoût de la création sur la transcription seule : × {a / b:.2f} (cible : ≤ 0,5 × la durée audio)")


if __name__ == "__main__":
    main()
