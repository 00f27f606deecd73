"""Classroom mode's security: CSRF, login throttling, cookies, sessions, CSP, registration, users.

Who may see what on every route (and XSS on every page) is test_routes.py's, over the route
table; the review's attacks are test_attacks.py's.

Each test runs on SQLite and on PostgreSQL (``database_url`` fixture); ``world`` (two trainers,
their classes and learners) comes from ``security_kit``.
"""

import re

from classroom_kit import PASSWORD, Browser, add_user, classroom_app
from click.testing import CliRunner
from markupsafe import escape
from security_kit import world  # noqa: F401  (fixture)

from transcribe.cli import main
from transcribe.web.classroom.accounts import BAD_LOGIN


def trainer_get_paths(w, owner="a"):
    c = w["class_a"] if owner == "a" else w["class_b"]
    learner = w["ids"]["paul" if owner == "a" else "lea"]
    attempt = w["attempt_paul" if owner == "a" else "attempt_lea"]
    return [f"/formateur/classes/{c}", f"/formateur/classes/{c}/rapport", f"/formateur/classes/{c}/export/carnet.csv",
            f"/formateur/classes/{c}/export/carnet.json", f"/formateur/classes/{c}/export/moodle.csv",
            f"/formateur/classes/{c}/export/copies.zip", f"/formateur/tentatives/{attempt}",
            f"/formateur/apprenants/{learner}", f"/formateur/apprenants/{learner}/donnees.json"]


def test_a_learner_only_reaches_exercises_assigned_to_their_class(world):
    paul = world["paul"]
    listing = paul.get("/")
    assert listing.status_code == 200
    assert re.findall(r'<tr id="ex-([^"]+)"', listing.text) == ["14-ordonnance"]
    assert paul.get("/exercices/14-ordonnance/audio").status_code == 200
    assert paul.get("/exercices/01-cardiologie-consultation/audio").status_code == 404


def test_post_without_a_valid_csrf_token_is_refused(world):
    marie = world["marie"]
    path = "/formateur/classes"
    refused = [marie.post(path, {"nom": "Sans jeton"}, csrf=False),
               marie.post(path, {"nom": "Faux jeton", "csrf": "x" * 43}, csrf=False),
               marie.client.post(path, data={"nom": "Jeton d'un autre", "csrf": world["jules"].csrf})]
    for response in refused:
        assert response.status_code == 403
        assert "jeton de sécurité (CSRF)" in response.text
    assert marie.client.post(path, data={"nom": "En-tête"}, headers={"X-CSRF-Token": marie.csrf}).status_code == 303
    login = Browser(world["app"])
    assert login.client.post("/connexion", data={"identifiant": "marie", "mot_de_passe": PASSWORD}).status_code == 403
    page = marie.get("/formateur")
    assert "Sans jeton" not in page.text and "Faux jeton" not in page.text and "En-tête" in page.text


def test_ten_wrong_passwords_throttle_the_account(world):
    app = world["app"]
    unknown, wrong = Browser(app).login("personne"), Browser(app).login("marie", "mauvais-mot")
    assert unknown.status_code == wrong.status_code == 401
    shown = [re.search(r"<p class=\"notice bad\" role=\"alert\" id=\"login-error\">(.*?)</p>", r.text)[1]
             for r in (unknown, wrong)]
    assert shown == [str(escape(BAD_LOGIN))] * 2
    for _ in range(9):  # 10 wrong passwords for « marie » in all
        assert Browser(app).login("marie", "mauvais-mot").status_code == 401
    blocked = Browser(app).login("marie", PASSWORD)  # even the right password, now
    assert blocked.status_code == 429
    assert "Trop de tentatives de connexion" in blocked.text
    assert Browser(app).login("jules").status_code == 303  # another account is not blocked


def test_session_cookie_flags_and_logout_really_ends_the_session(world):
    app = world["app"]
    browser = Browser(app)
    response = browser.login("marie")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("transcribe_session=")
    flags = [part.strip() for part in cookie.split(";")[1:]]
    assert flags == ["Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=43200"]
    stolen = browser.client.cookies.get("transcribe_session")
    assert browser.post("/deconnexion").status_code == 303
    assert browser.get("/formateur").status_code == 303
    replay = Browser(app)
    replay.client.cookies.set("transcribe_session", stolen)
    assert replay.get("/formateur").status_code == 303  # the server forgot the session
    forged = Browser(app)
    forged.client.cookies.set("transcribe_session", stolen[:-3] + "abc")
    assert forged.get("/formateur").status_code == 303


def test_cookies_are_secure_behind_a_tls_proxy(tmp_path):
    app = classroom_app(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path, secure_cookies=True)
    add_user(app, "marie")
    browser = Browser(app)
    anon = browser.get("/connexion").headers["set-cookie"]
    assert anon.endswith("; HttpOnly; SameSite=Strict; Secure")
    browser.csrf = re.search(r'name="csrf-token" content="([^"]+)"', browser.get("/connexion").text).group(1)


def test_csp_has_no_inline_script_and_pages_have_none(world):
    marie = world["marie"]
    for path in ["/connexion", "/formateur", "/lti/configuration", *trainer_get_paths(world, "a")[:2],
                 trainer_get_paths(world, "a")[6]]:
        page = marie.get(path)
        csp = page.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text) is None, path
        assert re.search(r"\son[a-z]+=", page.text) is None, path
        assert re.search(r"\sstyle=", page.text) is None, path


def test_registration_errors_are_french_and_create_nothing(world):
    app = world["app"]
    browser = Browser(app)
    browser.refresh_csrf("/inscription")
    cases = [({"code": "ZZZZ-ZZZZ", "identifiant": "max"}, "Code de classe inconnu"),
             ({"identifiant": "max", "confirmation": "autre-chose"}, "ne sont pas identiques"),
             ({"identifiant": "paul"}, "« paul » est déjà pris"),
             ({"identifiant": "Local"}, "« local » est déjà pris"),  # the solo learner's attempts stay theirs
             ({"identifiant": "a b"}, "Nom d&#39;utilisateur refusé"),
             ({"identifiant": "max", "mot_de_passe": "court", "confirmation": "court"}, "trop court")]
    code = re.search(r'<code id="join-code">([^<]+)', world["marie"].get(f"/formateur/classes/{world['class_a']}").text)[1]
    for change, message in cases:
        data = {"code": code.lower().replace("-", ""), "nom": "", "mot_de_passe": PASSWORD, "confirmation": PASSWORD,
                **change}
        page = browser.post("/inscription", data)
        assert page.status_code == 400
        assert message in page.text
    assert Browser(app).login("max").status_code == 401


def test_users_add_prompts_for_the_password(tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSCRIBE_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    result = runner.invoke(main, ["users", "add", "--formateur", "Marie"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Compte formateur « marie » créé." in result.output
    assert PASSWORD not in result.output
    again = runner.invoke(main, ["users", "add", "--formateur", "marie"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert again.exit_code == 2
    assert "Erreur : le compte « marie » existe déjà." in again.output
    short = runner.invoke(main, ["users", "add", "--formateur", "jules"], input="court\ncourt\n")
    assert short.exit_code == 2
    assert "Mot de passe trop court : 8 caractères au moins." in short.output
    listed = runner.invoke(main, ["users", "list"])
    assert listed.output == "marie\tformateur\tMarie\n"
    from transcribe.web.app import create_app
    from transcribe.web.config import Settings

    app = create_app(Settings.default(classroom=True))
    assert Browser(app).login("MARIE").status_code == 303
    app.state.services.engine.dispose()


def test_the_login_page_says_how_to_create_the_first_trainer(tmp_path):
    app = classroom_app(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path)
    page = Browser(app).get("/connexion")
    assert page.status_code == 200
    assert "<code>transcribe users add --formateur NOM</code>" in page.text
    add_user(app, "marie")
    assert "transcribe users add" not in Browser(app).get("/connexion").text


def test_passwords_are_hashed_with_argon2id(monkeypatch):
    from argon2 import PasswordHasher

    from transcribe.web.classroom import accounts

    monkeypatch.setattr(accounts, "HASHER", PasswordHasher())  # the server's parameters
    digest = accounts.hash_password(PASSWORD)
    assert digest.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PASSWORD not in digest


def test_a_learner_cannot_write_into_another_learners_copy(world):
    paul, lea = world["paul"], world["lea"]
    page = lea.get("/exercices/14-ordonnance/dictee")
    token = re.search(r'data-token="([^"]+)"', page.text)[1]
    base = "/exercices/14-ordonnance/dictee"
    headers = {"X-CSRF-Token": paul.csrf}
    saved = paul.client.post(f"{base}/sauvegarde", json={"jeton": token, "texte": "écrit par Paul"}, headers=headers)
    assert saved.status_code == 409
    submitted = paul.post(f"{base}/rendre", {"jeton": token, "texte": "rendu par Paul"})
    assert submitted.status_code == 409
    assert "écrit par Paul" not in lea.get(base).text
