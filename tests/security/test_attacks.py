"""The attacks of the classroom server's second security review, each one replayed.

Each test is the review's probe, written before its fix and failing on the code it found:
metadata paths out of an uploaded exercise's folder, Argon2 memory amplification and timing,
throttling beaten by a burst, registration probes, bodies read before the gate's checks,
an autosave racing a submission, world-readable files, deep JSON/TOML and lone surrogates,
truncated audio, formula injection in CSV headers.
"""

from __future__ import annotations

import csv
import io
import re
import stat
import threading

import pytest
from classroom_kit import PASSWORD, Browser, assign, submit_attempt
from security_kit import SHORT_FLAC, CountingHasher, asgi_post, at_once, hasher, sqlite_world, world  # noqa: F401
from sqlalchemy import event, func, select
from starlette.testclient import TestClient

from transcribe.web import store
from transcribe.web.app import create_app
from transcribe.web.classroom import accounts
from transcribe.web.classroom.models import LoginFailure
from transcribe.web.config import Settings

HOLTER = "Holter des 24 heures : rythme sinusal, pas de pause.\n"


def exercise_files(toml: str, audio: bytes | None = None, audio_name: str = "16-holter.flac") -> dict:
    return {"reference": ("16-holter.txt", HOLTER.encode(), "text/plain"),
            "metadonnees": ("16-holter.toml", toml.encode(), "application/toml"),
            "audio": (audio_name, SHORT_FLAC.read_bytes() if audio is None else audio, "audio/flac")}


def upload_errors(page) -> list[str]:
    found = re.search(r'id="upload-errors">(.*?)</div>', page.text, re.S)
    return re.findall(r"<li>(.*?)</li>", found[1]) if found else []


# --- an uploaded exercise's metadata points anywhere --------------------------------------------

@pytest.mark.parametrize("value", ["../../../db.sqlite3", "/etc/passwd", "../audio_samples/16-holter.flac",
                                   "sous-dossier/16-holter.flac", "..", "C:\\\\Windows\\\\win.ini"])
def test_an_uploaded_exercise_cannot_name_audio_outside_its_own_folder(sqlite_world, value):
    marie = sqlite_world["marie"]
    page = marie.post("/formateur/exercices", {"identifiant": "16-holter"},
                      files=exercise_files(f'title = "Holter"\naudio = "{value}"\n'))
    assert page.status_code == 400
    [error] = upload_errors(page)
    assert error.startswith("16-holter.toml : métadonnées invalides, clé « audio » : un nom de fichier audio seul "
                            "est attendu"), error
    assert "16-holter" not in marie.get("/formateur/exercices").text.split('id="catalogue"')[1]


def test_an_exercise_left_in_the_uploads_folder_never_serves_the_database(sqlite_world, tmp_path, monkeypatch):
    """An exercise uploaded before the check, pointing at the live database: not offered, and
    libsndfile never opens the database (closing it would drop SQLite's locks)."""
    import soundfile

    opened = []
    for name in ("info", "SoundFile", "read"):
        real = getattr(soundfile, name)
        monkeypatch.setattr(soundfile, name, lambda path, *a, _real=real, **k: (opened.append(str(path)),
                                                                                _real(path, *a, **k))[1])
    folder = tmp_path / "data" / "exercices"
    (folder / "references").mkdir(parents=True, exist_ok=True)
    (folder / "audio_samples").mkdir(exist_ok=True)
    (folder / "references" / "17-fuite.txt").write_text(HOLTER, encoding="utf-8")
    (folder / "references" / "17-fuite.toml").write_text('title = "Fuite"\naudio = "../../../db.sqlite3"\n',
                                                         encoding="utf-8")
    (folder / "audio_samples" / "17-fuite.flac").write_bytes(SHORT_FLAC.read_bytes())
    marie, paul = sqlite_world["marie"], sqlite_world["paul"]
    listing = marie.get("/formateur/exercices").text
    assert "17-fuite.toml : métadonnées invalides, clé « audio »" in listing
    response = marie.post(f"/formateur/classes/{sqlite_world['class_a']}/devoirs", {"exercice": "17-fuite"})
    assert response.status_code == 400 and "Exercice « 17-fuite » inconnu." in response.text
    assert paul.get("/exercices/17-fuite/audio").status_code == 404
    assert not [p for p in opened if "db.sqlite3" in p]


def test_the_audio_of_an_uploaded_exercise_is_the_file_the_upload_wrote(sqlite_world, tmp_path):
    """A bare name is allowed but never reaches another file: the bundled 14-ordonnance.flac
    stays out of an upload that names it."""
    marie, paul = sqlite_world["marie"], sqlite_world["paul"]
    added = marie.post("/formateur/exercices", {"identifiant": "16-holter"},
                       files=exercise_files('title = "Holter"\naudio = "14-ordonnance.flac"\n'))
    assert added.status_code == 303, upload_errors(added)
    assign(marie, sqlite_world["class_a"], "16-holter")
    served = paul.get("/exercices/16-holter/audio")
    assert served.status_code == 200 and served.content == SHORT_FLAC.read_bytes()
    written = tmp_path / "data" / "exercices" / "audio_samples" / "16-holter.flac"
    assert written.read_bytes() == served.content


def test_a_references_folder_only_names_audio_files(tmp_path, mini_exercise):
    """In any folder (a trainer's --references too), the ``audio`` key names an audio file:
    a database or a password file is never handed to libsndfile or Whisper."""
    from transcribe.errors import TranscribeError
    from transcribe.exercise import load_exercise

    mini_exercise.with_suffix(".toml").write_text('title = "Mini"\naudio = "../espace-apprenant.sqlite3"\n',
                                                  encoding="utf-8")
    with pytest.raises(TranscribeError) as refused:
        load_exercise(mini_exercise)
    assert refused.value.message == ("métadonnées invalides, clé « audio » : un fichier audio (.flac, .wav, .mp3, "
                                     ".ogg) est attendu (trouvé : '../espace-apprenant.sqlite3').")


# --- Argon2: one dummy hash, every hash under one semaphore --------------------------------------

def test_unknown_names_cost_one_verification_and_no_hash(sqlite_world, monkeypatch):
    """20 logins at once with invented names: the dummy hash is made once (not once per login),
    and no more Argon2 computations run at once than the semaphore allows (memory bounded)."""
    counting = CountingHasher(delay=0.05)
    monkeypatch.setattr(accounts, "HASHER", counting)
    sessions = sqlite_world["app"].state.services.sessions
    results = at_once(20, lambda k: accounts.authenticate(sessions, f"inconnu{k}", "mauvais-mot", f"10.0.0.{k}"))
    assert [r.message for r in results] == [accounts.BAD_LOGIN] * 20
    assert counting.hashes <= 1 and counting.verifications == 20
    assert counting.peak <= accounts.MAX_HASHING


def test_an_unknown_name_and_a_wrong_password_do_the_same_work(sqlite_world, monkeypatch):
    counting = CountingHasher()
    monkeypatch.setattr(accounts, "HASHER", counting)
    app = sqlite_world["app"]
    accounts.authenticate(app.state.services.sessions, "personne", "mauvais-mot", "10.0.0.1")  # dummy made here
    before = (counting.hashes, counting.verifications)
    assert Browser(app).login("personne", "mauvais-mot").status_code == 401
    unknown = (counting.hashes - before[0], counting.verifications - before[1])
    assert Browser(app).login("marie", "mauvais-mot").status_code == 401
    known = (counting.hashes - before[0] - unknown[0], counting.verifications - before[1] - unknown[1])
    assert unknown == known == (0, 1)


# --- throttling: a burst counts like the same guesses in a row -----------------------------------

def test_twenty_parallel_wrong_passwords_verify_at_most_ten(sqlite_world, monkeypatch):
    counting = CountingHasher(delay=0.05)
    monkeypatch.setattr(accounts, "HASHER", counting)
    sessions = sqlite_world["app"].state.services.sessions
    results = at_once(20, lambda k: accounts.authenticate(sessions, "marie", f"essai-{k}", "10.0.0.9"))
    assert counting.verifications <= accounts.MAX_FAILURES
    assert sum(r.throttled for r in results) == 20 - counting.verifications
    with sessions.begin() as session:  # each guess verified is a failure; those refused left nothing
        assert session.scalar(select(func.count(LoginFailure.id)).where(
            LoginFailure.key == "nom:marie")) == counting.verifications


def test_a_success_does_not_erase_the_failures_before_it(world):
    app = world["app"]
    for _ in range(accounts.MAX_FAILURES - 1):
        assert Browser(app).login("marie", "mauvais-mot").status_code == 401
    assert Browser(app).login("marie").status_code == 303
    assert Browser(app).login("marie", "mauvais-mot").status_code == 401  # the 10th failure in the window
    assert Browser(app).login("marie").status_code == 429


def test_registration_probes_are_throttled_counted_and_cost_no_hash(world, hasher):
    app = world["app"]
    probe = Browser(app)
    probe.refresh_csrf("/inscription")
    form = {"code": world["code_a"], "nom": "", "mot_de_passe": PASSWORD, "confirmation": PASSWORD}
    for name in ["paul", "lea", "marie", "jules"] * (accounts.MAX_FAILURES_ADDRESS // 4) + ["paul", "lea"]:
        page = probe.post("/inscription", {**form, "identifiant": name})
        assert page.status_code == 400 and f"« {name} » est déjà pris" in page.text
    assert hasher.hashes == 0  # a taken name is answered before any hash
    with app.state.services.sessions.begin() as session:
        assert session.scalar(select(func.count(LoginFailure.id)).where(LoginFailure.key == "ip:testclient")) == 50
    throttled = probe.post("/inscription", {**form, "identifiant": "nouveau"})
    assert throttled.status_code == 429 and "Trop de tentatives : réessayez dans 15 minutes." in throttled.text
    assert Browser(app).login("nouveau").status_code == 429  # the address is throttled for logins too


# --- bodies: refused by size before buffering, never read before the gate's checks ---------------

def test_a_chunked_body_over_the_limit_is_a_413_not_a_500(world):
    marie = world["marie"]

    def chunks():
        yield f"csrf={marie.csrf}&nom=".encode()
        for _ in range(30):
            yield b"x" * 50_000

    for headers in ({"Content-Type": "application/x-www-form-urlencoded"},
                    {"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": marie.csrf}):
        response = marie.client.post("/formateur/classes", content=chunks(), headers=headers)
        assert response.status_code == 413 and "Envoi trop volumineux" in response.text
    assert "x" * 100 not in marie.get("/formateur").text


def test_anonymous_posts_are_refused_before_their_body_is_read(sqlite_world):
    app = sqlite_world["app"]
    multipart = {"Content-Type": "multipart/form-data; boundary=xyz", "Content-Length": str(10_000_000)}
    status, read, body = asgi_post(app, "/formateur/exercices", multipart, 10_000_000)
    assert (status, read) == (403, 0)
    assert "Session expirée : reconnectez-vous." in body.decode()
    status, read, _ = asgi_post(app, "/exercices/14-ordonnance/dictee/sauvegarde",
                                {"Content-Type": "application/json", "Content-Length": "900000"}, 900_000)
    assert (status, read) == (403, 0)


def test_a_recording_over_its_limit_is_refused_before_it_is_read(sqlite_world):
    """The recording of a new exercise has its own limit (a 30 min WAV), checked on the declared size."""
    from transcribe.web.classroom.views.authoring import MAX_RECORDING_BYTES, NEW_PATH

    marie = sqlite_world["marie"]
    cookies = f"transcribe_session={marie.client.cookies.get('transcribe_session')}"
    declared = {"Content-Type": "multipart/form-data; boundary=xyz", "X-CSRF-Token": marie.csrf,
                "Content-Length": str(MAX_RECORDING_BYTES + 1)}
    status, read, body = asgi_post(sqlite_world["app"], NEW_PATH, declared, MAX_RECORDING_BYTES + 1, cookies=cookies)
    assert (status, read) == (413, 0) and "Envoi trop volumineux" in body.decode()
    status, read, _ = asgi_post(sqlite_world["app"], NEW_PATH, {**declared, "Content-Length": str(10_000_000)},
                                10_000_000)  # anonymous: refused before, whatever the size
    assert (status, read) == (403, 0)


def test_a_learner_posting_to_a_trainer_path_is_refused_before_the_body_is_read(sqlite_world):
    paul = sqlite_world["paul"]
    cookies = f"transcribe_session={paul.client.cookies.get('transcribe_session')}"
    multipart = {"Content-Type": "multipart/form-data; boundary=xyz", "Content-Length": str(10_000_000)}
    status, read, _ = asgi_post(sqlite_world["app"], "/formateur/exercices", multipart, 10_000_000, cookies=cookies)
    assert (status, read) == (404, 0)


def test_a_form_without_its_csrf_token_up_front_is_refused_after_a_bounded_read(sqlite_world):
    """A trainer's session without the CSRF token: the gate reads the first 64 KiB at most."""
    from transcribe.web.classroom.csrf import CSRF_SCAN_BYTES

    marie = sqlite_world["marie"]
    cookies = f"transcribe_session={marie.client.cookies.get('transcribe_session')}"
    multipart = {"Content-Type": "multipart/form-data; boundary=xyz", "Content-Length": str(10_000_000)}
    status, read, body = asgi_post(sqlite_world["app"], "/formateur/exercices", multipart, 10_000_000,
                                   chunk=16_384, cookies=cookies)
    assert status == 403 and "jeton de sécurité (CSRF)" in body.decode()
    assert read <= CSRF_SCAN_BYTES + 16_384


def test_a_big_upload_is_streamed_to_disk_not_held_in_memory(sqlite_world, monkeypatch):
    """The exercise upload reaches the checks as files (spooled to disk by the form parser),
    never as one bytes object of the whole audio."""
    from transcribe.web.classroom import uploads

    seen = {}
    real_check = uploads.check

    def check(exercise_id, reference, metadata, audio, known):
        seen["audio"] = audio
        return real_check(exercise_id, reference, metadata, audio, known)

    monkeypatch.setattr(uploads, "check", check)
    page = sqlite_world["marie"].post("/formateur/exercices", {"identifiant": "16-holter"},
                                      files=exercise_files('title = "Holter"\n'))
    assert page.status_code == 303, upload_errors(page)
    assert not hasattr(seen["audio"], "data") and seen["audio"].size == SHORT_FLAC.stat().st_size


# --- an autosave racing a submission ---------------------------------------------------------------

def test_an_autosave_racing_the_submission_never_lands_in_the_next_copy(tmp_path):
    """The autosave reads the copy, the submission lands, then the autosave writes: it must not
    write the old copy's text into the new copy (the review: 9 of 40 trials)."""
    app = create_app(Settings(f"sqlite:///{tmp_path / 'db.sqlite3'}", None, tmp_path / "data"))
    svc = app.state.services
    copy = store.working_copy(svc.sessions, svc.learner_id, "14-ordonnance", "dictee")
    reached, submitted = threading.Event(), threading.Event()

    def pause(conn, cursor, statement, params, context, executemany):
        if threading.current_thread().name == "autosave" and "working_copies" in statement and not reached.is_set():
            reached.set()
            submitted.wait(0.5)  # the submission completes here (or waits for this write)

    event.listen(svc.engine, "after_cursor_execute", pause)
    saved = []
    autosave = threading.Thread(name="autosave", target=lambda: saved.append(
        store.save_copy(svc.sessions, svc.learner_id, copy.token, "texte de la copie rendue", 0, 0)))
    autosave.start()
    assert reached.wait(5)
    attempt, created = store.submit(svc.sessions, svc.learner_id, "14-ordonnance", "dictee",
                                    store.Submission(copy.token, "texte de la copie rendue", 0, 0),
                                    lambda text, minutes: ({"note": 1.0}, {}, "Ordonnance", "0" * 64))
    submitted.set()
    autosave.join()
    event.remove(svc.engine, "after_cursor_execute", pause)
    assert created
    fresh = store.working_copy(svc.sessions, svc.learner_id, "14-ordonnance", "dictee")
    assert fresh.token != copy.token and fresh.text == ""
    assert store.save_copy(svc.sessions, svc.learner_id, copy.token, "encore", 0, 0) is None
    svc.engine.dispose()


def test_an_autosave_of_a_submitted_copy_is_a_409_over_http(tmp_path):
    with TestClient(create_app(Settings(f"sqlite:///{tmp_path / 'db.sqlite3'}", None, tmp_path))) as client:
        base = "/exercices/14-ordonnance/dictee"
        token = re.search(r'data-token="([^"]+)"', client.get(base).text)[1]
        client.post(f"{base}/rendre", data={"jeton": token, "texte": "Ordonnance"}, follow_redirects=False)
        late = client.post(f"{base}/sauvegarde", json={"jeton": token, "texte": "trop tard"})
        assert late.status_code == 409 and "déjà été rendue" in late.json()["erreur"]
        assert ">trop tard</textarea>" not in client.get(base).text


# --- files: private data folder and database --------------------------------------------------------

def test_the_data_folder_and_the_database_are_private(tmp_path):
    folder = tmp_path / "donnees"
    app = create_app(Settings(f"sqlite:///{folder / 'espace.sqlite3'}", None, folder))
    with TestClient(app) as client:
        client.get("/")
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in [folder, *folder.glob("espace.sqlite3*")]}
    assert modes == {"donnees": 0o700, "espace.sqlite3": 0o600, "espace.sqlite3-wal": 0o600,
                     "espace.sqlite3-shm": 0o600}


# --- malformed JSON and TOML: 400 in French, never a 500 ------------------------------------------------

@pytest.fixture
def solo(tmp_path):
    with TestClient(create_app(Settings(f"sqlite:///{tmp_path / 'db.sqlite3'}", None, tmp_path))) as client:
        token = re.search(r'data-token="([^"]+)"', client.get("/exercices/14-ordonnance/dictee").text)[1]
        yield client, token


def test_deeply_nested_json_is_a_400_in_french(solo):
    client, token = solo
    body = '{"jeton": "' + token + '", "texte": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post("/exercices/14-ordonnance/dictee/sauvegarde", content=body,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {"erreur": "Requête incorrecte : JSON trop imbriqué."}


def test_a_lone_surrogate_is_refused_and_the_answer_says_nothing_was_kept(solo):
    client, token = solo
    body = '{"jeton": "' + token + '", "texte": "Ordonnance \\ud83d"}'  # an emoji cut in half
    response = client.post("/exercices/14-ordonnance/dictee/sauvegarde", content=body,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {"erreur": "Requête incorrecte : le texte contient un caractère invalide (un emoji "
                                          "coupé ?) ; il n'a pas été enregistré."}
    assert "conservé" not in response.text


def test_deeply_nested_toml_in_an_upload_is_a_400_in_french(world):
    page = world["marie"].post("/formateur/exercices", {"identifiant": "16-holter"},
                               files=exercise_files('title = "x"\nterms = ' + "[" * 5000 + "]" * 5000 + "\n"))
    assert page.status_code == 400
    assert upload_errors(page) == ["16-holter.toml : métadonnées illisibles (TOML invalide) : imbrication trop "
                                   "profonde."]


# --- audio: accepted only when it decodes end to end -------------------------------------------------

def _frames_offset(flac: bytes) -> int:
    position = 4
    while True:
        header, length = flac[position], int.from_bytes(flac[position + 1:position + 4], "big")
        position += 4 + length
        if header & 0x80:
            return position


@pytest.mark.parametrize("cut", ["half", "frameless"])
def test_a_truncated_or_frameless_flac_is_refused(world, cut):
    flac = SHORT_FLAC.read_bytes()
    data = flac[:len(flac) // 2] if cut == "half" else flac[:_frames_offset(flac)]
    page = world["marie"].post("/formateur/exercices", {"identifiant": "16-holter"},
                               files=exercise_files('title = "Holter"\n', data))
    assert page.status_code == 400
    assert upload_errors(page) == ["16-holter.flac : fichier audio illisible : l&#39;enregistrement est tronqué ou "
                                   "abîmé (il ne se décode pas jusqu&#39;au bout)."]


# --- CSV: every text cell neutralised, headers included -------------------------------------------------

FORMULA = '=HYPERLINK("http://exemple.invalid","clic")'


def _cells(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";" if text.count(";") > text.count(",") else ","))


def test_every_csv_cell_is_neutralised_headers_included(sqlite_world):
    marie, paul = sqlite_world["marie"], sqlite_world["paul"]
    toml = f"title = '{FORMULA}'\n"
    assert marie.post("/formateur/exercices", {"identifiant": "16-holter"},
                      files=exercise_files(toml)).status_code == 303
    assign(marie, sqlite_world["class_a"], "16-holter")
    submit_attempt(sqlite_world["app"], "paul", "16-holter", "+Holter des 24 heures")
    class_id = sqlite_world["class_a"]
    exports = {name: marie.get(f"/formateur/classes/{class_id}/export/{name}").content
               for name in ("moodle.csv", "carnet.csv")}
    exports["progression"] = paul.get("/progression/tentatives.csv").content
    header = _cells(exports["moodle.csv"])[0]
    assert "'" + FORMULA in header
    for name, data in exports.items():
        for row in _cells(data):
            for cell in row:
                assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r") or re.fullmatch(r"-?\d+([.,]\d+)?", cell), \
                    (name, cell)


def test_the_formula_guard_is_one_function_for_every_csv():
    from transcribe.spreadsheet import safe_cell

    assert [safe_cell(v) for v in (FORMULA, "+33 1", "-rm", "@SUM(A1)", "\tx", "ok", "-12.5", "3,5", "")] == [
        "'" + FORMULA, "'+33 1", "'-rm", "'@SUM(A1)", "'\tx", "ok", "-12.5", "3,5", ""]



def test_a_nul_character_is_a_400_on_both_databases_not_a_500(world):
    """Found while replaying the review: PostgreSQL refuses NUL in a text column (a 500)."""
    marie, paul = world["marie"], world["paul"]
    refused = marie.post("/formateur/classes", {"nom": "Classe\x00B"})
    assert refused.status_code == 400
    assert "le champ « nom » contient un caractère nul ; il n&#39;a pas été enregistré." in refused.text
    token = re.search(r'data-token="([^"]+)"', paul.get("/exercices/14-ordonnance/dictee").text)[1]
    saved = paul.client.post("/exercices/14-ordonnance/dictee/sauvegarde", json={"jeton": token, "texte": "a\x00b"},
                             headers={"X-CSRF-Token": paul.csrf})
    assert saved.status_code == 400
    assert saved.json() == {"erreur": "Requête incorrecte : le texte contient un caractère nul ; il n'a pas été "
                                      "enregistré."}


# --- a read-only database: refused at start, or a French page that names it -------------------------

def test_a_read_only_database_is_refused_at_start_in_french(tmp_path):
    from transcribe.errors import TranscribeError

    path = tmp_path / "db.sqlite3"
    create_app(Settings(f"sqlite:///{path}", None, tmp_path)).state.services.engine.dispose()
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"  # what a 0444 file is for a non-root server
    with pytest.raises(TranscribeError) as refused:
        create_app(Settings(read_only, None, tmp_path))
    message = refused.value.message
    assert message.startswith("base de données en lecture seule (sqlite:///file") and str(path) in message
    assert message.endswith(") : le serveur ne pourrait rien y enregistrer (copies, tentatives, comptes). Donnez-lui "
                            "le droit d'écrire le fichier et son dossier, ou choisissez une autre base avec --database.")


def test_a_database_that_turns_read_only_gives_a_french_page_naming_it(sqlite_world):
    """Read-only while running (a disk remounted read-only): a login and an autosave get a 503
    that says the database is read-only and that nothing was saved."""
    app, paul = sqlite_world["app"], sqlite_world["paul"]
    engine = app.state.services.engine
    token = re.search(r'data-token="([^"]+)"', paul.get("/exercices/14-ordonnance/dictee").text)[1]
    engine.dispose()
    event.listen(engine, "connect", lambda connection, record: connection.execute("PRAGMA query_only = 1"))
    visitor, paul.client = Browser(app), TestClient(app, raise_server_exceptions=False, follow_redirects=False,
                                                    cookies=paul.client.cookies)
    visitor.client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    message = ("La base de données du serveur est en lecture seule : rien n'a été enregistré. Prévenez la "
               "personne qui gère le serveur.")
    login = visitor.login("marie")
    assert login.status_code == 503 and message.replace("'", "&#39;") in login.text
    saved = paul.client.post("/exercices/14-ordonnance/dictee/sauvegarde", json={"jeton": token, "texte": "x"},
                             headers={"X-CSRF-Token": paul.csrf})
    assert saved.status_code == 503 and saved.json() == {"erreur": message}
