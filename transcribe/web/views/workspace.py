"""The workspace of one exercise: player + text area, autosave, first play, submission.

JSON endpoints (called by ``static/editor.js``) take and give small objects; the submission
is a plain HTML form (it works without JavaScript) answered by a redirect to the report.

The exercise as the learner receives it (``exercise.Given``): in dictation mode the text area
starts from the template (letterhead, signature), the cursor where the dictated text goes;
in correction mode from the draft, the template shown beside it. The instructions and the
information sheet sit under the player; ``/exercices/ID/sujet`` is the same subject on a
printable page, ``/exercices/ID/modele.docx`` and ``.odt`` the template for a word processor.

A versioned exercise (made in the classroom server) is shown and graded at the version the
learner's copy was started on (``store``): a new version reaches a copy once it is submitted,
or at once when it was not started.
"""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import quote

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ...drafts import read_draft
from ...errors import TranscribeError
from .. import store
from ..catalogue import Entry
from ..db import MODES, as_utc, utcnow
from ..feedback import grade_copy
from ..pages import render
from .common import entry_or_404, form_of, services, storable

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")  # store.new_token's alphabet
MODE_TITLES = {"dictee": "Saisie sous dictée", "correction": "Correction de brouillon"}


def available_modes(entry: Entry, request: Request | None = None) -> tuple[str, ...]:
    """Dictation always; draft correction when the exercise has a draft. In classroom mode, only
    the modes the learner's class was assigned (the catalogue of the request knows them)."""
    modes = ("dictee", "correction") if entry.draft else ("dictee",)
    assigned = getattr(services(request).catalogue, "modes", None) if request is not None else None
    return modes if assigned is None else tuple(m for m in modes if m in assigned(entry.exercise.id))


def mode_or_404(request: Request, entry: Entry) -> str:
    mode = request.path_params["mode"]
    if mode not in MODES or mode not in available_modes(entry, request):
        raise HTTPException(404, f"Mode « {mode} » indisponible pour cet exercice.")
    return mode


def _ms(moment) -> int | None:
    moment = as_utc(moment)
    return int(moment.timestamp() * 1000) if moment else None


def draft_text(entry: Entry, mode: str) -> str | None:
    """The draft a correction starts from (None in dictation mode)."""
    if mode != "correction":
        return None
    try:
        return read_draft(entry.draft).replace("\r\n", "\n")
    except (TranscribeError, TypeError) as exc:
        raise HTTPException(404, f"Brouillon de l'exercice illisible : {exc}") from None


def initial_text(entry: Entry, mode: str) -> str:
    """The text a new copy starts from: the draft to correct, or the template to type into."""
    if mode == "correction":
        return draft_text(entry, mode) or ""
    return entry.exercise.given.start_text()


def caret_line(entry: Entry) -> int:
    """The line (0-based) of the template where the dictated text goes: the cursor starts there."""
    given = entry.exercise.given
    return given.start_text()[:given.caret()].count("\n")


VERSION_GONE = ("La version de l'exercice sur laquelle cette copie a été commencée n'est plus disponible. "
                "Prévenez votre formateur.")


def _pinned(svc, entry: Entry, copy, mode: str) -> Entry:
    """The exercise at the copy's version: a copy not started and untouched follows the
    exercise to the version offered now (``store.repin``); a started one stays on its own."""
    if copy.exercise_version == entry.version:
        return entry
    pinned = svc.catalogue.at_version(entry.exercise.id, copy.exercise_version)
    if copy.started_at is None and (pinned is None or copy.text in ("", initial_text(pinned, mode))):
        start = initial_text(entry, mode)
        if store.repin(svc.sessions, svc.learner_id, copy.token, start, entry.version):
            copy.text, copy.exercise_version = start, entry.version
            return entry
    if pinned is None:
        raise HTTPException(404, VERSION_GONE)
    return pinned


async def workspace(request: Request):
    svc = services(request)
    current = entry_or_404(request)
    mode = mode_or_404(request, current)
    if current.problem:
        raise HTTPException(404, f"Exercice indisponible : {current.problem}.")
    copy = await run_in_threadpool(store.working_copy, svc.sessions, svc.learner_id, current.exercise.id, mode,
                                   initial_text(current, mode), current.version)
    entry = await run_in_threadpool(_pinned, svc, current, copy, mode)
    start = initial_text(entry, mode)
    if start and not copy.text and copy.started_at is None:  # opened before the exercise had a template
        saved = await run_in_threadpool(store.save_copy, svc.sessions, svc.learner_id, copy.token, start,
                                        copy.pastes, copy.pasted_chars)
        if saved is not None:
            copy.text, copy.updated_at = start, saved
    timings = await run_in_threadpool(svc.timings.status, entry.exercise)
    return render(request, "workspace.html.j2", exercise=entry.exercise, duration=entry.duration, mode=mode,
                  mode_title=MODE_TITLES[mode], modes=available_modes(current, request), copy=copy, started_ms=_ms(copy.started_at),
                  saved_ms=_ms(copy.updated_at), now_ms=_ms(utcnow()), timings=timings, given=entry.exercise.given,
                  start_text=entry.exercise.given.start_text(), caret_line=caret_line(entry),
                  newer_version=entry is not current)


async def _json_body(request: Request) -> dict:
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise HTTPException(400, "Requête incorrecte : un objet JSON est attendu.")
    try:
        data = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise HTTPException(400, "Requête incorrecte : JSON illisible.") from None
    except RecursionError:
        raise HTTPException(400, "Requête incorrecte : JSON trop imbriqué.") from None
    if not isinstance(data, dict):
        raise HTTPException(400, "Requête incorrecte : un objet JSON est attendu.")
    return data


def _token(value) -> str:
    if not isinstance(value, str) or not TOKEN_RE.fullmatch(value):
        raise HTTPException(400, "Requête incorrecte : jeton de copie absent ou invalide.")
    return value


def _count(value, name: str) -> int:
    if value in (None, ""):
        return 0
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise HTTPException(400, f"Requête incorrecte : « {name} » doit être un nombre entier.") from None
    if isinstance(value, bool) or number < 0 or number > 10_000_000:
        raise HTTPException(400, f"Requête incorrecte : « {name} » hors limites.")
    return number


def _text(value) -> str:
    if not isinstance(value, str):
        raise HTTPException(400, "Requête incorrecte : le texte de la copie est absent.")
    return storable(value).replace("\r\n", "\n")


async def save(request: Request):
    svc = services(request)
    mode_or_404(request, entry_or_404(request))
    data = await _json_body(request)
    token, text = _token(data.get("jeton")), _text(data.get("texte"))
    pastes, chars = _count(data.get("collages"), "collages"), _count(data.get("caracteres_colles"), "caracteres_colles")
    saved = await run_in_threadpool(store.save_copy, svc.sessions, svc.learner_id, token, text, pastes, chars)
    if saved is None:
        return JSONResponse({"erreur": "Cette copie a déjà été rendue (dans un autre onglet ?). "
                                       "Rechargez la page pour commencer une nouvelle tentative."}, 409)
    return JSONResponse({"enregistre": _ms(saved)})


async def start(request: Request):
    svc = services(request)
    mode_or_404(request, entry_or_404(request))
    data = await _json_body(request)
    copy = await run_in_threadpool(store.mark_started, svc.sessions, svc.learner_id, _token(data.get("jeton")))
    if copy is None:
        return JSONResponse({"erreur": "Cette copie a déjà été rendue. Rechargez la page."}, 409)
    return JSONResponse({"debut": _ms(copy.started_at)})


async def submit(request: Request):
    svc = services(request)
    current = entry_or_404(request)
    mode = mode_or_404(request, current)
    form = await form_of(request)
    sent = store.Submission(_token(form.get("jeton")), _text(form.get("texte")),
                            _count(form.get("collages"), "collages"),
                            _count(form.get("caracteres_colles"), "caracteres_colles"))
    exists, version = await run_in_threadpool(store.copy_version, svc.sessions, svc.learner_id, sent.token)
    entry = current  # graded against the version the copy was started on
    if exists and version != current.version:
        entry = await run_in_threadpool(svc.catalogue.at_version, current.exercise.id, version)
        if entry is None:
            raise HTTPException(409, VERSION_GONE)

    draft = draft_text(entry, mode)

    def grade(text: str, elapsed: float | None):
        return grade_copy(entry.exercise, text, elapsed, draft)

    try:
        attempt, created = await run_in_threadpool(store.submit, svc.sessions, svc.learner_id, entry.exercise.id,
                                                   mode, sent, grade, initial_text(current, mode), entry.version,
                                                   current.version)
    except (HTTPException, SQLAlchemyError):  # the database's trouble: its own page (read-only…)
        raise
    except Exception as exc:  # grading failed: store.submit kept the text in the copy first
        logging.getLogger(__name__).exception("correction de la copie de %s impossible", entry.exercise.id)
        raise HTTPException(500, "Une erreur inattendue s'est produite pendant la correction ; votre texte est "
                                 "conservé. Réessayez.") from exc
    if attempt is None:
        raise HTTPException(409, "Cette copie n'est plus en cours (page trop ancienne, ou rendue dans un autre "
                                 "onglet) : ce texte n'a pas été enregistré ; revenez en arrière pour le copier. "
                                 "Rechargez l'exercice pour une nouvelle tentative.")
    if created:
        for hook in svc.on_submit:
            await run_in_threadpool(hook, svc.learner_id, attempt)
    return RedirectResponse(f"/tentatives/{attempt.id}", status_code=303)


async def timings_status(request: Request):
    svc = services(request)
    entry = entry_or_404(request)
    return JSONResponse(await run_in_threadpool(svc.timings.status, entry.exercise))


async def subject_page(request: Request):
    """The instructions, the sheet and the template on one printable page."""
    entry = entry_or_404(request)
    return render(request, "subject.html.j2", exercise=entry.exercise, given=entry.exercise.given,
                  modes=available_modes(entry, request))


TEMPLATE_FILES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
}


async def template_file(request: Request):
    """The template as a Word or OpenDocument file, named as a copy is handed in (``<id>.docx``)."""
    from ...subject import template_docx, template_odt

    entry = entry_or_404(request)
    kind = request.path_params["format"]
    if kind not in TEMPLATE_FILES or entry.exercise.given.template is None:
        raise HTTPException(404, "Pas de modèle de document pour cet exercice.")
    write = template_docx if kind == "docx" else template_odt
    body = await run_in_threadpool(write, entry.exercise.given)
    name = f"{entry.exercise.id}.{kind}"
    return Response(body, media_type=TEMPLATE_FILES[kind], headers={
        "Content-Disposition": f"attachment; filename=\"modele.{kind}\"; filename*=UTF-8''{quote(name)}"})


async def exercise_home(request: Request):
    entry_or_404(request)
    return RedirectResponse(f"/exercices/{request.path_params['exercise']}/dictee", status_code=307)


routes = [
    Route("/exercices/{exercise}", exercise_home),
    Route("/exercices/{exercise}/minutage", timings_status, name="timings"),
    Route("/exercices/{exercise}/sujet", subject_page, name="subject"),
    Route("/exercices/{exercise}/modele.{format}", template_file, name="template_file"),
    Route("/exercices/{exercise}/{mode}", workspace, name="workspace"),
    Route("/exercices/{exercise}/{mode}/sauvegarde", save, methods=["POST"], name="save"),
    Route("/exercices/{exercise}/{mode}/debut", start, methods=["POST"], name="start"),
    Route("/exercices/{exercise}/{mode}/rendre", submit, methods=["POST"], name="submit"),
]
