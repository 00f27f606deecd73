"""The LTI 1.3 tool against an independent platform (tests/lti_platform.py, on jwcrypto), both
served over HTTP by uvicorn on the loopback: login initiation, signed launches, Deep Linking
verified with the tool's keyset, tokens, scores received and asserted exactly, refusals.
The tool's database is SQLite and PostgreSQL (``database_url``)."""

from __future__ import annotations

import html
import re
import stat
import time
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from classroom_kit import PASSWORD, Browser, add_user, assign, classroom_app, create_class, register, submit_attempt
from jwcrypto import jwk
from lti_platform import INSTRUCTOR, LEARNER, LTI, Person, Platform, auth_form, new_key, serve
from sqlalchemy import func, select

from transcribe.web.classroom.lti import launch as lti_launch
from transcribe.web.classroom.lti import platforms, scores
from transcribe.web.classroom.lti.models import Account, Course, GradeLink, LaunchState
from transcribe.web.classroom.models import Assignment, Membership, SchoolClass, User
from transcribe.web.db import Attempt

ROOT = Path(__file__).resolve().parent.parent
EXERCISE = "14-ordonnance"
TEACHER = Person("moodle-user-2", "Claire Martin", "claire.martin@centre.fr", INSTRUCTOR)
PAUL = Person("moodle-user-15", "Paul Petit", "paul.petit@centre.fr", LEARNER)


class Visitor:
    """A browser without JavaScript: follows what the platform's and the tool's pages would do."""

    def __init__(self, tool_url: str):
        self.client = httpx.Client(base_url=tool_url, follow_redirects=False, timeout=30)

    def launch(self, platform: Platform, person: Person, **spec) -> httpx.Response:
        fields = platform.prepare(person, **spec)
        started = self.client.post("/lti/login", data=fields, headers={"Origin": platform.base})
        if started.status_code != 302:
            return started
        answer = httpx.get(started.headers["location"], timeout=30)
        action, form = auth_form(answer.text)
        self.last_form = (action, form)
        return self.client.post(action, data=form, headers={"Origin": platform.base})

    def csrf(self, page: httpx.Response) -> str:
        return re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text).group(1)

    def get(self, path: str) -> httpx.Response:
        return self.client.get(path)

    def post(self, path: str, data: dict, page: httpx.Response) -> httpx.Response:
        return self.client.post(path, data={**data, "csrf": self.csrf(page)})

    def submit(self, exercise: str, text: str) -> httpx.Response:
        page = self.get(f"/exercices/{exercise}/dictee")
        assert page.status_code == 200, page.text
        token = re.search(r'<input type="hidden" name="jeton" value="([^"]+)">', page.text).group(1)
        return self.post(f"/exercices/{exercise}/dictee/rendre", {"jeton": token, "texte": text}, page)


@pytest.fixture
def world(database_url, tmp_path):
    platform = Platform()
    app = classroom_app(database_url, tmp_path)
    add_user(app, "marie")
    with serve(platform.app(), "localhost") as platform_url:
        platform.base = platform_url
        with serve(app) as tool_url:
            platform.configure_tool(tool_url)
            with app.state.services.sessions.begin() as session:
                platforms.save(session, platforms.PlatformForm.from_fields(platform.registration()))
            yield {"app": app, "platform": platform, "url": tool_url, "tmp": tmp_path}
    app.state.services.engine.dispose()


def counts(app) -> dict:
    with app.state.services.sessions.begin() as session:
        return {m.__tablename__: session.scalar(select(func.count()).select_from(m))
                for m in (User, SchoolClass, Membership, Assignment, Account, Course, GradeLink)}


def text_of(response: httpx.Response) -> str:
    """The page's text as the reader sees it (entities decoded)."""
    return html.unescape(response.text)


def wait_for(condition, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("délai dépassé")


def reference(exercise: str) -> str:
    return (ROOT / "references" / f"{exercise}.txt").read_text(encoding="utf-8")


def deep_link(world, teacher: Visitor, mode: str = "dictee") -> dict:
    """The teacher adds an activity from Moodle: Deep Linking request, choice, answer to Moodle."""
    platform = world["platform"]
    arrived = teacher.launch(platform, TEACHER, message_type="LtiDeepLinkingRequest")
    assert arrived.status_code == 303, arrived.text
    assert arrived.headers["location"].startswith("/lti/deep-linking?demande=")
    page = teacher.get(arrived.headers["location"])
    assert page.status_code == 200 and "Choisir un exercice pour Moodle" in page.text
    demande = re.search(r'name="demande" value="([^"]+)"', page.text).group(1)
    answer = teacher.post("/lti/deep-linking", {"demande": demande, "exercice": EXERCISE, "mode": mode}, page)
    assert answer.status_code == 200, answer.text
    assert f"form-action 'self' {platform.base}" in answer.headers["content-security-policy"]
    action = re.search(r'<form method="post" action="([^"]+)" id="retour-moodle">', answer.text).group(1)
    assert action == platform.base + "/deep-link-return"
    token = re.search(r'name="JWT" value="([^"]+)"', answer.text).group(1)
    returned = httpx.post(action, data={"JWT": token})  # the browser posts it to Moodle
    assert returned.status_code == 200 and "Activité ajoutée : Ordonnance" in returned.text
    return platform.links[-1]


# --- the whole round, from the platform's side ---------------------------------------------------

def test_deep_linking_launch_submission_and_scores_received_exactly(world):
    app, platform = world["app"], world["platform"]
    teacher = Visitor(world["url"])
    link = deep_link(world, teacher)
    assert {k: link[k] for k in ("type", "url", "custom", "lineItem", "data")} == {
        "type": "ltiResourceLink", "url": world["url"] + "/lti/launch",
        "custom": {"exercice": EXERCISE, "mode": "dictee"},
        "lineItem": {"scoreMaximum": 20, "label": "Ordonnance", "resourceId": f"{EXERCISE}:dictee", "tag": "transcribe"},
        "data": "depot-7"}
    assert link["title"] == "Ordonnance (saisie sous dictée)"
    with app.state.services.sessions.begin() as session:
        school_class = session.scalar(select(SchoolClass))
        trainer = session.get(User, school_class.trainer_id)
        assert (school_class.name, trainer.role, trainer.display_name, trainer.email, trainer.password_hash) == (
            "BTS SP3S — dictées", "formateur", "Claire Martin", "claire.martin@centre.fr", "!lti")
        assert [(a.exercise_id, a.mode) for a in session.scalars(select(Assignment))] == [(EXERCISE, "dictee")]
        class_id = school_class.id

    paul = Visitor(world["url"])
    arrived = paul.launch(platform, PAUL, link=link)
    assert (arrived.status_code, arrived.headers["location"]) == (303, f"/exercices/{EXERCISE}/dictee")
    cookie = arrived.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert paul.get("/").status_code == 200
    text = reference(EXERCISE)
    first = paul.submit(EXERCISE, text.replace("comprimé", "comprimer").replace("mg", "mq"))
    assert first.status_code == 303 and first.headers["location"].startswith("/tentatives/")
    wait_for(lambda: len(platform.scores) == 1)
    second = paul.submit(EXERCISE, text)
    assert second.status_code == 303
    wait_for(lambda: len(platform.scores) == 2)

    with app.state.services.sessions.begin() as session:
        notes = [a.note for a in session.scalars(select(Attempt).order_by(Attempt.id))]
        account = session.scalar(select(User).where(User.role == "apprenant"))
        assert (account.display_name, account.email) == ("Paul Petit", "paul.petit@centre.fr")
    assert notes[0] < notes[1] == 20.0
    received = [s.body for s in platform.scores]
    stamps = [datetime.fromisoformat(b.pop("timestamp")) for b in received]
    assert stamps[0] < stamps[1] and stamps[0].tzinfo is not None
    assert received[1] == {"userId": PAUL.sub, "scoreGiven": 20.0, "scoreMaximum": 20, "comment": "acquis — 20/20",
                           "activityProgress": "Completed", "gradingProgress": "FullyGraded"}
    assert received[0]["scoreGiven"] == round(notes[0], 2) and received[0]["comment"].startswith("non acquis — ")
    assert {s.lineitem for s in platform.scores} == {link["lineitem"]}
    assert {s.content_type for s in platform.scores} == {"application/vnd.ims.lis.v1.score+json"}
    assert platform.token_requests[0]["scope"] == "https://purl.imsglobal.org/spec/lti-ags/scope/score"

    # the best attempt counts by default: a worse third one sends nothing; « la dernière » sends it
    third = paul.submit(EXERCISE, "Ordonnance.")
    assert third.status_code == 303
    page = teacher.get(f"/formateur/classes/{class_id}")
    assert re.search(r'<span class="state state-envoyee">envoyée</span>', page.text)
    assert 'class="num">20,00 /20' in page.text
    with app.state.services.sessions.begin() as session:
        assignment_id = session.scalar(select(Assignment.id))
        last_note = session.scalars(select(Attempt.note).order_by(Attempt.id.desc())).first()
    changed = teacher.post(f"/formateur/classes/{class_id}/devoirs/{assignment_id}/tentative",
                           {"tentative": "derniere"}, page)
    assert changed.status_code == 303
    wait_for(lambda: len(platform.scores) == 3)
    assert platform.scores[2].body["scoreGiven"] == round(last_note, 2)
    assert datetime.fromisoformat(platform.scores[2].body["timestamp"]) > stamps[1]

    # the trainer's own launch of the activity opens the class page
    again = Visitor(world["url"])
    opened = again.launch(platform, TEACHER, link=link)
    assert (opened.status_code, opened.headers["location"]) == (303, f"/formateur/classes/{class_id}")
    assert "Notes envoyées à Moodle" in again.get(opened.headers["location"]).text


def test_moodle_down_then_refusing_then_resent_nothing_lost(world, tmp_path):
    app, platform = world["app"], world["platform"]
    sender = app.state.services.lti.sender
    sender.stop()  # this test drives the sender itself
    teacher = Visitor(world["url"])
    link = deep_link(world, teacher)
    paul = Visitor(world["url"])
    paul.launch(platform, PAUL, link=link)
    platform.answer = (503, '{"error": "maintenance"}')
    assert paul.submit(EXERCISE, reference(EXERCISE)).status_code == 303
    assert sender.run_once() == 1
    with app.state.services.sessions.begin() as session:
        row = session.scalar(select(GradeLink))
        assert (row.state, row.tries, row.score_given) == ("en_attente", 1, 20.0)
        assert row.message.startswith("Moodle a répondu 503 : maintenance — nouvel essai vers ")
        row.next_try_at = row.next_try_at.replace(year=2000)  # due now

    # the server restarts: a new application on the same database sends what was waiting
    platform.answer = None
    restarted = classroom_app(app.state.services.settings.database_url, tmp_path)
    assert restarted.state.services.lti.sender.run_once() == 1
    assert [s.body["scoreGiven"] for s in platform.scores] == [20.0]
    with app.state.services.sessions.begin() as session:
        assert session.scalar(select(GradeLink.state)) == "envoyee"

    # Moodle says no: the trainer sees it, with Moodle's words, and resends once it is fixed
    platform.answer = (400, '{"reason": "Incorrect score received"}')
    with app.state.services.sessions.begin() as session:
        class_id, link_id = session.scalar(select(SchoolClass.id)), session.scalar(select(GradeLink.id))
    page = teacher.get(f"/formateur/classes/{class_id}")
    resent = teacher.post(f"/formateur/classes/{class_id}/moodle/{link_id}/renvoyer", {}, page)
    assert resent.status_code == 303
    assert sender.run_once() == 1
    page = teacher.get(f"/formateur/classes/{class_id}")
    assert '<span class="state state-refusee">refusée</span>' in page.text
    assert "Moodle a répondu 400 : Incorrect score received" in page.text
    platform.answer = None
    teacher.post(f"/formateur/classes/{class_id}/moodle/{link_id}/renvoyer", {}, page)
    assert sender.run_once() == 1
    assert len(platform.scores) == 2
    assert datetime.fromisoformat(platform.scores[1].body["timestamp"]) > \
        datetime.fromisoformat(platform.scores[0].body["timestamp"])
    assert '<span class="state state-envoyee">envoyée</span>' in teacher.get(f"/formateur/classes/{class_id}").text
    restarted.state.services.engine.dispose()


def test_erasing_a_learner_opened_from_moodle_erases_their_moodle_links(world):
    app, platform = world["app"], world["platform"]
    teacher = Visitor(world["url"])
    link = deep_link(world, teacher)
    paul = Visitor(world["url"])
    paul.launch(platform, PAUL, link=link)
    with app.state.services.sessions.begin() as session:
        user = session.scalar(select(User).where(User.role == "apprenant"))
        user_id, username = user.id, user.username
    assert username == "paul.petit"
    page = teacher.get(f"/formateur/apprenants/{user_id}")
    assert '"courriel": "paul.petit@centre.fr"' in text_of(teacher.get(f"/formateur/apprenants/{user_id}/donnees.json"))
    erased = teacher.post(f"/formateur/apprenants/{user_id}/supprimer", {"confirmation": username}, page)
    assert erased.status_code == 200
    after = counts(app)
    assert (after["lti_accounts"], after["lti_grades"], after["users"]) == (1, 0, 2)  # marie and the teacher remain


# --- refusals: a French page, and nothing created ------------------------------------------------

LAUNCH_LINK = {"id": "lien-9", "custom": {"exercice": EXERCISE, "mode": "dictee"}}


def _expired() -> dict:
    now = int(time.time())
    return {"iat": now - 7200, "exp": now - 3600}


REFUSALS = {
    "clé inconnue": ({"signer": new_key("une-autre"), "kid": "une-autre"},
                     "signé par une clé que la plateforme ne publie pas (clé inconnue)"),
    "fausse signature": ({"signer": new_key("plateforme-2026")}, "la signature du jeton est fausse"),
    "jeton expiré": ({"overrides": _expired()}, "le jeton a expiré"),
    "mauvais destinataire": ({"overrides": {"aud": "un-autre-outil"}}, "destiné à un autre outil"),
    "plusieurs destinataires sans azp": ({"overrides": {"aud": ["outil-dictee-42", "autre"]}}, "« azp »"),
    "déploiement inconnu": ({"overrides": {LTI + "deployment_id": "99"}}, "le déploiement « 99 » n'est pas enregistré"),
    "type de message": ({"overrides": {LTI + "message_type": "LtiSubmissionReviewRequest"}},
                        "type de message « LtiSubmissionReviewRequest » non pris en charge"),
    "version LTI": ({"overrides": {LTI + "version": "1.1"}}, "version LTI « 1.1 » non prise en charge"),
    "émetteur": ({"overrides": {"iss": "https://autre-moodle.fr"}}, "ne vient pas de la plateforme enregistrée"),
    "sans nonce": ({"overrides": {"nonce": None}}, "le champ « nonce » manque"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_bad_launch_is_refused_in_french_and_creates_nothing(world, case):
    spec, reason = REFUSALS[case]
    app = world["app"]
    before = counts(app)
    refused = Visitor(world["url"]).launch(world["platform"], PAUL, link=LAUNCH_LINK, **spec)
    assert refused.status_code == 403, refused.text
    assert "Lancement LTI refusé" in text_of(refused) or "Lancement refusé" in text_of(refused)
    assert reason in text_of(refused)
    assert "set-cookie" not in refused.headers
    assert counts(app) == before


def test_a_replayed_launch_is_refused_and_a_replayed_token_with_a_new_state_too(world):
    app, platform = world["app"], world["platform"]
    teacher = Visitor(world["url"])
    deep_link(world, teacher)
    first = Visitor(world["url"])
    assert first.launch(platform, PAUL, link=LAUNCH_LINK).status_code == 303
    action, form = first.last_form
    before = counts(app)
    replayed = httpx.post(action, data=form)  # the same id_token and state, posted again
    assert replayed.status_code == 403
    assert "ce lancement a déjà servi ou a expiré (state et nonce sont à usage unique)" in text_of(replayed)
    # a fresh login (new state, new nonce) with the old token: the nonce is not this login's
    fields = platform.prepare(PAUL, link=LAUNCH_LINK)
    started = httpx.post(world["url"] + "/lti/login", data=fields)
    state = dict(httpx.QueryParams(started.headers["location"].split("?", 1)[1]))["state"]
    mixed = httpx.post(action, data={"id_token": form["id_token"], "state": state})
    assert mixed.status_code == 403 and "le nonce du jeton n'est pas celui de cette connexion" in text_of(mixed)
    assert counts(app) == before


def test_login_initiation_checks_the_platform_and_keeps_state_and_nonce_in_the_database(world):
    app, platform = world["app"], world["platform"]
    unknown = httpx.post(world["url"] + "/lti/login", data={**platform.prepare(PAUL), "iss": "https://inconnu.fr"},
                         headers={"Origin": "https://inconnu.fr"})
    assert unknown.status_code == 400 and "Plateforme LTI inconnue : « https://inconnu.fr »" in text_of(unknown)
    bad_deployment = httpx.get(world["url"] + "/lti/login", params={**platform.prepare(PAUL), "lti_deployment_id": "8"})
    assert bad_deployment.status_code == 400 and "le déploiement « 8 » n'est pas enregistré" in text_of(bad_deployment)
    started = httpx.get(world["url"] + "/lti/login", params=platform.prepare(PAUL))
    assert started.status_code == 302
    query = dict(httpx.QueryParams(started.headers["location"].split("?", 1)[1]))
    assert started.headers["location"].startswith(platform.base + "/auth?")
    assert {k: query[k] for k in ("scope", "response_type", "response_mode", "prompt", "client_id", "redirect_uri")} == {
        "scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
        "client_id": platform.client_id, "redirect_uri": world["url"] + "/lti/launch"}
    with app.state.services.sessions.begin() as session:
        row = session.get(LaunchState, query["state"])
        assert row.nonce == query["nonce"] and len(row.nonce) >= 40


def test_learner_before_any_teacher_and_a_second_teacher_are_told_why(world):
    app, platform = world["app"], world["platform"]
    early = Visitor(world["url"]).launch(platform, PAUL, link=LAUNCH_LINK)
    assert early.status_code == 403 and "l'enseignant du cours doit l'ouvrir une première fois" in text_of(early)
    deep_link(world, Visitor(world["url"]))
    before = counts(app)
    other = Person("moodle-user-3", "Jean Dupuis", "jean.dupuis@centre.fr", INSTRUCTOR)
    second = Visitor(world["url"]).launch(platform, other, link=LAUNCH_LINK)
    assert second.status_code == 403 and "suivi ici par le formateur « Claire Martin »" in text_of(second)
    unknown = Visitor(world["url"]).launch(platform, PAUL, link={"id": "x", "custom": {"exercice": "n-existe-pas"}})
    assert unknown.status_code == 403 and "L'exercice « n-existe-pas » (dictee) de cette activité n'existe pas" in \
        text_of(unknown)
    assert counts(app) == before


def test_a_platform_key_rotation_is_followed(world, monkeypatch):
    monkeypatch.setattr(lti_launch, "KEYSET_REFRESH_COOLDOWN_SECONDS", 0)
    app, platform = world["app"], world["platform"]
    app.state.services.lti.keysets._clients.clear()
    deep_link(world, Visitor(world["url"]))  # the keyset is fetched and cached
    rotated = new_key("plateforme-2027")
    platform.published.append(rotated)  # Moodle publishes its new key, then signs with it
    arrived = Visitor(world["url"]).launch(platform, PAUL, link=LAUNCH_LINK, signer=rotated)
    assert arrived.status_code == 303, arrived.text


def test_several_audiences_with_our_client_as_azp_are_accepted(world):
    deep_link(world, Visitor(world["url"]))
    platform = world["platform"]
    arrived = Visitor(world["url"]).launch(platform, PAUL, link=LAUNCH_LINK, overrides={
        "aud": [platform.client_id, "autre"], "azp": platform.client_id})
    assert arrived.status_code == 303, arrived.text


# --- the tool's keys and the administrator's page --------------------------------------------------

def test_the_tool_keyset_its_private_files_and_their_rotation(world):
    app = world["app"]
    folder = app.state.services.settings.work_dir / "lti"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "cle-actuelle.pem").stat().st_mode) == 0o600
    published = httpx.get(world["url"] + "/lti/jwks.json")
    assert published.headers["cache-control"] == "public, max-age=300"
    keys = published.json()["keys"]
    assert len(keys) == 1 and set(keys[0]) == {"kty", "n", "e", "kid", "alg", "use"}
    first = jwk.JWK(**keys[0])
    assert keys[0]["kid"] == first.thumbprint() and (keys[0]["alg"], keys[0]["use"]) == ("RS256", "sig")
    marie = Visitor(world["url"])
    page = marie.get("/connexion")
    assert marie.post("/connexion", {"identifiant": "marie", "mot_de_passe": PASSWORD}, page).status_code == 303
    page = marie.get("/lti/configuration")
    assert marie.post("/lti/configuration/cle", {}, page).status_code == 303
    kids = [k["kid"] for k in httpx.get(world["url"] + "/lti/jwks.json").json()["keys"]]
    assert len(kids) == 2 and kids[1] == first.thumbprint() and kids[0] != kids[1]
    page = marie.get("/lti/configuration?cle=nouvelle")
    assert f'<code id="kid">{kids[0]}</code>' in page.text and f'<code id="kid-precedente">{kids[1]}</code>' in page.text
    marie.post("/lti/configuration/cle", {}, page)
    again = [k["kid"] for k in httpx.get(world["url"] + "/lti/jwks.json").json()["keys"]]
    assert again[1] == kids[0] and first.thumbprint() not in again


def test_the_configuration_page_says_what_moodle_asks_and_takes_its_values(world):
    app, url = world["app"], world["url"]
    marie = Visitor(url)
    page = marie.get("/connexion")
    marie.post("/connexion", {"identifiant": "marie", "mot_de_passe": PASSWORD}, page)
    page = marie.get("/lti/configuration")
    assert page.status_code == 200
    for label, value in (("URL de l'outil", url + "/lti/launch"), ("URL de connexion initiale", url + "/lti/login"),
                         ("URI(s) de redirection", url + "/lti/launch"),
                         ("URL de jeu de clés publiques", url + "/lti/jwks.json"),
                         ("URL de Deep Linking (URL de sélection de contenu)", url + "/lti/deep-linking")):
        assert re.search(rf"<th scope=\"row\">{re.escape(label)}</th><td><code id=\"[^\"]+\">{re.escape(value)}</code>",
                         text_of(page)), label
    assert "<strong>Nouvelle fenêtre</strong>" in page.text and "Type de clé publique</th><td>URL du jeu de clés" in \
        page.text
    fields = {"nom": "Moodle 2", "issuer": "https://moodle2.centre.fr", "client_id": "abc",
              "deploiements": "5\n6", "keyset_url": "https://moodle2.centre.fr/mod/lti/certs.php",
              "token_url": "http://moodle2.centre.fr/mod/lti/token.php", "auth_url": "pas une adresse"}
    refused = marie.post("/lti/configuration/plateformes", fields, page)
    assert refused.status_code == 400
    assert "« URL d'obtention du jeton d'accès » : l'adresse doit commencer par https://" in text_of(refused)
    assert "« URL de requête d'authentification » : une adresse complète est attendue" in text_of(refused)
    fields.update(token_url="https://moodle2.centre.fr/mod/lti/token.php", auth_url="https://moodle2.centre.fr/mod/lti/auth.php")
    assert marie.post("/lti/configuration/plateformes", fields, refused).status_code == 303
    with app.state.services.sessions.begin() as session:
        saved = platforms.find(session, "https://moodle2.centre.fr", "abc")
        assert (saved.deployment_ids, saved.token_url) == (["5", "6"], "https://moodle2.centre.fr/mod/lti/token.php")
    # a trainer Moodle opened cannot reach it; a learner gets 404 too
    teacher = Visitor(url)
    deep_link(world, teacher)
    assert teacher.get("/lti/configuration").status_code == 404
    assert 'href="/lti/configuration"' not in teacher.get("/formateur").text


def test_only_the_lti_login_and_launch_take_cross_site_posts_without_csrf(world):
    url = world["url"]
    foreign = {"Origin": "https://moodle.ailleurs.fr"}
    launch = httpx.post(url + "/lti/launch", data={"id_token": "x.y.z", "state": "s"}, headers=foreign)
    assert launch.status_code == 403 and "Lancement LTI refusé : ce lancement a déjà servi" in text_of(launch)
    # a public form without its token is refused for its token; any other page, before that, for
    # want of a session (the gate decides who asks before it reads a body)
    for path, why in (("/connexion", "jeton de sécurité (CSRF)"), ("/lti/configuration/cle", "Session expirée"),
                      ("/lti/deep-linking", "Session expirée"), ("/formateur/classes", "Session expirée")):
        refused = httpx.post(url + path, data={"identifiant": "marie"}, headers=foreign)
        assert refused.status_code == 403 and "elle ne vient pas de cette application" in text_of(refused), path
        no_token = httpx.post(url + path, data={"identifiant": "marie"})
        assert no_token.status_code == 403 and why in text_of(no_token), path


# --- what is sent: the parts on their own ----------------------------------------------------------

def test_scores_url_timestamps_and_comment():
    assert scores.scores_url("https://m.fr/mod/lti/services.php/2/lineitems/5/lineitem?type_id=1") == \
        "https://m.fr/mod/lti/services.php/2/lineitems/5/lineitem/scores?type_id=1"
    noon = datetime.fromisoformat("2026-03-01T12:00:00.700+00:00")
    assert scores.next_timestamp(None, noon).isoformat() == "2026-03-01T12:00:00+00:00"
    assert scores.next_timestamp(noon.replace(microsecond=0), noon).isoformat() == "2026-03-01T12:00:01+00:00"
    assert scores.next_timestamp(datetime.fromisoformat("2026-03-01T12:00:05+00:00"), noon).isoformat() == \
        "2026-03-01T12:00:06+00:00"
    failed = Attempt(note=11.5, acquis=False, score={"criteria": {"FID": {"acquis": False}, "TER": {"acquis": True},
                                                                  "DEL": {"acquis": False}, "MEF": {"acquis": None}}})
    assert scores.comment(failed) == ("non acquis — 11,5/20 ; critères non atteints : FID (fidélité à "
                                      "l'enregistrement), DEL (procédures et délais)")
    assert scores.comment(Attempt(note=18.0, acquis=True, score={})) == "acquis — 18/20"


def test_roles_instructors_and_their_sub_roles_teach_learners_learn():
    def launch(*roles):
        return lti_launch.Launch(1, "i", "c", "d", lti_launch.RESOURCE_LINK, "s", list(roles))

    v2 = "http://purl.imsglobal.org/vocab/lis/v2/"
    assert launch(INSTRUCTOR).is_instructor and not launch(INSTRUCTOR).is_learner
    assert launch(v2 + "membership/Instructor#TeachingAssistant").is_instructor
    assert launch(v2 + "institution/person#Administrator", LEARNER).is_instructor
    assert launch(LEARNER).is_learner and not launch(LEARNER).is_instructor
    assert launch(v2 + "membership/Learner#NonCreditLearner").is_learner
    nobody = launch(v2 + "membership#Mentor", "Instructor")
    assert not nobody.is_instructor and not nobody.is_learner


def test_which_attempt_counts(database_url, tmp_path):
    app = classroom_app(database_url, tmp_path)
    add_user(app, "marie")
    marie = Browser(app)
    marie.login("marie")
    class_id, code = create_class(marie)
    assign(marie, class_id)
    register(app, code, "paul")
    text = reference(EXERCISE)
    notes = [submit_attempt(app, "paul", EXERCISE, t).note for t in
             (text.replace("mg", "mq"), text, text.replace("comprimé", "comprimer"))]
    with app.state.services.sessions.begin() as session:
        learner_id = session.scalar(select(User.learner_id).where(User.username == "paul"))
        chosen = {p: scores.counted_attempt(session, learner_id, EXERCISE, "dictee", p).note
                  for p in ("meilleure", "derniere", "premiere")}
    assert chosen == {"meilleure": max(notes), "derniere": notes[2], "premiere": notes[0]}
    app.state.services.engine.dispose()

