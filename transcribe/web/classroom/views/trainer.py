"""The trainer's pages: classes, the class matrix, assignments, reports, exports, RGPD, uploads.

Every page that takes an id looks it up among the logged-in trainer's own classes
(``classes.get_class``, ``trainer_learner``, ``trainer_attempt``): anything else is a 404,
exactly like an id that does not exist. Exports, deletions, imports and uploads are written
to the audit log.
"""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ....report.html import class_context
from .. import accounts, classes, comments, exports, uploads
from ..journal import lines as journal_lines
from ..logins import Logins
from ..authoring import store as creation_store
from ..lti import scores as lti_scores
from ..models import NO_PASSWORD, Assignment, SchoolClass, User
from ...db import MODES, utcnow
from ...pages import date_fr, environment, render
from .account import read_form
from ...views.common import form_of, services

MODE_LABELS = classes.MODE_LABELS


def trainer(request: Request) -> User:
    return request.state.user


def _int_param(request: Request, name: str) -> int:
    raw = request.path_params[name]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:  # « １ » is a digit too
        raise HTTPException(404)
    return int(raw)


def _in_session(request: Request, work):
    """Run ``work(session, trainer)`` in a transaction, in a worker thread."""
    svc = services(request)
    user = trainer(request)

    def run():
        with svc.sessions.begin() as session:
            return work(session, user)

    return run_in_threadpool(run)


def _class_or_404(session, user: User, class_id: int) -> SchoolClass:
    school_class = classes.get_class(session, user.id, class_id)
    if school_class is None:
        raise HTTPException(404, "Classe inconnue.")
    return school_class


async def _own_class_first(request: Request, class_id: int) -> None:
    """Another trainer's class is a 404 before the form is even looked at (a 400 about the
    form would say that the class exists)."""
    await _in_session(request, lambda session, user: _class_or_404(session, user, class_id).id)


def _titles(request: Request) -> dict[str, str]:
    return {e.exercise.id: e.exercise.title for e in services(request).catalogue.entries()}


# --- classes -----------------------------------------------------------------------------------

async def dashboard(request: Request):
    def work(session, user):
        rows = []
        for c in classes.trainer_classes(session, user.id):
            rows.append({"c": c, "learners": len(classes.class_learners(session, c.id)),
                         "assignments": len(classes.class_assignments(session, c.id))})
        return rows

    rows = await _in_session(request, work)
    return render(request, "classroom/trainer/classes.html.j2", nav="classes", rows=rows)


async def create_class(request: Request):
    form = await read_form(request)
    name = " ".join(form.get("nom", "").split())[:200]
    if not name:
        raise HTTPException(400, "Donnez un nom à la classe.")

    def work(session, user):
        for _ in range(5):
            code = accounts.new_join_code()
            if accounts.class_by_code(session, code) is None:
                break
        school_class = SchoolClass(name=name, trainer_id=user.id, join_code=code)
        session.add(school_class)
        session.flush()
        classes.audit(session, user, "classe_creee", name, classe=school_class.id)
        return school_class.id

    class_id = await _in_session(request, work)
    return RedirectResponse(f"/formateur/classes/{class_id}", status_code=303)


async def class_page(request: Request):
    class_id = _int_param(request, "classe")

    def work(session, user):
        school_class = _class_or_404(session, user, class_id)
        return school_class, classes.matrix(session, school_class.id), lti_scores.class_view(session, school_class.id)

    school_class, m, moodle = await _in_session(request, work)
    entries = await run_in_threadpool(services(request).catalogue.entries)
    titles = {e.exercise.id: e.exercise.title for e in entries}
    return render(request, "classroom/trainer/class.html.j2", nav="classes", c=school_class, m=m, titles=titles,
                  exercises=sorted(entries, key=lambda e: e.exercise.id), modes=MODE_LABELS,
                  is_open=classes.is_open, moodle=moodle)


async def new_code(request: Request):
    class_id = _int_param(request, "classe")

    def work(session, user):
        school_class = _class_or_404(session, user, class_id)
        school_class.join_code = accounts.new_join_code()
        classes.audit(session, user, "code_renouvele", school_class.name, classe=class_id)

    await _in_session(request, work)
    return RedirectResponse(f"/formateur/classes/{class_id}", status_code=303)


def _moment(value: str, field: str) -> datetime | None:
    """A ``datetime-local`` field (the server's local time) as an aware datetime; '' is None."""
    if not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip()).astimezone()
    except ValueError:
        raise HTTPException(400, f"Date invalide pour « {field} » : {value!r} (attendu : AAAA-MM-JJTHH:MM).") from None


async def assign(request: Request):
    class_id = _int_param(request, "classe")
    await _own_class_first(request, class_id)
    form = await read_form(request)
    exercise_id, mode = form.get("exercice", ""), form.get("mode", "dictee")
    entry = await run_in_threadpool(services(request).catalogue.get, exercise_id)
    if entry is None:
        raise HTTPException(400, f"Exercice « {exercise_id} » inconnu.")
    if mode not in MODES:
        raise HTTPException(400, f"Mode « {mode} » inconnu (dictee ou correction).")
    if mode == "correction" and not getattr(entry, "draft", None):
        raise HTTPException(400, f"L'exercice « {exercise_id} » n'a pas de brouillon de reconnaissance vocale : "
                                 "il ne peut être donné qu'en saisie sous dictée.")
    opens, closes = _moment(form.get("ouverture", ""), "ouverture"), _moment(form.get("fermeture", ""), "fermeture")
    if opens and closes and closes <= opens:
        raise HTTPException(400, "La fermeture doit venir après l'ouverture.")

    def work(session, user):
        _class_or_404(session, user, class_id)
        session.add(Assignment(class_id=class_id, exercise_id=exercise_id, mode=mode, opens_at=opens,
                               closes_at=closes))
        classes.audit(session, user, "devoir_donne", exercise_id, classe=class_id, mode=mode,
                        ouverture=opens.isoformat() if opens else None,
                        fermeture=closes.isoformat() if closes else None)

    await _in_session(request, work)
    return RedirectResponse(f"/formateur/classes/{class_id}#devoirs", status_code=303)


def _assignment_or_404(session, user: User, class_id: int, assignment_id: int) -> Assignment:
    """An assignment of one of the trainer's classes (through the class of the URL)."""
    _class_or_404(session, user, class_id)
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or assignment.class_id != class_id:
        raise HTTPException(404, "Devoir inconnu.")
    return assignment


async def unassign(request: Request):
    class_id, assignment_id = _int_param(request, "classe"), _int_param(request, "devoir")

    def work(session, user):
        assignment = _assignment_or_404(session, user, class_id, assignment_id)
        session.delete(assignment)
        classes.audit(session, user, "devoir_retire", assignment.exercise_id, classe=class_id)

    await _in_session(request, work)
    return RedirectResponse(f"/formateur/classes/{class_id}#devoirs", status_code=303)


async def import_learners(request: Request):
    class_id = _int_param(request, "classe")
    await _own_class_first(request, class_id)
    form = await form_of(request, max_files=1, max_fields=5, max_field_bytes=10_000)
    upload = form.get("fichier")
    data = await upload.read() if isinstance(upload, UploadFile) else b""
    await form.close()
    if not data:
        raise HTTPException(400, "Choisissez un fichier CSV (une colonne « identifiant », une colonne « nom »).")
    try:
        rows = accounts.read_learner_csv(data)
    except accounts.AccountError as exc:
        raise HTTPException(400, f"Fichier CSV refusé : {exc.message}") from None

    def work(session, user):
        school_class = _class_or_404(session, user, class_id)
        done = accounts.import_learners(session, rows, school_class, user)
        classes.audit(session, user, "import_apprenants", school_class.name, classe=class_id,
                        crees=[r.username for r in done if r.password],
                        refuses=[r.username for r in done if not r.password])
        return school_class, done

    school_class, done = await _in_session(request, work)
    response = render(request, "classroom/trainer/imported.html.j2", nav="classes", c=school_class, rows=done)
    response.headers["Cache-Control"] = "no-store"  # the passwords are shown once
    return response


# --- reports -----------------------------------------------------------------------------------

async def _attempt_or_404(request: Request):
    """(attempt, learner account, comment or None) of one of the trainer's learners."""
    attempt_id = _int_param(request, "tentative")

    def work(session, user):
        found = classes.trainer_attempt(session, user.id, attempt_id)
        if found is None:
            raise HTTPException(404, "Tentative inconnue.")
        return (*found, comments.comment_of(session, attempt_id))

    return await _in_session(request, work)


def _attempt_replay(svc, attempt) -> tuple[object, dict[int, float], dict]:
    """(the exercise at the attempt's version, replay times, timings status), offered or withdrawn."""
    from ...feedback import replay_times

    entry = version_entry(svc.catalogue, attempt.exercise_id, attempt.exercise_version)
    if entry is None or entry.exercise.audio_path is None:
        return None, {}, {"etat": "indisponible", "message": "L'audio de cet exercice n'est plus disponible."}
    status = svc.timings.status(entry.exercise)
    timings = svc.timings.get(entry.exercise) if status["etat"] == "pret" else None
    return entry, replay_times(attempt.report, timings, attempt.reference_sha256), status


async def attempt_page(request: Request):
    svc = services(request)
    attempt, learner, comment = await _attempt_or_404(request)
    entry, times, status = await run_in_threadpool(_attempt_replay, svc, attempt)
    return render(request, "classroom/trainer/attempt.html.j2", nav="classes", attempt=attempt,
                  mode_label=MODE_LABELS.get(attempt.mode, attempt.mode), account=learner, comment=comment,
                  audio=entry is not None, timings=status, replay=True, replay_times=times,
                  replay_url=f"/formateur/tentatives/{attempt.id}/reperes",
                  audio_src=f"/formateur/tentatives/{attempt.id}/audio", exercise_version=attempt.exercise_version,
                  copy_title="Le texte de l'apprenant, erreurs en place", advice_title="Conseils donnés à l'apprenant",
                  saved=request.query_params.get("commentaire", "") == "1", **(attempt.report or {}))


async def attempt_replay(request: Request):
    svc = services(request)
    attempt, _learner, _comment = await _attempt_or_404(request)
    _entry, times, status = await run_in_threadpool(_attempt_replay, svc, attempt)
    return JSONResponse({**status, "temps": {str(n): t for n, t in times.items()}})


async def attempt_audio(request: Request):
    from ...views.exercises import AUDIO_TYPES

    svc = services(request)
    attempt, _learner, _comment = await _attempt_or_404(request)
    entry = await run_in_threadpool(version_entry, svc.catalogue, attempt.exercise_id, attempt.exercise_version)
    path = entry.exercise.audio_path if entry is not None else None
    if path is None:
        raise HTTPException(404, "L'audio de cet exercice n'est plus disponible.")
    return FileResponse(path, media_type=AUDIO_TYPES.get(path.suffix.lower(), "application/octet-stream"),
                        headers={"Cache-Control": "private, max-age=3600"})


async def attempt_comment(request: Request):
    attempt_id = _int_param(request, "tentative")
    await _attempt_or_404(request)  # another trainer's attempt: 404 before the form is read
    form = await form_of(request, max_fields=5, max_field_bytes=4 * comments.MAX_COMMENT)
    text = str(form.get("commentaire") or "")

    def work(session, user):
        attempt, learner = classes.trainer_attempt(session, user.id, attempt_id)
        comments.set_comment(session, user, attempt, learner, text)

    await _in_session(request, work)
    return RedirectResponse(f"/formateur/tentatives/{attempt_id}?commentaire=1#commentaire", status_code=303)


async def class_report(request: Request):
    class_id = _int_param(request, "classe")

    def work(session, user):
        school_class = _class_or_404(session, user, class_id)
        return school_class, classes.last_attempts(session, school_class.id)

    school_class, rows = await _in_session(request, work)
    records = exports.gradebook_records(rows)
    for record, (_, attempt) in zip(records, rows):
        record["report"] = f"/formateur/tentatives/{attempt.id}"
    context = class_context(records, f"Résultats de la classe — {school_class.name}", "defaut",
                            generated=date_fr(utcnow()), inline_style=False)
    return render(request, "classroom/trainer/class_report.html.j2", nav="classes", c=school_class, **context)


def _template_text(name: str) -> str:
    return environment().get_template(name).render()


async def class_report_css(request: Request):
    return Response(_template_text("_class.css.j2"), media_type="text/css; charset=utf-8")


async def class_report_js(request: Request):
    return Response(_template_text("_class_sort.js.j2"), media_type="text/javascript; charset=utf-8")


# --- exports -----------------------------------------------------------------------------------

EXPORTS = {
    "carnet.csv": ("text/csv; charset=utf-8", "gradebook.csv"),
    "carnet.json": ("application/json; charset=utf-8", "gradebook.json"),
    "moodle.csv": ("text/csv; charset=utf-8", "moodle.csv"),
    "copies.zip": ("application/zip", "copies.zip"),
}


def version_entry(catalogue, exercise_id: str, version: int | None):
    """The exercise at a version, offered now or withdrawn since (a trainer looks at old attempts)."""
    entry = catalogue.at_version(exercise_id, version)
    for part in getattr(catalogue, "catalogues", ()) if entry is None else ():
        entry = entry or (part.archived(exercise_id, version) if hasattr(part, "archived") else None)
    return entry


def _reference_files(catalogue, rows) -> dict[str, dict[str, bytes]]:
    """Each exported exercise's files, at the version its copies were graded on."""
    from ....drafts import draft_path

    out = {}
    for _, attempt in rows:
        name = exports.export_id(attempt)
        entry = None if name in out else version_entry(catalogue, attempt.exercise_id, attempt.exercise_version)
        if entry is None:
            continue
        path = entry.exercise.reference_path
        files = {"reference": path, "metadata": path.with_suffix(".toml"), "template": entry.exercise.given.template_path,
                 "draft": draft_path(path)}
        out[name] = {role: file.read_bytes() for role, file in files.items() if file is not None and file.is_file()}
    return out


async def export(request: Request):
    class_id = _int_param(request, "classe")
    kind = request.path_params["fichier"]
    if kind not in EXPORTS:
        raise HTTPException(404)
    svc = services(request)

    def work(session, user):
        school_class = _class_or_404(session, user, class_id)
        rows = classes.last_attempts(session, class_id)
        learners = classes.class_learners(session, class_id)
        classes.audit(session, user, "export", school_class.name, classe=class_id, fichier=kind, copies=len(rows))
        return school_class, rows, learners

    school_class, rows, learners = await _in_session(request, work)
    titles = await run_in_threadpool(_titles, request)
    if kind == "carnet.csv":
        body = exports.gradebook_csv_bytes(rows)
    elif kind == "carnet.json":
        body = exports.gradebook_json(rows, school_class.name).encode()
    elif kind == "moodle.csv":
        body = exports.moodle_csv(rows, learners, titles)
    else:
        references = await run_in_threadpool(_reference_files, svc.catalogue, rows)
        body = await run_in_threadpool(exports.submissions_zip, rows, school_class.name, references, learners, titles,
                                       date_fr(utcnow()))
    media_type, suffix = EXPORTS[kind]
    filename = f"classe-{class_id}-{suffix}"
    return Response(body, media_type=media_type, headers={
        "Content-Disposition": f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "no-store"})


# --- one learner (RGPD) ------------------------------------------------------------------------

def _learner_or_404(session, user: User, learner_user_id: int) -> User:
    learner = classes.trainer_learner(session, user.id, learner_user_id)
    if learner is None:
        raise HTTPException(404, "Apprenant inconnu.")
    return learner


async def learner_page(request: Request):
    learner_user_id = _int_param(request, "apprenant")

    def work(session, user):
        learner = _learner_or_404(session, user, learner_user_id)
        return learner, classes.learner_data(session, learner), classes.other_trainers(session, learner, user.id)

    learner, data, shared = await _in_session(request, work)
    return render(request, "classroom/trainer/learner.html.j2", nav="classes", learner=learner, data=data,
                  shared=shared, modes=MODE_LABELS)


async def learner_export(request: Request):
    learner_user_id = _int_param(request, "apprenant")

    def work(session, user):
        learner = _learner_or_404(session, user, learner_user_id)
        data = classes.learner_data(session, learner)
        classes.audit(session, user, "export_donnees_apprenant", learner.username, apprenant=learner.id)
        return learner, data

    learner, data = await _in_session(request, work)
    filename = f"donnees-{learner.username}.json"
    return Response(json.dumps(data, ensure_ascii=False, indent=1) + "\n", media_type="application/json; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=\"{filename}\"", "Cache-Control": "no-store"})


async def learner_password(request: Request):
    """A new password for a learner, shown once; their login sessions are ended."""
    learner_user_id = _int_param(request, "apprenant")
    await _in_session(request, lambda session, user: _learner_or_404(session, user, learner_user_id).id)
    await read_form(request)
    password = accounts.new_password()
    digest = await run_in_threadpool(accounts.hash_password, password)  # outside the transaction

    def work(session, user):
        learner = _learner_or_404(session, user, learner_user_id)
        if learner.password_hash == NO_PASSWORD:
            raise HTTPException(409, "Ce compte a été ouvert depuis Moodle : l'apprenant s'y connecte par Moodle, sans "
                                     "mot de passe. Rien n'a été changé.")
        learner.password_hash = digest
        Logins.end_all(session, learner.id)
        classes.audit(session, user, "mot_de_passe_reinitialise", learner.username, apprenant=learner.id)
        return learner

    learner = await _in_session(request, work)
    response = render(request, "classroom/trainer/password.html.j2", nav="classes", learner=learner, password=password)
    response.headers["Cache-Control"] = "no-store"  # shown once
    return response


async def learner_delete(request: Request):
    learner_user_id = _int_param(request, "apprenant")
    form = await read_form(request)

    def work(session, user):
        learner = _learner_or_404(session, user, learner_user_id)
        if accounts.normalise_name(form.get("confirmation", "")) != learner.username:
            raise HTTPException(400, f"Suppression non confirmée : saisissez exactement « {learner.username} ».")
        if classes.other_trainers(session, learner, user.id):
            raise HTTPException(409, "Cet apprenant est aussi inscrit dans la classe d'un autre formateur : "
                                     "la suppression de son compte lui revient aussi. Rien n'a été supprimé.")
        count = classes.delete_learner(session, learner)
        classes.audit(session, user, "suppression_apprenant", learner.username, tentatives=count)
        return learner.username, count

    name, count = await _in_session(request, work)
    return render(request, "classroom/trainer/deleted.html.j2", nav="classes", name=name, count=count)


# --- exercises ---------------------------------------------------------------------------------

async def exercises_page(request: Request, problems: list[str] | None = None, added: str = "", status_code=200):
    svc = services(request)
    entries = await run_in_threadpool(svc.catalogue.entries)
    creations = await _in_session(request, lambda session, user: [
        {"row": c, "state": creation_store.state_label(session, c)}
        for c in creation_store.trainer_creations(session, user.id)])
    return render(request, "classroom/trainer/exercises.html.j2", status_code, nav="exercices",
                  entries=sorted(entries, key=lambda e: e.exercise.id), problems=problems or [],
                  catalogue_problems=await run_in_threadpool(svc.catalogue.problems), added=added,
                  creations=creations, deleted=request.query_params.get("supprime", "")[:80])


async def upload_exercise(request: Request):
    svc = services(request)
    form = await form_of(request, max_files=3, max_fields=5, max_field_bytes=10_000)

    def file(name: str) -> uploads.Upload:  # as the form parser left it: in a temporary file past 1 MB
        value = form.get(name)
        if isinstance(value, UploadFile):
            return uploads.Upload(value.filename or "", value.file, value.size or 0)
        return uploads.Upload.of_bytes("", b"")

    try:
        reference, metadata, audio = file("reference"), file("metadonnees"), file("audio")
        exercise_id = str(form.get("identifiant") or "").strip() or reference.name.rsplit(".", 1)[0]
        known = {e.exercise.id for e in await run_in_threadpool(svc.catalogue.entries)}
        known |= await _in_session(request, lambda session, user: creation_store.creation_ids(session))
        problems = await run_in_threadpool(uploads.check, exercise_id, reference, metadata, audio, known)
        if problems:
            return await exercises_page(request, problems, status_code=400)
        await run_in_threadpool(uploads.add, svc.settings, exercise_id, reference, metadata, audio)
    finally:
        await form.close()

    def work(session, user):
        classes.audit(session, user, "exercice_ajoute", exercise_id)

    await _in_session(request, work)
    return RedirectResponse(f"/formateur/exercices?ajoute={quote(exercise_id)}", status_code=303)


async def exercises(request: Request):
    if request.method == "POST":
        return await upload_exercise(request)
    return await exercises_page(request, added=request.query_params.get("ajoute", "")[:80])


async def journal(request: Request):
    entries = await _in_session(request, lambda session, user: journal_lines(session,
                                                                            classes.audit_entries(session, user.id)))
    return render(request, "classroom/trainer/journal.html.j2", nav="journal", entries=entries)


routes = [
    Route("/formateur", dashboard, name="trainer"),
    Route("/formateur/classe.css", class_report_css),
    Route("/formateur/classe.js", class_report_js),
    Route("/formateur/classes", create_class, methods=["POST"]),
    Route("/formateur/classes/{classe}", class_page),
    Route("/formateur/classes/{classe}/code", new_code, methods=["POST"]),
    Route("/formateur/classes/{classe}/devoirs", assign, methods=["POST"]),
    Route("/formateur/classes/{classe}/devoirs/{devoir}/supprimer", unassign, methods=["POST"]),
    Route("/formateur/classes/{classe}/import", import_learners, methods=["POST"]),
    Route("/formateur/classes/{classe}/rapport", class_report),
    Route("/formateur/classes/{classe}/export/{fichier}", export),
    Route("/formateur/tentatives/{tentative}", attempt_page),
    Route("/formateur/tentatives/{tentative}/reperes", attempt_replay),
    Route("/formateur/tentatives/{tentative}/audio", attempt_audio),
    Route("/formateur/tentatives/{tentative}/commentaire", attempt_comment, methods=["POST"]),
    Route("/formateur/apprenants/{apprenant}", learner_page),
    Route("/formateur/apprenants/{apprenant}/donnees.json", learner_export),
    Route("/formateur/apprenants/{apprenant}/supprimer", learner_delete, methods=["POST"]),
    Route("/formateur/apprenants/{apprenant}/mot-de-passe", learner_password, methods=["POST"]),
    Route(uploads.UPLOAD_PATH, exercises, methods=["GET", "POST"]),
    Route("/formateur/journal", journal),
]
