"""One exercise made from a recording in a process of its own, reporting on stdout as JSON lines.

``python -m transcribe.authoring.child`` reads one JSON object on stdin — ``audio``, ``id``,
``folder`` (the references folder to write into) and optionally ``title``, ``specialty``,
``vocabulary`` (a list of terms) — runs `new.create_exercise`, and writes one JSON object a
line on stdout:

- ``{"etape": stage, "message": French text, "avancement": 0..1}`` as the work goes (the
  stages of ``create_exercise``; during the Whisper pass, as faster-whisper's segments come);
- at the end, ``{"fin": NewExercise.to_dict()}`` (exit code 0), with the transcript (its
  words and their times) saved as ``transcript.json`` in the folder, for aligning an edited
  reference again later without Whisper;
- or ``{"erreur": French message}`` (exit code 2) when the recording is refused.

The classroom server's transcription worker starts it (``web.classroom.authoring.worker``):
Whisper then runs outside the server's process, at a lower priority (``NICENESS``), so that
it never holds the server's interpreter nor takes its CPU from the learners' requests, and a
crash or a kill ends the transcription only.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

NICENESS = 10  # the server's requests come first on a shared CPU
TRANSCRIPT_FILE = "transcript.json"


def emit(message: dict) -> None:
    sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def run(spec: dict, emit=emit) -> int:
    """Make the exercise of ``spec``, telling ``emit`` how it goes (see the module's docstring)."""
    from ..errors import TranscribeError
    from ..files import write_atomic
    from .new import create_exercise

    folder = Path(spec["folder"])

    def progress(stage: str, message: str, fraction: float) -> None:
        emit({"etape": stage, "message": message, "avancement": round(fraction, 3)})

    try:
        made = create_exercise(spec["audio"], spec["id"], folder, title=spec.get("title") or None,
                               specialty=spec.get("specialty") or None, vocabulary=spec.get("vocabulary") or None,
                               progress=progress)
    except TranscribeError as exc:
        emit({"erreur": exc.message})
        return 2
    write_atomic(folder / TRANSCRIPT_FILE, json.dumps(made.transcript.to_dict(), ensure_ascii=False))
    emit({"fin": made.to_dict()})
    return 0


def main() -> int:
    if hasattr(os, "nice"):
        os.nice(NICENESS)
    return run(json.loads(sys.stdin.read()))


if __name__ == "__main__":
    sys.exit(main())
