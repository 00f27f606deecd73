"""Logging in and out, and a learner's registration with their class's join code."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from .. import accounts
from ..models import LEARNER, TRAINER, SchoolClass, User
from ..logins import COOKIE, clear_cookie, set_cookie
from ...pages import render
from ...views.common import form_of, services

MAX_FIELD = 300


async def read_form(request: Request, max_fields: int = 20) -> dict[str, str]:
    """The form's text fields, each cut to ``MAX_FIELD`` characters (a malformed body is a 400
    in French)."""
    form = await form_of(request, max_fields=max_fields, max_field_bytes=10 * MAX_FIELD)
    return {k: v[:MAX_FIELD] if isinstance(v, str) else "" for k, v in form.items()}


def secure(request: Request) -> bool:
    return services(request).settings.secure_cookies or request.url.scheme == "https"


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


def safe_next(value: str | None, role: str) -> str:
    """Where to go after logging in: a path of this site only (never another host)."""
    home = "/formateur" if role == TRAINER else "/"
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return home
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return home
    if (role == TRAINER) != (value == "/formateur" or value.startswith("/formateur/")):
        return home
    return value


def _has_trainer(sessions) -> bool:
    with sessions.begin() as session:
        return session.scalar(select(User.id).where(User.role == TRAINER).limit(1)) is not None


async def login_page(request: Request, message: str = "", username: str = "", status_code: int = 200):
    svc = services(request)
    has_trainer = await run_in_threadpool(_has_trainer, svc.sessions)
    return render(request, "classroom/login.html.j2", status_code, message=message, username=username,
                  has_trainer=has_trainer,
                  next_url=request.query_params.get("suite", "")[:MAX_FIELD])


async def login(request: Request):
    if request.method == "GET":
        return await login_page(request)
    svc = services(request)
    form = await read_form(request)
    name, password = form.get("identifiant", ""), form.get("mot_de_passe", "")

    def check():
        result = accounts.authenticate(svc.sessions, name, password, client_address(request))
        if result.user is None:
            return result, None
        with svc.sessions.begin() as session:
            cookie, _row = svc.logins.open(session, result.user)
        return result, cookie

    result, cookie = await run_in_threadpool(check)
    if result.user is None:
        return await login_page(request, result.message, name, 429 if result.throttled else 401)
    response = RedirectResponse(safe_next(form.get("suite"), result.user.role), status_code=303)
    set_cookie(response, cookie, secure(request))
    return response


async def logout(request: Request):
    svc = services(request)

    def end():
        with svc.sessions.begin() as session:
            svc.logins.end(session, request.cookies.get(COOKIE))

    await run_in_threadpool(end)
    response = RedirectResponse("/connexion", status_code=303)
    clear_cookie(response, secure(request))
    return response


async def register(request: Request):
    if request.method == "GET":
        return render(request, "classroom/register.html.j2", code=request.query_params.get("code", "")[:40],
                      username="", display_name="", message="")
    svc = services(request)
    form = await read_form(request)
    code, name, display = form.get("code", ""), form.get("identifiant", ""), form.get("nom", "")
    password, confirmation = form.get("mot_de_passe", ""), form.get("confirmation", "")

    def create():
        """(message, cookie, status): each refusal is counted against the address, and a taken
        name is answered before any hash, so probing for account names is slow and cheap."""
        attempt = accounts.begin_attempt(svc.sessions, {accounts.address_key(client_address(request)):
                                                        accounts.MAX_FAILURES_ADDRESS})
        if attempt is None:
            return accounts.TOO_MANY, None, 429
        with svc.sessions.begin() as session:
            school_class = accounts.class_by_code(session, code)
            taken = accounts.name_taken(session, name, LEARNER)
        if school_class is None:
            return "Code de classe inconnu : vérifiez-le auprès de votre formateur.", None, 400
        if password != confirmation:
            return "Les deux mots de passe ne sont pas identiques.", None, 400
        problem = accounts.name_problem(name) or accounts.password_problem(password) or taken
        if problem:
            return problem[:1].upper() + problem[1:], None, 400
        digest = accounts.hash_password(password)  # outside the transaction
        with svc.sessions.begin() as session:
            try:
                user = accounts.create_user(session, name, password, LEARNER, display, password_hash=digest)
            except accounts.AccountError as exc:
                return exc.message[:1].upper() + exc.message[1:], None, 400
            accounts.join(session, user, session.get(SchoolClass, school_class.id))
            cookie, _row = svc.logins.open(session, user)
        accounts.succeeded(svc.sessions, attempt)
        return "", cookie, 303

    message, cookie, status = await run_in_threadpool(create)
    if cookie is None:
        return render(request, "classroom/register.html.j2", status, code=code, username=name, display_name=display,
                      message=message)
    response = RedirectResponse("/", status_code=303)
    set_cookie(response, cookie, secure(request))
    return response


routes = [
    Route("/connexion", login, methods=["GET", "POST"], name="login"),
    Route("/deconnexion", logout, methods=["POST"], name="logout"),
    Route("/inscription", register, methods=["GET", "POST"], name="register"),
]
