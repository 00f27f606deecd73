"""OIDC login initiation and the launch's checks, as LTI 1.3 (the IMS security framework) asks.

1. Moodle sends the browser to ``/lti/login`` (iss, login_hint, client id…). The tool finds
   the platform, keeps a random ``state`` and ``nonce`` in the database (10 minutes, table
   ``lti_launch_states``) and sends the browser to the platform's authentication URL.
2. Moodle answers with a form the browser posts to ``/lti/launch``: ``id_token`` (a JWT
   signed by Moodle) and ``state``. ``verify`` checks, before anything is created:
   the state exists and has not expired; the token's signature against the platform's keyset
   (fetched over HTTPS and cached 5 minutes, fetched again once when the ``kid`` is unknown:
   Moodle rotated its key), RS256 only; ``iss`` is the platform's; ``aud`` (a string or a
   list) holds the client id, and ``azp`` is the client id when there are several audiences or
   an ``azp``; ``exp`` and ``iat`` with a minute of leeway for clocks; the nonce is the one
   kept for this state; the deployment id is one the administrator registered; the LTI version
   is 1.3.0; the message type is a resource link launch or a Deep Linking request, with the
   claims that type requires. Then the state's row is deleted (``DELETE … WHERE state AND
   nonce``): a second use of the same launch, by any server process, finds nothing.

Why not a state cookie: the launch is a cross-site POST from Moodle, and the tool's cookies are
``SameSite=Lax``, which such a POST does not carry; the database row plays the cookie's part.
The JWT work is PyJWT's; its HTTP calls (the keyset) are synchronous: the views run ``verify``
in a worker thread.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import jwt
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from ...db import as_utc, utcnow
from . import platforms
from .models import LaunchState, Platform

STATE_LIFETIME = timedelta(minutes=10)
LEEWAY_SECONDS = 60
KEYSET_LIFETIME_SECONDS = 300
KEYSET_REFRESH_COOLDOWN_SECONDS = 30  # an unknown kid fetches the keyset again at most this often
KEYSET_TIMEOUT_SECONDS = 10
MAX_TOKEN = 20_000

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINKING = "LtiDeepLinkingRequest"
MESSAGE_TYPES = (RESOURCE_LINK, DEEP_LINKING)
# LIS roles (full URIs in LTI 1.3): an instructor, one of its sub-roles (a teaching assistant),
# a content developer or a site administrator teaches; a learner (or a sub-role) learns
V2 = "http://purl.imsglobal.org/vocab/lis/v2/"
INSTRUCTOR_ROLES = (V2 + "membership#Instructor", V2 + "membership#ContentDeveloper",
                    V2 + "institution/person#Administrator", V2 + "system/person#Administrator")
INSTRUCTOR_SUBROLES = V2 + "membership/Instructor#"
LEARNER_ROLES = (V2 + "membership#Learner",)
LEARNER_SUBROLES = V2 + "membership/Learner#"


class LaunchRefused(Exception):
    """A login or launch the tool does not accept; ``message`` is the French reason shown."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Launch:
    """What a verified launch says."""

    platform_id: int
    issuer: str
    client_id: str
    deployment_id: str
    message_type: str
    subject: str
    roles: list[str]
    name: str = ""
    email: str = ""
    context_id: str = ""
    context_title: str = ""
    resource_link_id: str = ""
    custom: dict = field(default_factory=dict)
    lineitem_url: str | None = None
    deep_linking: dict | None = None  # the deep_linking_settings claim

    @property
    def is_instructor(self) -> bool:
        return any(r in INSTRUCTOR_ROLES or r.startswith(INSTRUCTOR_SUBROLES) for r in self.roles)

    @property
    def is_learner(self) -> bool:
        return any(r in LEARNER_ROLES or r.startswith(LEARNER_SUBROLES) for r in self.roles)


def with_query(url: str, params: dict[str, str]) -> str:
    """``url`` with ``params`` added to its query string (the ones it had are kept)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


# --- 1. login initiation -----------------------------------------------------------------------

def login_redirect(sessions: sessionmaker[Session], params: dict[str, str], redirect_uri: str) -> str:
    """The platform's authentication URL for this login initiation (a state and nonce kept)."""
    issuer, login_hint = params.get("iss", ""), params.get("login_hint", "")
    client_id, deployment_id = params.get("client_id", ""), params.get("lti_deployment_id", "")
    if not issuer or not login_hint:
        raise LaunchRefused("Demande de connexion LTI incomplète : « iss » et « login_hint » sont exigés. "
                            "Ouvrez l'activité depuis Moodle.")
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with sessions.begin() as session:
        platform = platforms.find(session, issuer, client_id or None)
        if platform is None:
            raise LaunchRefused(f"Plateforme LTI inconnue : « {issuer[:200]} » (ID client « {client_id[:200] or '—'} »). "
                                "L'administrateur du serveur doit l'enregistrer sur la page « Moodle (LTI) ».")
        if deployment_id and deployment_id not in platform.deployment_ids:
            raise LaunchRefused(_unknown_deployment(deployment_id))
        now = utcnow()
        session.execute(delete(LaunchState).where(LaunchState.expires_at < now))
        session.add(LaunchState(state=state, nonce=nonce, platform_id=platform.id, expires_at=now + STATE_LIFETIME))
        auth_url, client = platform.auth_url, platform.client_id
    query = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
             "client_id": client, "redirect_uri": redirect_uri, "login_hint": login_hint, "state": state,
             "nonce": nonce}
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    return with_query(auth_url, query)


def _unknown_deployment(deployment_id: str) -> str:
    return (f"Lancement refusé : le déploiement « {deployment_id[:200]} » n'est pas enregistré pour cette plateforme. "
            "L'administrateur du serveur doit l'ajouter sur la page « Moodle (LTI) ».")


# --- 2. the launch -------------------------------------------------------------------------------

class Keysets:
    """The platforms' public keysets, one PyJWKClient (with its cache) per keyset URL."""

    def __init__(self):
        self._clients: dict[str, jwt.PyJWKClient] = {}
        self._lock = threading.Lock()

    def signing_key(self, url: str, kid: str):
        with self._lock:
            client = self._clients.get(url)
            if client is None:
                client = self._clients[url] = jwt.PyJWKClient(
                    url, lifespan=KEYSET_LIFETIME_SECONDS, timeout=KEYSET_TIMEOUT_SECONDS,
                    cooldown_duration=KEYSET_REFRESH_COOLDOWN_SECONDS,
                    headers={"User-Agent": "transcribe-lti"})
        return client.get_signing_key(kid).key


def _refused(reason: str) -> LaunchRefused:
    return LaunchRefused(f"Lancement LTI refusé : {reason} Relancez l'activité depuis Moodle ; si cela se "
                         "reproduit, prévenez l'administrateur du serveur.")


def _decode(id_token: str, platform: Platform, keysets: Keysets) -> dict:
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.DecodeError:
        raise _refused("le jeton d'identité (id_token) est illisible.") from None
    if header.get("alg") != "RS256":
        raise _refused(f"algorithme de signature « {header.get('alg')} » refusé (RS256 attendu).")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise _refused("le jeton ne dit pas quelle clé l'a signé (kid absent).")
    try:
        key = keysets.signing_key(platform.keyset_url, kid)
    except jwt.PyJWKClientConnectionError as exc:
        raise _refused(f"le jeu de clés de la plateforme est injoignable ({platform.keyset_url} : {exc}).") from None
    except jwt.PyJWKClientError:
        raise _refused("le jeton est signé par une clé que la plateforme ne publie pas (clé inconnue).") from None
    try:
        return jwt.decode(id_token, key, algorithms=["RS256"], audience=platform.client_id,
                          issuer=platform.issuer, leeway=LEEWAY_SECONDS,
                          options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]})
    except jwt.ExpiredSignatureError:
        raise _refused("le jeton a expiré.") from None
    except jwt.ImmatureSignatureError:
        raise _refused("le jeton est daté dans le futur (horloges désaccordées ?).") from None
    except jwt.InvalidAudienceError:
        raise _refused("le jeton est destiné à un autre outil (aud ne contient pas notre ID client).") from None
    except jwt.InvalidIssuerError:
        raise _refused("le jeton ne vient pas de la plateforme enregistrée (iss).") from None
    except jwt.InvalidSignatureError:
        raise _refused("la signature du jeton est fausse.") from None
    except jwt.MissingRequiredClaimError as exc:
        raise _refused(f"le champ « {exc.claim} » manque dans le jeton.") from None
    except jwt.InvalidTokenError as exc:
        raise _refused(f"jeton invalide ({exc}).") from None


def _text(value, limit: int = 255) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def _claims_to_launch(claims: dict, platform: Platform) -> Launch:
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != platform.client_id:
        raise _refused("le jeton a plusieurs destinataires et « azp » n'est pas notre ID client.")
    if claims.get(LTI + "version") != "1.3.0":
        raise _refused(f"version LTI « {claims.get(LTI + 'version')} » non prise en charge (1.3.0 attendue).")
    deployment_id = claims.get(LTI + "deployment_id")
    if not isinstance(deployment_id, str) or deployment_id not in platform.deployment_ids:
        raise LaunchRefused(_unknown_deployment(str(deployment_id)))
    message_type = claims.get(LTI + "message_type")
    if message_type not in MESSAGE_TYPES:
        raise LaunchRefused(f"Lancement LTI refusé : type de message « {str(message_type)[:80]} » non pris en charge "
                            "(seuls l'ouverture d'une activité et le choix d'un exercice par Deep Linking le sont).")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise _refused("le jeton ne dit pas qui est l'utilisateur (sub).")
    roles = [r for r in claims.get(LTI + "roles") or [] if isinstance(r, str)]
    context = claims.get(LTI + "context") if isinstance(claims.get(LTI + "context"), dict) else {}
    name = _text(claims.get("name"), 200) or " ".join(
        p for p in (_text(claims.get("given_name"), 100), _text(claims.get("family_name"), 100)) if p)
    launch = Launch(platform.id, platform.issuer, platform.client_id, deployment_id, message_type, subject, roles, name,
                    _text(claims.get("email"), 320), _text(context.get("id")),
                    _text(context.get("title"), 200) or _text(context.get("label"), 200))
    custom = claims.get(LTI + "custom")
    launch.custom = {k: v for k, v in custom.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(custom, dict) else {}
    ags = claims.get(AGS_ENDPOINT)
    if isinstance(ags, dict) and isinstance(ags.get("lineitem"), str):
        launch.lineitem_url = ags["lineitem"][:1000]
    if message_type == RESOURCE_LINK:
        link = claims.get(LTI + "resource_link")
        if not isinstance(link, dict) or not _text(link.get("id")):
            raise _refused("le lien de l'activité (resource_link) manque.")
        launch.resource_link_id = _text(link.get("id"))
    else:
        settings = claims.get(DL + "deep_linking_settings")
        if not isinstance(settings, dict) or not isinstance(settings.get("deep_link_return_url"), str):
            raise _refused("les réglages du Deep Linking (deep_linking_settings) manquent.")
        if "ltiResourceLink" not in (settings.get("accept_types") or []):
            raise _refused("la plateforme n'accepte pas de lien d'activité (ltiResourceLink) en retour.")
        launch.deep_linking = settings
    if not launch.context_id:
        raise _refused("le jeton ne dit pas de quel cours il s'agit (context).")
    return launch


def verify(sessions: sessionmaker[Session], id_token: str, state: str, keysets: Keysets) -> Launch:
    """The launch, every check passed and its state used up; LaunchRefused otherwise."""
    if not id_token or not state or len(id_token) > MAX_TOKEN or len(state) > 64:
        raise _refused("il manque le jeton d'identité (id_token) ou l'état (state).")
    with sessions.begin() as session:
        row = session.get(LaunchState, state)
        if row is None or as_utc(row.expires_at) < utcnow():
            raise _refused("ce lancement a déjà servi ou a expiré (state et nonce sont à usage unique).")
        platform = session.get(Platform, row.platform_id)
        expected_nonce = row.nonce
        session.expunge(platform)
    claims = _decode(id_token, platform, keysets)
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not secrets.compare_digest(nonce, expected_nonce):
        raise _refused("le nonce du jeton n'est pas celui de cette connexion (jeton rejoué ?).")
    launch = _claims_to_launch(claims, platform)
    with sessions.begin() as session:
        used = session.execute(delete(LaunchState).where(LaunchState.state == state, LaunchState.nonce == nonce,
                                                         LaunchState.expires_at >= utcnow()))
        if used.rowcount != 1:
            raise _refused("ce lancement a déjà servi ou a expiré (state et nonce sont à usage unique).")
    return launch
