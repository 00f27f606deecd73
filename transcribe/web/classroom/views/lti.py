"""The LTI tool's pages: login initiation, launch, keyset, Deep Linking, configuration, resending.

- ``/lti/login`` and ``/lti/launch`` (GET or POST from Moodle's site, no account, no CSRF token:
  the gate and the security middleware let these two through) check everything in a worker
  thread (``lti.launch``: the keyset fetch is synchronous), then open an ordinary login session
  (``logins``, the same cookie as a password login) and send the browser on: the learner to the
  activity's exercise, the trainer to the class page, or to the exercise choice (Deep Linking).
  A refusal is a French page, and nothing is created.
- ``/lti/jwks.json``: the tool's public keys, for Moodle.
- ``/lti/deep-linking``: the teacher picks an exercise and a mode; the answer goes back to Moodle
  in a form the page posts by itself (``static/lti-retour.js``; a button without JavaScript),
  the page's CSP letting that one form go to Moodle's return URL.
- ``/lti/configuration``: for the server's own trainers (accounts with a password, not the ones
  Moodle opened): what to type into Moodle's « Configurer un outil manuellement », the
  platforms with Moodle's values, the key rotation.
- On the class page: which attempt counts per assignment, and « renvoyer » a learner's note.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route

from .. import classes
from ..logins import set_cookie
from ..lti import deep_linking, people, platforms, scores
from ..lti.launch import DEEP_LINKING, LaunchRefused, login_redirect, verify
from ..lti.models import GradeLink, Platform
from ..models import GRADE_POLICIES, NO_PASSWORD, Assignment
from ...pages import error_response, render
from ...security import CSP
from .account import secure
from .trainer import MODE_LABELS, _assignment_or_404, _class_or_404, _in_session, _int_param

MAX_FIELD = 4000  # Moodle's lti_message_hint and the id_token are longer than a login form's fields
MAX_TOKEN_FIELD = 20_000


def _tool(request: Request):
    return request.app.state.services


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def tool_urls(request: Request) -> dict[str, str]:
    base = base_url(request)
    return {"tool": base + "/lti/launch", "login": base + "/lti/login", "redirect": base + "/lti/launch",
            "keyset": base + "/lti/jwks.json", "deep_linking": base + "/lti/deep-linking"}


async def _fields(request: Request) -> dict[str, str]:
    if request.method == "GET":
        return {k: v[:MAX_FIELD] for k, v in request.query_params.items()}
    try:
        form = await request.form(max_files=0, max_fields=30, max_part_size=64_000)
    except Exception:  # noqa: BLE001 — any malformed body
        raise HTTPException(400, "Requête incorrecte : formulaire illisible.") from None
    return {k: v[:MAX_TOKEN_FIELD if k == "id_token" else MAX_FIELD] for k, v in form.items() if isinstance(v, str)}


# --- Moodle's side: login, launch, keyset --------------------------------------------------------

async def login(request: Request):
    svc = _tool(request)
    params = await _fields(request)
    try:
        url = await run_in_threadpool(login_redirect, svc.sessions, params, tool_urls(request)["redirect"])
    except LaunchRefused as exc:
        return error_response(request, 400, exc.message)
    return RedirectResponse(url, status_code=302)


def _exercise_known(catalogue):
    def known(exercise_id: str, mode: str) -> bool:
        entry = catalogue.get(exercise_id)
        return entry is not None and not entry.problem and (mode == "dictee" or bool(entry.draft))

    return known


async def launch(request: Request):
    svc = _tool(request)
    form = await _fields(request)
    if form.get("error"):
        return error_response(request, 400, f"Moodle n'a pas authentifié l'utilisateur : {form['error'][:100]} "
                                            f"{form.get('error_description', '')[:300]}".strip())
    secret = svc.logins.signer.secret_keys[-1]

    def work():
        found = verify(svc.sessions, form.get("id_token", ""), form.get("state", ""), svc.lti.keysets)
        with svc.sessions.begin() as session:
            arrival = people.arrive(session, found, _exercise_known(svc.catalogue))
            cookie, _row = svc.logins.open(session, arrival.user)
            if found.message_type == DEEP_LINKING:
                token = deep_linking.request_token(secret, arrival.user.id, arrival.school_class.id, found.platform_id,
                                                   found.issuer, found.client_id, found.deployment_id,
                                                   found.deep_linking)
                return "/lti/deep-linking?demande=" + quote(token), cookie
            if arrival.user.role == "formateur":
                return f"/formateur/classes/{arrival.school_class.id}", cookie
            if arrival.exercise_id:
                return f"/exercices/{quote(arrival.exercise_id)}/{arrival.mode}", cookie
            return "/", cookie

    try:
        destination, cookie = await run_in_threadpool(work)
    except LaunchRefused as exc:
        return error_response(request, 403, exc.message)
    response = RedirectResponse(destination, status_code=303)
    set_cookie(response, cookie, secure(request))
    return response


async def jwks(request: Request):
    keyset = await run_in_threadpool(_tool(request).lti.keys.jwks)
    return JSONResponse(keyset, headers={"Cache-Control": "public, max-age=300"})


# --- Deep Linking: the teacher's choice ------------------------------------------------------------

def _choices(catalogue) -> list[dict]:
    out = []
    for entry in sorted(catalogue.entries(), key=lambda e: e.exercise.id):
        if entry.problem:
            continue
        modes = ["dictee", "correction"] if entry.draft else ["dictee"]
        out.append({"id": entry.exercise.id, "title": entry.exercise.title, "modes": modes})
    return out


def _return_csp(return_url: str) -> str:
    parts = urlsplit(return_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c in parts.netloc for c in " ;'\"\t\r\n,"):
        raise HTTPException(400, "Adresse de retour vers Moodle invalide.")
    return CSP.replace("form-action 'self'", f"form-action 'self' {origin}")


async def deep_linking_page(request: Request):
    svc = _tool(request)
    user = request.state.user
    fields = await _fields(request) if request.method == "POST" else dict(request.query_params)
    found = deep_linking.read_request(svc.logins.signer.secret_keys[-1], fields.get("demande", ""), user.id)
    if found is None:
        raise HTTPException(400, "Ce choix d'exercice a expiré ou ne vous appartient pas : dans Moodle, cliquez de "
                                 "nouveau sur « Sélectionner un contenu ».")
    choices = await run_in_threadpool(_choices, svc.catalogue)
    if request.method == "GET":
        return render(request, "classroom/lti/deep_linking.html.j2", nav="classes", choices=choices,
                      modes=MODE_LABELS, demande=fields["demande"])
    exercise_id, mode = fields.get("exercice", ""), fields.get("mode", "dictee")
    chosen = next((c for c in choices if c["id"] == exercise_id), None)
    if chosen is None or mode not in chosen["modes"]:
        raise HTTPException(400, f"Exercice « {exercise_id[:100]} » indisponible en {MODE_LABELS.get(mode, mode)}.")

    def work(session, trainer):
        school_class = _class_or_404(session, trainer, found["c"])
        people.ensure_assignment(session, school_class.id, exercise_id, mode)
        classes.audit(session, trainer, "activite_moodle", exercise_id, classe=school_class.id, mode=mode)

    await _in_session(request, work)
    item = deep_linking.resource_link(tool_urls(request)["tool"], exercise_id, mode, chosen["title"])
    token = deep_linking.response_jwt(svc.lti.keys.current(), found, [item])
    response = render(request, "classroom/lti/deep_linking_return.html.j2", nav="classes", return_url=found["r"],
                      jwt=token, title=chosen["title"], mode_label=MODE_LABELS.get(mode, mode))
    response.headers["content-security-policy"] = _return_csp(found["r"])
    response.headers["cache-control"] = "no-store"
    return response


# --- the administrator's page ----------------------------------------------------------------------

def _admin_or_404(request: Request):
    user = request.state.user
    if user is None or user.password_hash == NO_PASSWORD:
        raise HTTPException(404)  # the accounts Moodle opened do not configure the server
    return user


async def configuration(request: Request, problems: list[str] | None = None, form: dict | None = None,
                        status_code: int = 200):
    _admin_or_404(request)
    svc = _tool(request)

    def read():
        with svc.sessions.begin() as session:
            rows = platforms.all_platforms(session)
            session.expunge_all()
            return rows

    rows = await run_in_threadpool(read)
    keys = svc.lti.keys
    current, previous = await run_in_threadpool(keys.current), await run_in_threadpool(keys.previous)
    return render(request, "classroom/lti/configuration.html.j2", status_code, nav="moodle", urls=tool_urls(request),
                  platforms=rows, problems=problems or [], form=form or {}, fields=platforms.FIELDS,
                  kid=current.kid, previous_kid=previous.kid if previous else None,
                  rotated=request.query_params.get("cle") == "nouvelle")


async def save_platform(request: Request):
    user = _admin_or_404(request)
    svc = _tool(request)
    fields = await _fields(request)
    platform_id = _int_param(request, "plateforme") if "plateforme" in request.path_params else None
    form = platforms.PlatformForm.from_fields(fields)
    problems = platforms.problems(form)
    if problems:
        return await configuration(request, problems, fields, 400)

    def work():
        with svc.sessions.begin() as session:
            if platform_id is not None and session.get(Platform, platform_id) is None:
                raise HTTPException(404, "Plateforme inconnue.")
            saved = platforms.save(session, form, platform_id)
            classes.audit(session, user, "plateforme_lti", saved.name, plateforme=saved.id, issuer=saved.issuer,
                          client_id=saved.client_id)

    try:
        await run_in_threadpool(work)
    except ValueError as exc:
        return await configuration(request, [str(exc)[:1].upper() + str(exc)[1:]], fields, 400)
    return RedirectResponse("/lti/configuration#plateformes", status_code=303)


async def delete_platform(request: Request):
    user = _admin_or_404(request)
    svc = _tool(request)
    platform_id = _int_param(request, "plateforme")

    def work():
        with svc.sessions.begin() as session:
            platform = session.get(Platform, platform_id)
            if platform is None:
                raise HTTPException(404, "Plateforme inconnue.")
            classes.audit(session, user, "plateforme_lti_supprimee", platform.name, issuer=platform.issuer)
            session.delete(platform)

    await run_in_threadpool(work)
    return RedirectResponse("/lti/configuration#plateformes", status_code=303)


async def rotate_key(request: Request):
    user = _admin_or_404(request)
    svc = _tool(request)
    key = await run_in_threadpool(svc.lti.keys.rotate)

    def work():
        with svc.sessions.begin() as session:
            classes.audit(session, user, "cle_lti_renouvelee", key.kid)

    await run_in_threadpool(work)
    return RedirectResponse("/lti/configuration?cle=nouvelle#cle", status_code=303)


# --- the class page: which attempt counts, resending -----------------------------------------------

async def set_policy(request: Request):
    class_id, assignment_id = _int_param(request, "classe"), _int_param(request, "devoir")
    fields = await _fields(request)
    policy = fields.get("tentative", "")

    def work(session, user):
        assignment = _assignment_or_404(session, user, class_id, assignment_id)  # another's: 404 first
        if policy not in GRADE_POLICIES:
            raise HTTPException(400, "Choisissez la meilleure, la dernière ou la première tentative.")
        assignment.grade_policy = policy
        session.flush()
        links = session.scalars(select(GradeLink).where(GradeLink.assignment_id == assignment_id)).all()
        queued = sum(scores.refresh(session, link) for link in links)
        classes.audit(session, user, "tentative_retenue", assignment.exercise_id, classe=class_id, choix=policy)
        return queued

    if await _in_session(request, work):
        _tool(request).lti.sender.wake()
    return RedirectResponse(f"/formateur/classes/{class_id}#devoirs", status_code=303)


async def resend(request: Request):
    class_id, link_id = _int_param(request, "classe"), _int_param(request, "note")

    def work(session, user):
        _class_or_404(session, user, class_id)
        link = session.get(GradeLink, link_id)
        assignment = session.get(Assignment, link.assignment_id) if link is not None else None
        if assignment is None or assignment.class_id != class_id:
            raise HTTPException(404, "Note inconnue.")
        if not scores.refresh(session, link, force=True):
            raise HTTPException(409, "Aucune tentative à envoyer : l'apprenant n'a encore rien rendu.")
        classes.audit(session, user, "note_renvoyee", link.exercise_id, classe=class_id, apprenant=link.user_id)

    await _in_session(request, work)
    _tool(request).lti.sender.wake()
    return RedirectResponse(f"/formateur/classes/{class_id}#moodle", status_code=303)


routes = [
    Route("/lti/login", login, methods=["GET", "POST"], name="lti_login"),
    Route("/lti/launch", launch, methods=["POST"], name="lti_launch"),
    Route("/lti/jwks.json", jwks, name="lti_jwks"),
    Route("/lti/deep-linking", deep_linking_page, methods=["GET", "POST"], name="lti_deep_linking"),
    Route("/lti/configuration", configuration, name="lti_configuration"),
    Route("/lti/configuration/plateformes", save_platform, methods=["POST"]),
    Route("/lti/configuration/plateformes/{plateforme}", save_platform, methods=["POST"]),
    Route("/lti/configuration/plateformes/{plateforme}/supprimer", delete_platform, methods=["POST"]),
    Route("/lti/configuration/cle", rotate_key, methods=["POST"]),
    Route("/formateur/classes/{classe}/devoirs/{devoir}/tentative", set_policy, methods=["POST"]),
    Route("/formateur/classes/{classe}/moodle/{note}/renvoyer", resend, methods=["POST"]),
]
