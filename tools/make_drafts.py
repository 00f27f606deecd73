#!/usr/bin/env python3
"""Regenerate the bundled speech-recognition drafts (``references/<id>.brouillon.txt``).

Each draft is remade **from the settings recorded in its sidecar** (``<id>.brouillon.toml``:
engine, model SHA-256, every decoding option, the verbatim vocabulary string), never from
today's defaults, and compared with the file on disk: ``identical`` (byte for byte: the same
kind of CPU), ``close`` (a lenient WER against the shipped draft of at most
``transcribe.drafts.DRAFT_MAX_WER``: the int8 kernels of another CPU changed some words), or
``DIFFERENT`` (beyond the bound: other settings, a broken model, a changed pipeline).

Usage::

    python tools/make_drafts.py                 # regenerate all, compare; exit 1 beyond the bound
    python tools/make_drafts.py --exact         # exit 1 on any difference (same kind of CPU)
    python tools/make_drafts.py 14-ordonnance   # only these exercises
    python tools/make_drafts.py --write         # also rewrite the drafts that differ
    python tools/make_drafts.py --new           # exercises without a draft get one (today's settings)
    python tools/make_drafts.py --new --force 03-neurologie-consultation   # remake with today's settings

Transcripts go through the toolkit's cache only with ``--cache`` (a check must decode again).
Run it with ``nice``: about 20 s of CPU per minute of dictation on 2 cores.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from transcribe.commands.draft import draft_vocabulary  # noqa: E402
from transcribe.drafts import (  # noqa: E402
    DRAFT_MAX_WER, default_settings, draft_distance, draft_path, make_draft, read_settings, write_draft,
)
from transcribe.errors import TranscribeError  # noqa: E402
from transcribe.exercise import list_exercises  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ids", nargs="*", help="exercise ids (default: every exercise)")
    parser.add_argument("--references", type=Path, default=None, help="references folder (default: bundled)")
    parser.add_argument("--write", action="store_true", help="rewrite drafts that differ")
    parser.add_argument("--new", action="store_true", help="create missing drafts with today's settings")
    parser.add_argument("--force", action="store_true", help="with --new: remake existing drafts too")
    parser.add_argument("--cache", action="store_true", help="use the transcript cache")
    parser.add_argument("--exact", action="store_true", help="any difference fails (not only beyond the bound)")
    args = parser.parse_args(argv)

    exercises = list_exercises(args.references)
    if args.ids:
        unknown = set(args.ids) - {e.id for e in exercises}
        if unknown:
            print(f"unknown exercise(s): {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        exercises = [e for e in exercises if e.id in args.ids]
    differ = failed = 0
    for exercise in exercises:
        path = draft_path(exercise.reference_path)
        settings = read_settings(path) if path.is_file() else None
        start = time.perf_counter()
        try:
            if settings is None or (args.new and args.force):
                if not args.new:
                    print(f"{exercise.id}: no draft (use --new)", file=sys.stderr)
                    failed += 1
                    continue
                if exercise.audio_path is None:
                    raise TranscribeError("no audio", exercise.reference_path)
                settings = default_settings(exercise.audio_path, vocabulary=draft_vocabulary(exercise, False),
                                            exercise=exercise.id)
                text = make_draft(exercise.audio_path, settings, use_cache=args.cache)
                write_draft(path, text, settings)
                print(f"{exercise.id}: new draft ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
                continue
            audio = exercise.audio_path
            text = make_draft(audio, settings, use_cache=args.cache)
        except TranscribeError as exc:
            print(f"{exercise.id}: {exc}", file=sys.stderr)
            failed += 1
            continue
        shipped = path.read_bytes()
        seconds = time.perf_counter() - start
        if text.encode("utf-8") == shipped:
            print(f"{exercise.id}: identical ({seconds:.0f} s)", file=sys.stderr)
            continue
        distance = draft_distance(shipped.decode("utf-8"), text)
        close = distance <= DRAFT_MAX_WER
        print(f"{exercise.id}: {'close' if close else 'DIFFERENT'} (WER {distance:.3f}, bound {DRAFT_MAX_WER}; "
              f"{seconds:.0f} s)", file=sys.stderr)
        if args.exact or not close:
            differ += 1
        if args.write:
            write_draft(path, text, settings)
    return 1 if differ or failed else 0


if __name__ == "__main__":
    sys.exit(main())
