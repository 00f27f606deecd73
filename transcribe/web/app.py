"""The application factory: settings → a Starlette app with its database and exercises.

``create_app(settings)`` is what tests and ``transcribe serve`` call; ``app_from_env`` is
the factory uvicorn's worker processes call (settings passed as environment variables).
"""

from __future__ import annotations

import threading
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib import resources

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from ..files import private_folder
from . import db, feedback, migrate, pages
from .catalogue import Catalogue
from .config import Settings
from .security import SecurityMiddleware
from .timings import TimingsService
from .views import assets, attempts, exercises, progress, workspace


@dataclass
class Services:
    """What the views need, kept on ``app.state.services``."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    catalogue: Catalogue
    learner_id: int | None  # solo: the one learner; classroom: set per request by the gate
    timings: TimingsService
    logins: object = None  # classroom mode: classroom.logins.Logins
    lti: object = None  # classroom mode: classroom.lti.tool.Tool (Moodle)
    creations: object = None  # classroom mode: classroom.authoring.worker.Worker (the transcriptions)
    # called as hook(learner_id, attempt) after a new attempt is stored (in a worker thread);
    # the classroom sends notes to Moodle from there, the workspace knows nothing of it
    on_submit: list = field(default_factory=list)
    background: list = field(default_factory=list)  # objects with start() and stop(), run by the lifespan
    # called as hook(attempt) → [{"author": str, "text": str, "at": datetime}]: what others wrote about
    # an attempt, shown on its report (the classroom's trainer comment)
    attempt_notes: list = field(default_factory=list)


def _solo_learner_id(sessions: sessionmaker[Session]) -> int:
    for _ in range(2):  # two worker processes may create it at the same moment
        try:
            with sessions.begin() as session:
                return db.solo_learner(session).id
        except IntegrityError:
            continue
    raise RuntimeError("solo learner")


def _lifespan(services: Services):
    @asynccontextmanager
    async def lifespan(app):
        threading.Thread(target=feedback.warm_up, name="warm-up", daemon=True).start()
        for worker in services.background:
            worker.start()
        yield
        for worker in services.background:
            worker.stop()
        services.timings.shutdown()
        services.engine.dispose()

    return lifespan


def static_files() -> StaticFiles:
    return StaticFiles(directory=str(resources.files("transcribe") / "static"))


def create_app(settings: Settings) -> Starlette:
    private_folder(settings.work_dir)  # timings, uploads (the SQLite file's folder: db.create_private)
    engine = db.make_engine(settings.database_url)
    migrate.create_schema(engine)
    sessions = db.session_factory(engine)
    learner_id = None if settings.classroom else _solo_learner_id(sessions)
    services = Services(settings, engine, sessions, Catalogue(settings.references_dir), learner_id,
                        TimingsService(settings.work_dir))
    routes = [
        *exercises.routes,
        *workspace.routes,
        *attempts.routes,
        *progress.routes,
        *assets.routes,
        Mount("/static", app=static_files(), name="static"),
    ]
    middleware = [Middleware(SecurityMiddleware, max_body_bytes=settings.max_body_bytes)]
    if settings.classroom:
        from .classroom.app import setup

        routes, middleware = setup(services, routes, middleware)
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={HTTPException: pages.http_error, Exception: pages.server_error},
        lifespan=_lifespan(services),
    )
    app.state.services = services
    return app


def app_from_env() -> Starlette:
    return create_app(Settings.from_env())
