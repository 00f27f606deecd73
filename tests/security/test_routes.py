"""Every route of the classroom server, from the application's own route table, probed.

A new route is covered as soon as it exists: its path parameters must have a value in
``VALUES`` (the test says so otherwise), and each probe runs over it —

- anonymous access: pages redirect to the login, posts are refused (403), nothing changes;
- IDOR: each role (a learner, a trainer, a second trainer) asking with the ids of another
  one's objects gets 404, sees nothing of them, changes nothing; a learner gets 404 on every
  trainer page, a trainer on every learner page;
- CSRF: every POST without a token, with a wrong one, or with another session's is refused
  (403) and changes nothing;
- traversal and odd ids in every path parameter: 404, never a file's content, never a 500;
- XSS: payloads in every field a learner or a trainer fills (and in query strings and ids)
  are inert on every page type, checked by an HTML parser.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from classroom_kit import PASSWORD, Browser, assign, make_creation, publish, register, submit_attempt
from security_kit import SHORT_FLAC, sqlite_world, world  # noqa: F401  (fixtures)
from sqlalchemy import select, text
from starlette.routing import Mount, Route

from transcribe.web import migrate
from transcribe.web.classroom.gate import CSRF_EXEMPT, LTI_PUBLIC, is_public, is_trainer_path
from transcribe.web.classroom.models import Assignment

ONLY_B = "13-certificat-medical"  # assigned to Jules's class only


def routes(app) -> list[tuple[str, str]]:
    """(method, path template) of every route of the app (HEAD aside), static files excluded."""
    out = []
    for route in app.routes:
        if isinstance(route, Route):
            out += [(method, route.path) for method in sorted(route.methods or ()) if method != "HEAD"]
        elif not isinstance(route, Mount):
            raise AssertionError(f"a route of an unknown kind: {route!r}")
    return out


def with_sides(w: dict) -> dict:
    """Side a: Marie, her class, Paul and his attempt; side b: Jules's, with an exercise
    assigned to his class only. Each side's values for every route parameter."""
    assign(w["jules"], w["class_b"], ONLY_B)
    make_creation(w["app"], w["marie"], "creation-marie")  # made in the browser: each trainer's own
    make_creation(w["app"], w["jules"], "creation-jules")
    with w["app"].state.services.sessions.begin() as session:
        devoirs = {c: session.scalar(select(Assignment.id).where(Assignment.class_id == c).order_by(Assignment.id))
                   for c in (w["class_a"], w["class_b"])}
    w["values"] = {
        "a": {"classe": w["class_a"], "devoir": devoirs[w["class_a"]], "tentative": w["attempt_paul"],
              "apprenant": w["ids"]["paul"], "fichier": "carnet.csv", "exercise": "14-ordonnance", "mode": "dictee",
              "attempt": w["attempt_paul"], "note": w["grades"]["paul"], "plateforme": w["platform"], "format": "docx",
              "creation": "creation-marie"},
        "b": {"classe": w["class_b"], "devoir": devoirs[w["class_b"]], "tentative": w["attempt_lea"],
              "apprenant": w["ids"]["lea"], "fichier": "carnet.csv", "exercise": ONLY_B, "mode": "dictee",
              "attempt": w["attempt_lea"], "note": w["grades"]["lea"], "plateforme": w["platform"], "format": "docx",
              "creation": "creation-jules"},
    }
    return w


# Objects of the server, not of a trainer: the Moodle platforms, which every local trainer
# administers (the LTI configuration page). No IDOR probe for them: there is no other owner.
SERVER_WIDE = ("{plateforme}",)
MOODLE_REQUESTS = (*LTI_PUBLIC, "/lti/deep-linking")  # pages opened by Moodle only, with its parameters


@pytest.fixture
def sides(world):
    """The two sides, on SQLite and on PostgreSQL (who may see what is decided by queries)."""
    return with_sides(world)


@pytest.fixture
def sqlite_sides(sqlite_world):
    """The two sides on SQLite only (probes that do not depend on the database)."""
    return with_sides(sqlite_world)


def fill(template: str, values: dict) -> str:
    def value(match):
        name = match[1]
        assert name in values, f"route parameter « {name} » of {template}: give it a value in the sides fixture"
        return quote(str(values[name]), safe="")

    return re.sub(r"{(\w+)(?::\w+)?}", value, template)


def snapshot(app) -> dict:
    """Every row of every table (the whole database), to compare before and after."""
    engine = app.state.services.engine
    with engine.connect() as connection:
        return {table.name: sorted(map(tuple, connection.execute(text(f'SELECT * FROM "{table.name}"'))), key=repr)
                for table in migrate.all_metadata().sorted_tables}


def post(browser: Browser, path: str, csrf: str | None):
    """A POST as the page would send it: JSON for the scripts' endpoints, a form otherwise."""
    headers = {"X-CSRF-Token": csrf} if csrf is not None else {}
    if path.rsplit("/", 1)[-1] in ("sauvegarde", "debut"):
        return browser.client.post(path, json={"jeton": "x", "texte": "x"}, headers=headers)
    return browser.client.post(path, data={"texte": "x", "jeton": "x", "nom": "x", "confirmation": "x"},
                               headers=headers)


# --- anonymous -------------------------------------------------------------------------------

def test_anonymous_visitors_reach_only_the_public_pages(sides):
    app = sides["app"]
    anonymous = Browser(app)
    before = snapshot(app)
    for method, template in routes(app):
        path = fill(template, sides["values"]["a"])
        if is_public(path):
            continue
        if method == "GET":
            response = anonymous.get(path)
            assert response.status_code == 303, path
            assert response.headers["location"] == "/connexion?suite=" + quote(path, safe="/"), path
        else:
            anonymous.refresh_csrf("/connexion")  # even with the login form's token
            response = post(anonymous, path, anonymous.csrf)
            assert response.status_code == 403 and "Session expirée" in response.text, path
    assert snapshot(app) == before
    for path in ("/connexion", "/inscription", "/theme.css", "/static/editor.js"):
        assert anonymous.get(path).status_code == 200, path


# --- IDOR: every role, with another one's ids -------------------------------------------------

def test_each_role_gets_404_for_another_ones_objects_on_every_route(sides):
    """Every route that takes an id, asked by a trainer with the other trainer's ids (both
    ways) and by a learner with the other learner's (another class's exercise, attempt)."""
    app = sides["app"]
    asked = {"marie": "b", "jules": "a", "paul": "b"}  # who asks → whose objects
    leaks = {"marie": ["Classe de Jules", "lea"], "jules": ["Classe de Marie", "paul"], "paul": ["lea"]}
    probed = 0
    for name in ("marie", "jules", "paul"):
        browser, trainer = sides[name], name != "paul"
        before = snapshot(app)
        for method, template in routes(app):
            path = fill(template, sides["values"][asked[name]])
            if "{" not in template or is_public(path) or is_trainer_path(path) != trainer:
                continue  # no id; another kind of page (next test)
            if any(part in template for part in SERVER_WIDE):
                continue
            response = browser.get(path) if method == "GET" else post(browser, path, browser.csrf)
            assert response.status_code == 404, (name, method, path, response.status_code)
            shown = response.text.replace("Délai", "")
            assert not any(word in shown for word in leaks[name]), (name, path)
            probed += 1
        assert snapshot(app) == before, name
    assert probed >= 2 * 11 + 9


def test_a_learner_gets_404_on_every_trainer_route_and_a_trainer_on_every_learner_route(sides):
    app = sides["app"]
    for who, trainer_side in (("paul", False), ("marie", True)):
        browser = sides[who]
        before = snapshot(app)
        for method, template in routes(app):
            path = fill(template, sides["values"]["a"])
            if is_public(path) or path == "/deconnexion" or is_trainer_path(path) == trainer_side:
                continue
            if trainer_side and path == "/" and method == "GET":
                continue  # the trainer's home is their dashboard (checked above)
            response = browser.get(path) if method == "GET" else post(browser, path, browser.csrf)
            assert response.status_code == 404, (who, method, path, response.status_code)
            assert "Page introuvable" in response.text or "n'existe pas" in response.json()["erreur"], path
        assert snapshot(app) == before, who


# --- CSRF on every POST -------------------------------------------------------------------------

def test_every_post_without_its_csrf_token_is_refused_and_changes_nothing(sides):
    app = sides["app"]
    other_session = sides["jules"].csrf
    for method, template in routes(app):
        if method != "POST":
            continue
        path = fill(template, sides["values"]["a"])
        if path in CSRF_EXEMPT:
            continue  # Moodle's cross-site posts, signed instead (test_lti checks they are the only ones)
        browser = Browser(app) if is_public(path) else sides["marie" if is_trainer_path(path) else "paul"]
        if is_public(path):
            browser.refresh_csrf(path)
        for token in (None, "", "x" * 43, other_session):
            before = snapshot(app)
            if token is None:  # nor header nor field
                response = browser.client.post(path, data={"nom": "x", "identifiant": "marie",
                                                           "mot_de_passe": PASSWORD})
            else:
                response = browser.client.post(path, data={"csrf": token, "nom": "x", "identifiant": "marie",
                                                           "mot_de_passe": PASSWORD})
            assert response.status_code == 403, (path, token, response.status_code)
            assert "jeton de sécurité (CSRF)" in response.text, path
            assert snapshot(app) == before, (path, token)


# --- traversal and odd values in every path parameter -----------------------------------------------

ODD = ["..", "%2e%2e%2f%2e%2e%2fdb.sqlite3", "../../../../etc/passwd", "..\\..\\db.sqlite3", "/etc/passwd",
       "\x00", "%00", "1;DROP TABLE users", "9" * 40, "-1", "0x10", "1e3", " 1", "１", "<script>", "14-ordonnance.txt"]
SECRETS = (b"SQLite format 3", b"root:x:0:0", b"[patient]")


def encoded(value: str) -> str:
    """Percent-encoded, dots included (a client would resolve a bare « .. » itself)."""
    return quote(value, safe="").replace(".", "%2E")


def test_traversal_and_odd_ids_in_every_parameter_are_404(sqlite_sides):
    sides = sqlite_sides
    app = sides["app"]
    for method, template in routes(app):
        names = re.findall(r"{(\w+)", template)
        for name in names:
            for odd in ODD:
                path = re.sub(r"{(\w+)(?::\w+)?}", lambda m: encoded(odd) if m[1] == name
                              else quote(str(sides["values"]["a"][m[1]]), safe=""), template)
                browser = sides["marie" if is_trainer_path(path) else "paul"]
                response = browser.get(path) if method == "GET" else post(browser, path, browser.csrf)
                assert response.status_code == 404, (method, template, name, odd, response.status_code)
                assert not any(secret in response.content for secret in SECRETS), (template, odd)
    for odd in ("%2e%2e/web/db.py", "%2e%2e%2f%2e%2e%2fpyproject.toml", "%2E%2E%2f%2E%2E%2fdb.sqlite3", "/etc/passwd"):
        response = sides["paul"].get("/static/" + odd)
        assert response.status_code == 404 and not any(s in response.content for s in SECRETS), odd


def test_traversal_in_uploaded_file_names_is_refused(sqlite_sides):
    sides = sqlite_sides
    marie = sides["marie"]
    files = {"reference": ("../../../../tmp/evil.txt", b"Texte.\n", "text/plain"),
             "metadonnees": ("../evil.toml", b'title = "x"\n', "application/toml"),
             "audio": ("../../evil.flac", SHORT_FLAC.read_bytes(), "audio/flac")}
    for exercise_id in ("", "../../evil", "..", "a/b", "A" * 90):
        page = marie.post("/formateur/exercices", {"identifiant": exercise_id}, files=files)
        assert page.status_code == 400 and "refusé" in page.text, exercise_id
    data = sides["app"].state.services.settings.work_dir
    assert sorted(p.name for p in data.rglob("*evil*")) == []


# --- XSS: payloads in every field, inert on every page type ---------------------------------------

XSS = "<script>alert(1)</script>\"><img src=x onerror=alert(2)><i data-xss=1>'></textarea><svg onload=alert(3)>"


class Elements(HTMLParser):
    """Start tags and their attributes, as a browser's parser sees them."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.elements, self.text = [], []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    @property
    def shown(self) -> str:
        """The text and the attribute values (what the page shows, fields included)."""
        return "".join(self.text) + "".join(v or "" for _, attrs in self.elements for v in attrs.values())


def injected(page: str) -> list:
    """What of a payload the page's HTML would run or show as markup (empty: inert)."""
    found = []
    for tag, attrs in Elements(page).elements:
        if tag == "script" and not attrs.get("src", "").startswith("/"):
            found.append((tag, attrs))
        if "data-xss" in attrs or (tag == "img" and attrs.get("src") == "x"):
            found.append((tag, attrs))
        for name, value in attrs.items():
            if name.startswith("on") or (name in ("href", "src", "action", "formaction")
                                         and (value or "").strip().lower().startswith("javascript:")):
                found.append((tag, name, value))
    return found


@pytest.fixture
def hostile(sqlite_sides):
    """Marie's world filled with the payload: class name, display names, an imported list, an
    exercise's metadata and reference, a copy autosaved and submitted."""
    app, marie = sqlite_sides["app"], sqlite_sides["marie"]
    toml = "\n".join([f"title = '''{XSS}'''", f"specialty = '''{XSS}'''", f"sections = ['''{XSS}''']",
                      f"terms = ['''{XSS}''']", f"critical_values = ['''{XSS}''']", "[patient]", f"nom = '''{XSS}'''"])
    files = {"reference": ("16-xss.txt", f"Compte rendu {XSS}\nConclusion.\n".encode(), "text/plain"),
             "metadonnees": ("16-xss.toml", toml.encode(), "application/toml"),
             "audio": ("16-xss.flac", SHORT_FLAC.read_bytes(), "audio/flac")}
    assert marie.post("/formateur/exercices", {"identifiant": "16-xss"}, files=files).status_code == 303
    response = marie.post("/formateur/classes", {"nom": XSS})
    class_id = int(response.headers["location"].rsplit("/", 1)[1])
    code = re.search(r'<code id="join-code">([^<]+)</code>', marie.get(f"/formateur/classes/{class_id}").text)[1]
    assign(marie, class_id, "16-xss")
    assign(marie, class_id, "14-ordonnance")
    zoe = register(app, code, "zoe", display=XSS)
    imported = marie.post(f"/formateur/classes/{class_id}/import", files={
        "fichier": ("liste.csv", f"identifiant;nom\nmax;{XSS}\n{XSS};x\n".encode(), "text/csv")})
    assert imported.status_code == 200
    page = zoe.get("/exercices/16-xss/dictee")
    token = re.search(r'data-token="([^"]+)"', page.text)[1]
    zoe.client.post("/exercices/16-xss/dictee/sauvegarde", json={"jeton": token, "texte": XSS},
                    headers={"X-CSRF-Token": zoe.csrf})
    assert zoe.post("/exercices/16-xss/dictee/rendre", {"jeton": token, "texte": XSS}).status_code == 303
    submit_attempt(app, "zoe", "14-ordonnance", f"Ordonnance {XSS}")
    page = zoe.get("/exercices/16-xss/dictee")
    token = re.search(r'data-token="([^"]+)"', page.text)[1]
    zoe.client.post("/exercices/16-xss/dictee/sauvegarde", json={"jeton": token, "texte": XSS},
                    headers={"X-CSRF-Token": zoe.csrf})  # a copy in progress too
    with app.state.services.sessions.begin() as session:
        from transcribe.web.classroom.accounts import find_user

        zoe_id = find_user(session, "zoe").id
    attempts = re.findall(r'href="/tentatives/(\d+)"', zoe.get("/progression").text)
    # an exercise made in the browser, every field of its form filled with the payload, published
    make_creation(app, marie, "xss-creation", reference=f"Compte rendu {XSS}.", entete=XSS, signature=XSS, titre=XSS,
                  specialite=XSS, consigne=XSS, fiche=f"Médecin : {XSS}", termes=XSS, valeurs=XSS, rubriques=XSS,
                  temps="10")
    assert publish(marie, "xss-creation").status_code == 303
    assign(marie, class_id, "xss-creation")
    values = {"classe": class_id, "devoir": 0, "tentative": attempts[0], "apprenant": zoe_id, "fichier": "carnet.csv",
              "exercise": "16-xss", "mode": "dictee", "attempt": attempts[0], "note": 0,
              "plateforme": sqlite_sides["platform"], "format": "docx", "creation": "xss-creation"}
    return {"zoe": zoe, "values": values, "imported": imported, "class_id": class_id}


def test_payloads_in_every_field_are_inert_on_every_page_type(sqlite_sides, hostile):
    app, marie, zoe = sqlite_sides["app"], sqlite_sides["marie"], hostile["zoe"]
    pages = {"import": hostile["imported"]}
    for method, template in routes(app):
        if method != "GET":
            continue
        # the uploaded exercise has no template to download: a bundled one's (assigned too)
        path = fill(template, hostile["values"] | ({"exercise": "14-ordonnance"} if "{format}" in template else {}))
        browser = Browser(app) if is_public(path) else marie if is_trainer_path(path) else zoe
        response = browser.get(path)
        if response.headers.get("content-type", "").startswith("text/html"):
            # the LTI login and Deep Linking want Moodle's (signed) request: without it, a French refusal
            assert response.status_code == (400 if path in MOODLE_REQUESTS else 200), (path, response.status_code)
            pages[path] = response
    odd = quote(XSS, safe="")
    pages["404 exercice"] = zoe.get(f"/exercices/{odd}/dictee")
    pages["404 tentative"] = zoe.get(f"/tentatives/{odd}")
    pages["404 mode"] = zoe.get(f"/exercices/16-xss/{odd}")
    pages["filtres"] = zoe.get("/?specialite=" + odd + "&difficulte=" + odd)
    pages["ajouté"] = marie.get("/formateur/exercices?ajoute=" + odd)
    anonymous = Browser(app)
    pages["suite"] = anonymous.get("/connexion?suite=" + odd)
    pages["code"] = anonymous.get("/inscription?code=" + odd)
    pages["lti login"] = anonymous.get(f"/lti/login?iss={odd}&login_hint={odd}&target_link_uri={odd}&client_id={odd}")
    anonymous.refresh_csrf("/connexion")
    pages["connexion ratée"] = anonymous.post("/connexion", {"identifiant": XSS, "mot_de_passe": "x", "suite": XSS})
    anonymous.refresh_csrf("/inscription")
    pages["inscription ratée"] = anonymous.post("/inscription", {"code": XSS, "identifiant": XSS, "nom": XSS,
                                                                "mot_de_passe": "x", "confirmation": "y"})
    pages["suppression refusée"] = marie.post(f"/formateur/apprenants/{hostile['values']['apprenant']}/supprimer",
                                              {"confirmation": XSS})
    pages["devoir refusé"] = marie.post(f"/formateur/classes/{hostile['class_id']}/devoirs",
                                        {"exercice": XSS, "mode": XSS})
    assert len(pages) >= 25
    for name, response in pages.items():
        assert "text/html" in response.headers["content-type"], name
        assert injected(response.text) == [], name
    shown = {name: Elements(r.text).shown for name, r in pages.items()}
    for name in (f"/formateur/classes/{hostile['class_id']}", "/formateur/exercices", "import", "connexion ratée",
                 "/formateur/creations/xss-creation", "/formateur/creations/xss-creation/apercu/dictee",
                 f"/tentatives/{hostile['values']['attempt']}", "/exercices/16-xss/dictee", "404 exercice"):
        assert XSS in shown[name], name  # shown as text, not dropped
