"""Classroom mode's features: matrix, exports that `transcribe grade` reads back, RGPD, import,
uploads, migrations. The database tests run on SQLite and PostgreSQL (``database_url``)."""

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from classroom_kit import Browser, add_user, assign, classroom_app, create_class, register, submit_attempt
from click.testing import CliRunner
from sqlalchemy import create_engine, func, inspect, select

from transcribe.gradebook import gradebook_header
from transcribe.cli import main
from transcribe.web import db, migrate
from transcribe.web.classroom.models import AuditEntry, User

ROOT = Path(__file__).resolve().parent.parent
COPY = ROOT / "examples" / "submissions"


@pytest.fixture
def classe(database_url, tmp_path):
    app = classroom_app(database_url, tmp_path)
    add_user(app, "marie")
    marie = Browser(app)
    marie.login("marie")
    class_id, code = create_class(marie, "Session de mars")
    assign(marie, class_id, "14-ordonnance")
    assign(marie, class_id, "05-echographie-abdominale")
    paul = register(app, code, "paul", "Paul Martin")
    register(app, code, "lea", "Léa Durand")
    yield {"app": app, "marie": marie, "paul": paul, "class_id": class_id, "code": code}
    app.state.services.engine.dispose()


def reference_text(exercise_id):
    return (ROOT / "references" / f"{exercise_id}.txt").read_text(encoding="utf-8")


def test_matrix_shows_best_and_last_note_acquis_time_and_pastes(classe):
    app = classe["app"]
    first = submit_attempt(app, "paul", "14-ordonnance", "Ordonnance", minutes=3, pastes=1)
    last = submit_attempt(app, "paul", "14-ordonnance", reference_text("14-ordonnance"), minutes=4, pastes=2)
    page = classe["marie"].get(f"/formateur/classes/{classe['class_id']}")
    assert page.status_code == 200
    heads = re.findall(r"<th scope=\"col\">([^<]+)<br>", page.text)
    assert heads == ["Ordonnance", "Échographie abdominale"]
    row = re.search(r'<tr id="apprenant-\d+"><th scope="row"><a href="/formateur/apprenants/\d+">Paul Martin</a>'
                    r'(.*?)</tr>', page.text, re.S).group(1)
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in re.findall(r"<td class=\"cell\">(.*?)</td>",
                                                                                         row, re.S)]
    assert last.note > first.note
    best = f"{last.note:.1f}".replace(".", ",")
    assert cells == [f"{best} · {best} /20 acquis 2 tentative(s) · 7 min 00 s · 3 collage(s)", "—"]
    assert f'href="/formateur/tentatives/{last.id}"' in row
    report = classe["marie"].get(f"/formateur/tentatives/{first.id}")
    assert report.status_code == 200
    assert 'id="attempt-pastes">1</strong>' in report.text


def test_exports_are_the_gradebook_of_transcribe_grade_and_grade_gives_the_same_notes(classe, tmp_path):
    app, marie = classe["app"], classe["marie"]
    texts = {("paul", "14-ordonnance"): reference_text("14-ordonnance").replace("comprimé", "comprimer"),
             ("lea", "14-ordonnance"): reference_text("14-ordonnance").replace("mg", "mq").lower(),
             ("paul", "05-echographie-abdominale"):
                 (COPY / "alice" / "05-echographie-abdominale.txt").read_text(encoding="utf-8")}
    submit_attempt(app, "paul", "14-ordonnance", "brouillon", minutes=1)  # replaced by the next one
    for (learner, exercise), text in texts.items():
        submit_attempt(app, learner, exercise, text, minutes=12.5)
    base = f"/formateur/classes/{classe['class_id']}/export"
    gradebook = marie.get(f"{base}/carnet.csv")
    assert gradebook.status_code == 200
    assert gradebook.headers["content-disposition"].startswith('attachment; filename="classe-')
    rows = list(csv.reader(io.StringIO(gradebook.content.decode("utf-8-sig"))))
    assert rows[0] == gradebook_header()
    assert [(r[0], r[1], r[2], r[3]) for r in rows[1:]] == [
        ("lea", "14-ordonnance", "lea/14-ordonnance.txt", "ok"),
        ("paul", "05-echographie-abdominale", "paul/05-echographie-abdominale.txt", "ok"),
        ("paul", "14-ordonnance", "paul/14-ordonnance.txt", "ok")]
    document = marie.get(f"{base}/carnet.json").json()
    assert document["summary"]["copies"] == 3
    server_notes = {(i["learner"], i["exercise"]): i["score"]["note"] for i in document["items"]}

    archive = zipfile.ZipFile(io.BytesIO(marie.get(f"{base}/copies.zip").content))
    assert sorted(archive.namelist()) == sorted([
        "LISEZMOI.txt", "manifeste.csv", "gradebook.csv", "gradebook.json", "moodle.csv",
        "copies/lea/14-ordonnance.txt", "copies/paul/14-ordonnance.txt", "copies/paul/05-echographie-abdominale.txt",
        "references/14-ordonnance.txt", "references/14-ordonnance.toml", "references/14-ordonnance.modele.txt",
        "references/14-ordonnance.brouillon.txt", "references/05-echographie-abdominale.txt",
        "references/05-echographie-abdominale.toml", "references/05-echographie-abdominale.modele.txt",
        "references/05-echographie-abdominale.brouillon.txt"])
    archive.extractall(tmp_path / "export")
    out = tmp_path / "export" / "corrections"
    result = CliRunner().invoke(main, ["grade", str(tmp_path / "export" / "copies"), "--references",
                                       str(tmp_path / "export" / "references"), "--manifest",
                                       str(tmp_path / "export" / "manifeste.csv"), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    graded = json.loads((out / "gradebook.json").read_text(encoding="utf-8"))
    assert {(i["learner"], i["exercise"]): i["score"]["note"] for i in graded["items"]} == server_notes
    assert [i["score"] for i in graded["items"]] == [i["score"] for i in document["items"]]
    assert (out / "gradebook.csv").read_bytes().split(b"\r\n")[0] == gradebook.content.split(b"\r\n")[0]

    with app.state.services.sessions.begin() as session:  # as Moodle's launch or the learners' import give it
        session.scalar(select(User).where(User.username == "paul")).email = "paul.martin@centre.fr"
    moodle = list(csv.reader(io.StringIO(marie.get(f"{base}/moodle.csv").text)))
    note = lambda who, ex: f"{server_notes[(who, ex)]:.2f}"  # noqa: E731
    assert "." in note("lea", "14-ordonnance") and "," not in note("lea", "14-ordonnance")
    assert moodle == [["identifiant", "nom", "Email address", "Échographie abdominale", "Ordonnance"],
                      ["lea", "Léa Durand", "", "", note("lea", "14-ordonnance")],
                      ["paul", "Paul Martin", "paul.martin@centre.fr", note("paul", "05-echographie-abdominale"),
                       note("paul", "14-ordonnance")]]
    assert "Email address</strong> à <strong>useremail" in marie.get(f"/formateur/classes/{classe['class_id']}").text
    with app.state.services.sessions.begin() as session:
        actions = session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "export")).all()
    assert [a["fichier"] for a in actions] == ["carnet.csv", "carnet.json", "copies.zip", "moodle.csv"]


def test_rgpd_export_and_deletion_of_one_learner(classe):
    app, marie = classe["app"], classe["marie"]
    submit_attempt(app, "paul", "14-ordonnance", "Ordonnance du patient")
    submit_attempt(app, "lea", "14-ordonnance", "Ordonnance")
    with app.state.services.sessions.begin() as session:
        from transcribe.web.classroom.accounts import find_user

        paul_id = find_user(session, "paul").id
    data = marie.get(f"/formateur/apprenants/{paul_id}/donnees.json")
    assert data.status_code == 200
    exported = data.json()
    assert exported["compte"]["identifiant"] == "paul" and exported["compte"]["nom"] == "Paul Martin"
    assert [c["nom"] for c in exported["classes"]] == ["Session de mars"]
    assert [t["texte"] for t in exported["tentatives"]] == ["Ordonnance du patient"]
    refused = marie.post(f"/formateur/apprenants/{paul_id}/supprimer", {"confirmation": "lea"})
    assert refused.status_code == 400
    done = marie.post(f"/formateur/apprenants/{paul_id}/supprimer", {"confirmation": "paul"})
    assert done.status_code == 200
    assert "Le compte « paul » et ses 1 tentative(s) ont été supprimés." in done.text
    with app.state.services.sessions.begin() as session:
        assert session.scalar(select(func.count(db.Attempt.id))) == 1  # Léa's
        assert session.scalar(select(func.count(db.Learner.id)).where(db.Learner.name == "paul")) == 0
        log = [(e.action, e.target, e.detail) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert log[-2:] == [("export_donnees_apprenant", "paul", {"apprenant": paul_id}),
                        ("suppression_apprenant", "paul", {"tentatives": 1})]
    assert classe["paul"].get("/").status_code == 303  # the deleted learner's session is gone
    assert Browser(app).login("paul").status_code == 401
    journal = marie.get("/formateur/journal")
    assert "<td>Apprenant supprimé</td><td>paul</td><td class=\"small\">tentatives : 1</td>" in journal.text


def test_csv_import_creates_accounts_and_shows_passwords_once(classe):
    marie, class_id = classe["marie"], classe["class_id"]
    listing = "identifiant;nom\nzoe.petit;Zoé Petit\nlea;Déjà là\n;vide\nmarc-a;Marc A\nzoe.petit;Doublon\n"
    page = marie.post(f"/formateur/classes/{class_id}/import",
                      files={"fichier": ("liste.csv", listing.encode("cp1252"), "text/csv")})
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td>\s*<td>(.*?)</td></tr>',
                      page.text, re.S)
    passwords = {name: re.search(r'<code class="password">([^<]+)</code>', cell) for _, name, _, cell in rows[:4]}
    assert [(n, name, shown) for n, name, shown, _ in rows] == [
        ("2", "zoe.petit", "Zoé Petit"), ("3", "lea", "Déjà là"), ("4", "", "vide"), ("5", "marc-a", "Marc A"),
        ("6", "zoe.petit", "Doublon")]
    assert [name for name, p in passwords.items() if p] == ["zoe.petit", "marc-a"]
    assert "existe déjà : compte non créé" in rows[1][3] and "identifiant vide" in rows[2][3]
    assert "en double dans le fichier" in rows[4][3]
    zoe = Browser(classe["app"])
    assert zoe.login("zoe.petit", passwords["zoe.petit"][1]).status_code == 303
    assert passwords["zoe.petit"][1] not in marie.get("/formateur/journal").text
    assert passwords["zoe.petit"][1] not in marie.get(f"/formateur/classes/{class_id}").text


def test_csv_import_keeps_the_email_that_moodle_matches(classe):
    marie, class_id = classe["marie"], classe["class_id"]
    listing = ("Identifiant,Nom,Adresse e-mail\nines.roy,Inès Roy,ines.roy@centre.fr\n"
               "bad.mail,Mauvais,pas-une-adresse\nsans,Sans Adresse,\n")
    page = marie.post(f"/formateur/classes/{class_id}/import", files={"fichier": ("liste.csv", listing.encode(), "text/csv")})
    assert page.status_code == 200
    assert "adresse e-mail invalide : « pas-une-adresse »" in page.text
    with classe["app"].state.services.sessions.begin() as session:
        emails = dict(session.execute(select(User.username, User.email).where(User.username.in_(
            ["ines.roy", "bad.mail", "sans"]))).all())
    assert emails == {"ines.roy": "ines.roy@centre.fr", "sans": ""}
    rows = list(csv.reader(io.StringIO(marie.get(f"/formateur/classes/{class_id}/export/moodle.csv").text)))
    assert [r[:3] for r in rows if r[0] in ("ines.roy", "sans")] == [["ines.roy", "Inès Roy", "ines.roy@centre.fr"],
                                                                     ["sans", "Sans Adresse", ""]]


def test_assignment_period_and_mode(classe):
    marie, paul, class_id = classe["marie"], classe["paul"], classe["class_id"]
    assign(marie, class_id, "01-cardiologie-consultation", ouverture="2099-01-01T08:00")
    assign(marie, class_id, "02-pneumologie-consultation", ouverture="2020-01-01T08:00", fermeture="2021-01-01T08:00")
    listed = re.findall(r'<tr id="ex-([^"]+)"', paul.get("/").text)
    assert listed == ["05-echographie-abdominale", "14-ordonnance"]
    bad = marie.post(f"/formateur/classes/{class_id}/devoirs", {"exercice": "14-ordonnance",
                                                                "ouverture": "2026-05-01T08:00",
                                                                "fermeture": "2026-04-01T08:00"})
    assert bad.status_code == 400 and "La fermeture doit venir après l&#39;ouverture." in bad.text
    unknown = marie.post(f"/formateur/classes/{class_id}/devoirs", {"exercice": "../../etc/passwd"})
    assert unknown.status_code == 400 and "Exercice « ../../etc/passwd » inconnu." in unknown.text
    page = marie.get(f"/formateur/classes/{class_id}")
    assert page.text.count('<span class="na">fermé</span>') == 2
    assign(marie, class_id, "14-ordonnance", mode="correction")
    modes = re.search(r'<tr id="ex-14-ordonnance">.*?</tr>', paul.get("/").text, re.S)[0]
    assert re.findall(r'href="/exercices/14-ordonnance/(\w+)"', modes) == ["dictee", "correction"]
    only_dictation = re.search(r'<tr id="ex-05-echographie-abdominale">.*?</tr>', paul.get("/").text, re.S)[0]
    assert re.findall(r'href="/exercices/05-echographie-abdominale/(\w+)"', only_dictation) == ["dictee"]
    assert paul.get("/exercices/05-echographie-abdominale/correction").status_code == 404


def test_exercise_upload_is_checked_then_offered(classe, tmp_path):
    marie = classe["marie"]
    audio = (ROOT / "audio_samples" / "00-court.flac").read_bytes()
    toml = 'title = "Holter ECG"\nspecialty = "cardiologie"\ntime_limit_minutes = 12\n'
    files = {"reference": ("16-holter.txt", "Holter des 24 heures : rythme sinusal.\n".encode(), "text/plain"),
             "metadonnees": ("16-holter.toml", toml.encode(), "application/toml"),
             "audio": ("16-holter.flac", audio, "audio/flac")}
    bad = {"reference": ("16-holter.txt", "é".encode("cp1252"), "text/plain"),
           "metadonnees": ("16-holter.toml", b"title = ", "application/toml"),
           "audio": ("16-holter.flac", b"not audio", "audio/flac")}
    refused = marie.post("/formateur/exercices", {"identifiant": "16-holter"}, files=bad)
    assert refused.status_code == 400
    errors = re.findall(r"<li>(.*?)</li>", re.search(r'id="upload-errors">(.*?)</div>', refused.text, re.S)[1])
    assert errors == [
        "16-holter.txt : texte de référence illisible : il doit être encodé en UTF-8.",
        "16-holter.toml : métadonnées illisibles (TOML invalide) : Invalid value (at end of document)",
        "16-holter.flac : fichier audio illisible : ce n&#39;est pas un enregistrement .flac valide."]
    taken = marie.post("/formateur/exercices", {"identifiant": "14-ordonnance"}, files=files)
    assert "un exercice « 14-ordonnance » existe déjà" in taken.text
    added = marie.post("/formateur/exercices", {"identifiant": ""}, files=files)
    assert added.status_code == 303 and added.headers["location"] == "/formateur/exercices?ajoute=16-holter"
    assert '<tr id="ex-16-holter"><td>16-holter</td><td>Holter ECG</td>' in marie.get("/formateur/exercices").text
    assign(marie, classe["class_id"], "16-holter")
    assert "16-holter" in re.findall(r'<tr id="ex-([^"]+)"', classe["paul"].get("/").text)
    assert classe["paul"].get("/exercices/16-holter/audio").content == audio


def test_a_solo_database_upgraded_to_classroom_mode_keeps_every_attempt(tmp_path):
    url = f"sqlite:///{tmp_path / 'solo.sqlite3'}"
    engine = create_engine(url)
    with engine.begin() as connection:  # the workspace's first database, made before migrations existed
        from alembic import command

        command.upgrade(migrate.config(connection), migrate.SOLO_REVISION)
        connection.exec_driver_sql("DROP TABLE alembic_version")
        connection.exec_driver_sql("INSERT INTO learners (id, name, created_at) VALUES (1, 'local', '2026-01-01')")
        for k in range(3):
            connection.exec_driver_sql(
                "INSERT INTO attempts (learner_id, token, exercise_id, exercise_title, mode, text, submitted_at, "
                f"pastes, pasted_chars, note, reference_sha256, score, report) VALUES (1, 't{k}', '14-ordonnance', "
                f"'Ordonnance', 'dictee', 'copie {k}', '2026-01-0{k + 1}', 0, 0, {10 + k}, '', '{{}}', '{{}}')")
    engine.dispose()
    app = classroom_app(url, tmp_path)
    with app.state.services.engine.connect() as connection:
        assert migrate.current(connection) == migrate.head()
        assert {"users", "classes", "audit_log"} <= set(inspect(connection).get_table_names())
        notes = connection.exec_driver_sql("SELECT note FROM attempts ORDER BY id").scalars().all()
    assert notes == [10.0, 11.0, 12.0]
    app.state.services.engine.dispose()


def test_migrations_build_exactly_the_models(database_url):
    """The migration scripts and the SQLAlchemy models agree (a model change needs a migration)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = db.make_engine(database_url)
    with engine.begin() as connection:
        from alembic import command

        command.upgrade(migrate.config(connection), "head")
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                migrate.all_metadata())
    engine.dispose()
    assert diff == []


def test_two_starts_at_once_migrate_once(database_url):
    import threading

    errors = []

    def start():
        try:
            engine = db.make_engine(database_url)
            migrate.create_schema(engine)
            engine.dispose()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine = db.make_engine(database_url)
    with engine.connect() as connection:
        assert migrate.current(connection) == migrate.head()
    engine.dispose()
    assert errors == []
