"""Compute `audio_samples/<id>.timings.json` for the bundled exercises (the ▶ replay buttons).

Each exercise's audio is transcribed by the embedded Whisper (word timestamps, the exercise's
vocabulary as prompt; the transcript cache is reused), then the reference is aligned to the
spoken words (`transcribe.asr.timings`). Run it after changing a reference or an audio file:

    TRANSCRIBE_CACHE_DIR=... nice python tools/make_timings.py [ID ...]
"""

from __future__ import annotations

import json
import sys
import time

from transcribe.asr.timings import compute_timings, shipped_timings_path
from transcribe.exercise import list_exercises
from transcribe.files import write_atomic


def main(ids: list[str]) -> int:
    exercises = [e for e in list_exercises() if not ids or e.id in ids]
    for exercise in exercises:
        if exercise.audio_path is None:
            print(f"{exercise.id}: pas d'audio, ignoré", file=sys.stderr)
            continue
        start = time.perf_counter()
        timings = compute_timings(exercise)
        path = shipped_timings_path(exercise)
        write_atomic(path, json.dumps(timings.to_dict(), ensure_ascii=False, separators=(",", ":")) + "\n")
        print(f"{exercise.id}: {timings.matched}/{len(timings.starts)} éléments alignés, "
              f"{time.perf_counter() - start:.0f} s → {path.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
