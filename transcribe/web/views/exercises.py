"""The exercise list (with filters) and each exercise's audio, served with range requests."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Route

from .. import store
from ..catalogue import DIFFICULTIES
from ..pages import render
from .common import entry_or_404, services
from .workspace import available_modes

AUDIO_TYPES = {".flac": "audio/flac", ".wav": "audio/wav", ".mp3": "audio/mpeg", ".ogg": "audio/ogg"}


def minutes_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s"


def _difficulty_rank(value: str | None) -> int:
    return DIFFICULTIES.index(value) if value in DIFFICULTIES else len(DIFFICULTIES)


async def exercise_list(request: Request):
    svc = services(request)
    entries = await run_in_threadpool(svc.catalogue.entries)
    done = await run_in_threadpool(store.summaries, svc.sessions, svc.learner_id)
    specialties = sorted({e.exercise.specialty for e in entries if e.exercise.specialty}, key=str.casefold)
    difficulties = sorted({e.exercise.difficulty for e in entries if e.exercise.difficulty}, key=_difficulty_rank)
    wanted_specialty = request.query_params.get("specialite", "")
    wanted_difficulty = request.query_params.get("difficulte", "")
    rows = []
    for entry in entries:
        ex = entry.exercise
        if wanted_specialty and ex.specialty != wanted_specialty:
            continue
        if wanted_difficulty and ex.difficulty != wanted_difficulty:
            continue
        rows.append({"id": ex.id, "title": ex.title, "specialty": ex.specialty, "difficulty": ex.difficulty or "",
                     "duration": minutes_seconds(entry.duration), "limit": ex.time_limit_minutes,
                     "problem": entry.problem, "modes": available_modes(entry, request), "summary": done.get(ex.id)})
    return render(request, "exercises.html.j2", rows=rows, total=len(entries), specialties=specialties,
                  difficulties=difficulties, specialty=wanted_specialty, difficulty=wanted_difficulty,
                  problems=svc.catalogue.problems())


async def audio(request: Request):
    entry = entry_or_404(request)
    path = entry.exercise.audio_path
    if path is None:
        raise HTTPException(404, "Cet exercice n'a pas de fichier audio.")
    # Starlette's FileResponse answers Range requests (206 Partial Content): seeking works.
    return FileResponse(path, media_type=AUDIO_TYPES.get(path.suffix.lower(), "application/octet-stream"),
                        headers={"Cache-Control": "private, max-age=3600"})


routes = [
    Route("/", exercise_list, name="exercises"),
    Route("/exercices/{exercise}/audio", audio, name="audio"),
]
