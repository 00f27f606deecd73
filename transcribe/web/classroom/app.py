"""Classroom mode wired into the workspace's application (``create_app`` calls ``setup``).

Adds the login, registration and trainer routes, the gate (accounts, roles, CSRF), the
trainers' uploaded exercises to the catalogue, and a larger body limit for exercise uploads;
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
from .uploads import MAX_UPLOAD_BYTES, UPLOAD_PATH, uploads_dir
from .views import account, lti, trainer


def setup(services, routes: list, middleware: list) -> tuple[list, list]:
    settings = services.settings
    services.logins = Logins(services.sessions)
    services.catalogue = CombinedCatalogue(services.catalogue, Catalogue(uploads_dir(settings), confined=True))
    lti_tool.install(services)
    security = [Middleware(SecurityMiddleware, max_body_bytes=settings.max_body_bytes,
                           larger={UPLOAD_PATH: MAX_UPLOAD_BYTES}, cross_site=CSRF_EXEMPT)]
    others = [m for m in middleware if m.cls is not SecurityMiddleware]
    return ([*account.routes, *trainer.routes, *lti.routes, *routes],
            [*security, *others, Middleware(ClassroomGate, services=services)])
