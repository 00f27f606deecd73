"""The trainer's authoring pages: a recording becomes an exercise (``authoring`` package).

- ``/formateur/exercices/nouveau``: record in the page or choose a file, give the identifier;
  the upload is checked (``authoring.store.accept``: French refusals, nothing kept) and its
  transcription queued;
- ``/formateur/creations/ID``: the transcription's progress and place in the queue (the page
  can be left: the job runs on the server), then the reference beside the player with what
  to check, the form pre-filled with the suggestions, autosaved (``…/sauvegarde``), the
  previews of both learner modes (``…/apercu/dictee``, ``…/apercu/correction``), publication
  as a new version, withdrawal, deletion of a creation never published.

A creation is its trainer's: any other account gets 404, exactly as for an unknown identifier.
"""

from __future__ import annotations

import types
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse
from starlette.routing import Route

from ....authoring.new import ID_RE
from ....authoring.recording import MAX_SECONDS, MIN_SECONDS
from ....errors import TranscribeError
from ...db import utcnow
from ...pages import render, wants_json
from ...views.common import form_of, services, storable
from ...views.workspace import MODE_TITLES, caret_line, initial_text
from ..authoring import form, queue, store
from ..models import Creation
from .trainer import _in_session, trainer

NEW_PATH = "/formateur/exercices/nouveau"
MAX_RECORDING_BYTES = 200_000_000  # 30 min of WAV at 48 kHz mono 16-bit is 173 MB; FLAC, Opus far less
MAX_FORM_FIELD = 60_000
AUDIO_TYPES = {".flac": "audio/flac", ".wav": "audio/wav", ".mp3": "audio/mpeg", ".ogg": "audio/ogg",
               ".oga": "audio/ogg", ".opus": "audio/ogg", ".webm": "audio/webm", ".weba": "audio/webm",
               ".m4a": "audio/mp4", ".mp4": "audio/mp4", ".aac": "audio/aac"}
CONFLICT = ("Ce brouillon a été modifié ailleurs depuis (un autre onglet ?) : rechargez la page pour reprendre la "
            "dernière version enregistrée ; rien n'a été écrasé.")
NOT_READY = "La transcription de cet enregistrement n'est pas terminée : le formulaire n'est pas encore modifiable."


def _specialties() -> list[str]:
    from ....asr.vocabulary import specialty_lists

    return sorted(specialty_lists(), key=str.casefold)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def _ms(moment) -> int | None:
    from ...db import as_utc

    moment = as_utc(moment)
    return int(moment.timestamp() * 1000) if moment else None


# --- a new recording -------------------------------------------------------------------------

async def new_page(request: Request, message: str = "", fields: dict | None = None, status_code: int = 200):
    return render(request, "classroom/trainer/new_exercise.html.j2", status_code, nav="exercices", message=message,
                  fields=fields or {}, specialties=_specialties(), min_seconds=int(MIN_SECONDS),
                  max_minutes=int(MAX_SECONDS // 60), max_mb=MAX_RECORDING_BYTES // 1_000_000)


def _taken(svc) -> set[str]:
    ids = {e.exercise.id for e in svc.catalogue.entries()}
    with svc.sessions.begin() as session:
        return ids | store.creation_ids(session)


async def new_exercise(request: Request):
    if request.method == "GET":
        return await new_page(request)
    svc, user = services(request), trainer(request)
    form_data = await form_of(request, max_files=1, max_fields=8, max_field_bytes=MAX_FORM_FIELD)
    fields = {k: str(form_data.get(k) or "").strip() for k in ("identifiant", "titre", "specialite", "vocabulaire")}

    async def refuse(message: str):
        if wants_json(request):
            return JSONResponse({"erreur": _sentence(message)}, 400)
        return await new_page(request, _sentence(message), fields, 400)

    try:
        upload = form_data.get("audio")
        if not isinstance(upload, UploadFile) or not upload.size:
            if not fields["identifiant"]:
                return await refuse("donnez un identifiant à l'exercice, puis enregistrez la dictée ou choisissez un "
                                    "fichier audio.")
            return await refuse("aucun enregistrement reçu : enregistrez la dictée ou choisissez un fichier audio ; "
                                "rien n'a été enregistré.")
        options = {"title": fields["titre"] or None, "specialty": fields["specialite"] or None,
                   "vocabulary": store.vocabulary_list(fields["vocabulaire"]) or None}
        taken = await run_in_threadpool(_taken, svc)
        try:
            accepted = await run_in_threadpool(store.accept, svc.settings, svc.sessions, user, fields["identifiant"],
                                               upload.filename or "", upload.file, options, taken)
        except TranscribeError as exc:
            return await refuse(exc.message)
    finally:
        await form_data.close()
    if svc.creations is not None:
        svc.creations.wake()
    url = f"/formateur/creations/{quote(accepted.exercise_id)}"
    if wants_json(request):
        return JSONResponse({"adresse": url}, 201)
    return RedirectResponse(url, status_code=303)


# --- one creation ------------------------------------------------------------------------------

def _creation_id(request: Request) -> str:
    raw = request.path_params["creation"]
    if not ID_RE.match(raw):
        raise HTTPException(404, "Création inconnue.")
    return raw


def _own(session, user, exercise_id: str) -> Creation:
    creation = store.trainer_creation(session, user.id, exercise_id)
    if creation is None:
        raise HTTPException(404, "Création inconnue.")
    return creation


async def _load(request: Request):
    """(creation, job status, versions) of the URL's creation, the trainer's own."""
    exercise_id = _creation_id(request)

    def work(session, user):
        creation = _own(session, user, exercise_id)
        return creation, queue.status(session, queue.latest(session, creation.id)), store.versions(session, creation)

    return await _in_session(request, work)


async def creation_page(request: Request, problems: list[str] | None = None, status_code: int = 200):
    svc = services(request)
    creation, status, versions = await _load(request)
    ready = status["etat"] == "terminee"
    checks, changes = [], False
    if ready:
        _, checks = await run_in_threadpool(form.compose, creation.draft or {}, creation.exercise_id)
        changes = await run_in_threadpool(store.unpublished_changes, svc.settings, creation)
    fields = {name: (creation.draft or {}).get(name, "") for name in form.FIELDS}
    base = f"/formateur/creations/{quote(creation.exercise_id)}"
    return render(request, "classroom/trainer/creation.html.j2", status_code, nav="exercices", creation=creation,
                  status=status, ready=ready, versions=versions, fields=fields, review=creation.review or {},
                  problems=problems if problems is not None else checks, refused=problems is not None,
                  changes=changes, specialties=_specialties(), saved_ms=_ms(creation.saved_at),
                  published=request.query_params.get("publie", "")[:10],
                  withdrawn=request.query_params.get("retire", "") == "1", base=base, audio_url=f"{base}/audio",
                  duration=creation.duration, template_text=form.template_of(fields["entete"], fields["signature"]))


async def job_status(request: Request):
    _creation, status, _versions = await _load(request)
    return JSONResponse(status, headers={"Cache-Control": "no-store"})


async def audio(request: Request):
    svc = services(request)
    creation, _status, _versions = await _load(request)
    path = await run_in_threadpool(store.audio_path, svc.settings, creation.exercise_id)
    if path is None:
        raise HTTPException(404, "Pas d'enregistrement pour cette création.")
    return FileResponse(path, media_type=AUDIO_TYPES.get(path.suffix.lower(), "application/octet-stream"),
                        headers={"Cache-Control": "private, no-cache"})


def _fields_of(data, draft: dict) -> dict[str, str]:
    """The form's fields sent, the draft's for those not sent."""
    sent = {k: storable(v, f"le champ « {k} »") if isinstance(v, str) else v
            for k, v in dict(data).items() if k in form.FIELDS}
    try:
        return store.clean_fields({**{k: (draft or {}).get(k, "") for k in form.FIELDS}, **sent})
    except TranscribeError as exc:
        raise HTTPException(400, f"Requête incorrecte : {exc.message}") from None


def _revision(value) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not str(value).isdigit() or len(str(value)) > 12:
        raise HTTPException(400, "Requête incorrecte : « revision » doit être un nombre entier.")
    return int(value)


async def autosave(request: Request):
    from ...views.workspace import _json_body

    svc, user = services(request), trainer(request)
    creation, status, _versions = await _load(request)
    data = await _json_body(request)
    fields = _fields_of(data.get("champs") if isinstance(data.get("champs"), dict) else {}, creation.draft)
    revision = _revision(data.get("revision"))
    if status["etat"] != "terminee":
        return JSONResponse({"erreur": NOT_READY}, 409)
    saved = await run_in_threadpool(store.save_draft, svc.sessions, user, creation.exercise_id, fields, revision)
    if saved is None:
        return JSONResponse({"erreur": CONFLICT}, 409)
    creation.draft = fields
    _, checks = await run_in_threadpool(form.compose, fields, creation.exercise_id)
    changes = await run_in_threadpool(store.unpublished_changes, svc.settings, creation)
    return JSONResponse({"revision": saved[0], "enregistre": _ms(saved[1]), "problemes": checks,
                         "modifications": changes})


async def publish(request: Request):
    svc, user = services(request), trainer(request)
    creation, status, _versions = await _load(request)
    data = await form_of(request, max_fields=len(form.FIELDS) + 4, max_field_bytes=form.MAX_FIELD_CHARS * 4)
    fields, revision = _fields_of(data, creation.draft), _revision(data.get("revision"))
    if status["etat"] != "terminee":
        raise HTTPException(409, NOT_READY)
    saved = await run_in_threadpool(store.save_draft, svc.sessions, user, creation.exercise_id, fields, revision)
    if saved is None:
        raise HTTPException(409, CONFLICT)
    try:
        done = await run_in_threadpool(store.publish, svc.settings, svc.sessions, user, creation.exercise_id)
    except store.PublishRefused as exc:
        return await creation_page(request, exc.problems, 400)
    except TranscribeError as exc:
        raise HTTPException(409, _sentence(exc.message)) from None
    suffix = "" if done.new else "&inchangee=1"
    return RedirectResponse(f"/formateur/creations/{quote(creation.exercise_id)}?publie={done.version}{suffix}",
                            status_code=303)


async def withdraw(request: Request):
    svc, user = services(request), trainer(request)
    creation, _status, _versions = await _load(request)
    await run_in_threadpool(store.withdraw, svc.sessions, user, creation.exercise_id)
    return RedirectResponse(f"/formateur/creations/{quote(creation.exercise_id)}?retire=1", status_code=303)


async def delete(request: Request):
    svc, user = services(request), trainer(request)
    creation, _status, _versions = await _load(request)
    try:
        await run_in_threadpool(store.delete, svc.settings, svc.sessions, user, creation.exercise_id)
    except TranscribeError as exc:
        raise HTTPException(409, _sentence(exc.message)) from None
    return RedirectResponse(f"/formateur/exercices?supprime={quote(creation.exercise_id)}", status_code=303)


async def preview(request: Request):
    svc = services(request)
    creation, status, _versions = await _load(request)
    mode = request.path_params["mode"]
    if mode not in MODE_TITLES:
        raise HTTPException(404, f"Mode « {mode} » inconnu.")
    if status["etat"] != "terminee":
        raise HTTPException(409, NOT_READY)
    entry, problems = await run_in_threadpool(store.preview, svc.settings, creation)
    base = f"/formateur/creations/{quote(creation.exercise_id)}"
    if entry is None:
        return render(request, "classroom/trainer/preview_refused.html.j2", 409, nav="exercices", creation=creation,
                      problems=problems, back_url=base, mode_title=MODE_TITLES[mode])
    start = initial_text(entry, mode)
    copy = types.SimpleNamespace(token="apercu", text=start, pastes=0, pasted_chars=0)
    return render(request, "workspace.html.j2", layout="web/classroom/_trainer_layout.html.j2", preview=True,
                  base_url=f"{base}/apercu", audio_src=f"{base}/audio", back_url=base, nav="exercices",
                  exercise=entry.exercise, duration=entry.duration, mode=mode, mode_title=MODE_TITLES[mode],
                  modes=tuple(MODE_TITLES), copy=copy, started_ms=None, saved_ms=None, now_ms=_ms(utcnow()),
                  timings={"etat": "pret", "message": ""}, given=entry.exercise.given,
                  start_text=entry.exercise.given.start_text(), caret_line=caret_line(entry), newer_version=False)


routes = [
    Route(NEW_PATH, new_exercise, methods=["GET", "POST"]),
    Route("/formateur/creations/{creation}", creation_page),
    Route("/formateur/creations/{creation}/etat", job_status),
    Route("/formateur/creations/{creation}/audio", audio),
    Route("/formateur/creations/{creation}/sauvegarde", autosave, methods=["POST"]),
    Route("/formateur/creations/{creation}/apercu/{mode}", preview),
    Route("/formateur/creations/{creation}/publier", publish, methods=["POST"]),
    Route("/formateur/creations/{creation}/retirer", withdraw, methods=["POST"]),
    Route("/formateur/creations/{creation}/supprimer", delete, methods=["POST"]),
]
