"""Classroom mode wired into the workspace's application (``create_app`` calls ``setup``).

Adds the login, registration and trainer routes, the gate (accounts, roles, CSRF), the
trainers' uploaded exercises and the ones they made from a recording (``authoring``) to the
catalogue, the transcription worker, the trainers' comments on the learners' reports, and
larger body limits for exercise uploads and recordings;
and the LTI tool for Moodle (``lti.tool.install``: its key, its routes, the score sender), whose
login and launch take posts from Moodle's site.
The workspace's own routes are unchanged: behind the gate they serve the logged-in learner.
"""

from __future__ import annotations

from starlette.middleware import Middleware

from ..catalogue import Catalogue
from .classes import CombinedCatalogue
from .gate import CSRF_EXEMPT, ClassroomGate
from .lti import tool as lti_tool
from .logins import Logins
from ..security import SecurityMiddleware
from .authoring.catalogue import CreationCatalogue
from .authoring.worker import Worker
from .comments import attempt_notes
from .uploads import MAX_UPLOAD_BYTES, UPLOAD_PATH, uploads_dir
from .views import account, authoring, lti, trainer


def setup(services, routes: list, middleware: list) -> tuple[list, list]:
    settings = services.settings
    services.logins = Logins(services.sessions)
    services.catalogue = CombinedCatalogue(services.catalogue, Catalogue(uploads_dir(settings), confined=True),
                                           CreationCatalogue(settings, services.sessions))
    services.creations = Worker(settings, services.sessions)
    services.background.append(services.creations)
    services.attempt_notes.append(attempt_notes(services.sessions))
    lti_tool.install(services)
    security = [Middleware(SecurityMiddleware, max_body_bytes=settings.max_body_bytes,
                           larger={UPLOAD_PATH: MAX_UPLOAD_BYTES, authoring.NEW_PATH: authoring.MAX_RECORDING_BYTES},
                           cross_site=CSRF_EXEMPT)]
    others = [m for m in middleware if m.cls is not SecurityMiddleware]
    return ([*account.routes, *authoring.routes, *trainer.routes, *lti.routes, *routes],
            [*security, *others, Middleware(ClassroomGate, services=services)])
