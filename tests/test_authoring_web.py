"""Exercises made in the classroom server's browser pages (issue 22, part B): upload and its
refusals, the queue, the form, previews, versions, withdrawal, the exports and the journal.

The transcriptions run the real embedded Whisper on the 9 s clip, in this process
(``worker.run_in_process``; the transcript cache makes every run after the first cheap);
``test_a_job_in_a_child_process`` runs the server's own way, a child process.
"""

from __future__ import annotations

import asyncio
import html
import io
import json
import re
import threading
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import soundfile
from classroom_kit import (
    SHORT_CLIP,
    Browser,
    add_user,
    assign,
    classroom_app,
    create_class,
    current_revision,
    make_creation,
    publish,
    register,
)
from click.testing import CliRunner
from sqlalchemy import func, select, update

from transcribe.authoring import recording
from transcribe.cli import main
from transcribe.web import db
from transcribe.web.classroom.authoring import queue, store, worker
from transcribe.web.classroom.models import QUEUED, RUNNING, AuditEntry, AuthoringJob, Creation, CreationVersion, User

ROOT = Path(__file__).resolve().parent.parent
NEW = "/formateur/exercices/nouveau"
HEAD = "Dr Claire MARTIN\nCardiologue\n12 rue des Lilas, 37000 Tours"
SIGNATURE = "Dr Claire MARTIN"
BODY = ("Le patient présente une hypertension artérielle traitée par amlodipine.\n"
        "L'électrocardiogramme montre une fibrillation atriale.")


@pytest.fixture
def centre(tmp_path):
    """A trainer (marie) with a class, a second trainer (jules), a learner (paul) in marie's class."""
    app = classroom_app(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path)
    add_user(app, "marie", display="Marie Lefèvre")
    add_user(app, "jules")
    marie, jules = Browser(app), Browser(app)
    marie.login("marie")
    jules.login("jules")
    class_id, code = create_class(marie, "Session de mars")
    paul = register(app, code, "paul", "Paul Martin")
    app.state.services.creations.runner = worker.run_in_process
    yield {"app": app, "marie": marie, "jules": jules, "paul": paul, "class_id": class_id, "code": code,
           "settings": app.state.services.settings}
    app.state.services.engine.dispose()


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def counts(app) -> tuple[int, int, int]:
    with app.state.services.sessions.begin() as session:
        return (session.scalar(select(func.count(Creation.id))), session.scalar(select(func.count(AuthoringJob.id))),
                session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "enregistrement_envoye")))


def upload(browser: Browser, exercise_id: str, name: str, data: bytes, json_answer: bool = False, **fields):
    headers = {"Accept": "application/json"} if json_answer else {}
    return browser.post(NEW, {"identifiant": exercise_id, **fields}, files={"audio": (name, data, "audio/flac")},
                        headers=headers)


def wav(samples: np.ndarray, rate: int = 16000) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, format="WAV")
    return buffer.getvalue()


# --- the upload and its refusals: a French message, nothing written ------------------------------

def test_refused_uploads_say_why_in_french_and_write_nothing(centre, monkeypatch, tmp_path):
    from test_exercise_new import cut, encode

    app, marie = centre["app"], centre["marie"]
    root = store.root(centre["settings"])
    clip = SHORT_CLIP.read_bytes()
    samples, rate = soundfile.read(str(SHORT_CLIP), dtype="float32")
    noise = (np.random.default_rng(0).standard_normal(16000 * 10) * 0.05).astype(np.float32)
    damaged = cut(encode(tmp_path / "envoi.webm", "webm", "libopus")).read_bytes()
    cases = [
        ("Essai", "dictee.flac", clip, ("Identifiant « Essai » refusé : de 2 à 80 caractères, minuscules sans accent, "
                                       "chiffres, « - » ou « _ » (exemple : 16-cardiologie-holter).")),
        ("14-ordonnance", "dictee.flac", clip, ("L'identifiant « 14-ordonnance » est déjà pris par un autre exercice du "
                                               "serveur : choisissez-en un autre ; rien n'a été enregistré.")),
        ("holter-v2", "dictee.flac", clip, ("Identifiant « holter-v2 » refusé : il ne doit pas finir par « -v » suivi "
                                           "d'un numéro (les exports nomment ainsi les versions d'un exercice).")),
        ("holter", "notes.mp3", b"ceci n'est pas un enregistrement",
         ("« notes.mp3 » : fichier audio illisible : ce n'est pas un enregistrement dans un format reconnu (FLAC, WAV, "
         "MP3, Ogg/Opus, WebM, M4A…), ou il est incomplet.")),
        ("holter", "court.wav", wav(samples[:3 * rate]), ("« court.wav » : enregistrement trop court (3,0 s ; 5 s au "
                                                         "moins).")),
        ("holter", "silence.wav", wav(np.zeros(16000 * 8, np.float32)),
         "« silence.wav » : aucun son dans cet enregistrement (silence)."),
        ("holter", "souffle.wav", wav(noise), ("« souffle.wav » : aucune parole détectée dans cet enregistrement (bruit "
                                              "ou silence seulement).")),
        ("holter", "envoi.webm", damaged, f"« envoi.webm » : {recording.CUT}"),
    ]
    for exercise_id, name, data, message in cases:
        page = upload(marie, exercise_id, name, data, titre="Holter")
        assert page.status_code == 400, (exercise_id, name)
        shown = re.search(r'<p class="notice bad" role="alert" id="new-error">(.*?)</p>', page.text)[1]
        assert html.unescape(shown) == message, name
        assert 'value="Holter"' in page.text  # what was typed is kept
        answer = upload(marie, exercise_id, name, data, json_answer=True)  # the page's script asks for JSON
        assert answer.status_code == 400 and answer.json() == {"erreur": message}
    monkeypatch.setattr(recording, "MAX_SECONDS", 8.0)  # the 30 min limit, lowered for the 9 s clip
    assert upload(marie, "holter", "long.flac", clip, json_answer=True).json() == {
        "erreur": "« long.flac » : enregistrement trop long (9 s ; 8 s au plus)."}
    nothing = marie.post(NEW, {"identifiant": "holter"}, headers={"Accept": "application/json"})
    assert nothing.json() == {"erreur": "Aucun enregistrement reçu : enregistrez la dictée ou choisissez un fichier "
                                        "audio ; rien n'a été enregistré."}
    assert files_under(root) == [] and counts(app) == (0, 0, 0)


def test_a_recording_interrupted_mid_upload_leaves_nothing(centre):
    """The browser stops sending in the middle of the body (a closed tab, a lost network)."""
    app, marie = centre["app"], centre["marie"]
    boundary = "----frontiere"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{marie.csrf}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"identifiant\"\r\n\r\nholter\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"audio\"; filename=\"dictee.flac\"\r\n"
            "Content-Type: audio/flac\r\n\r\n").encode() + SHORT_CLIP.read_bytes()[:100_000]
    cookie = "; ".join(f"{k}={v}" for k, v in marie.client.cookies.items())
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": NEW, "raw_path": NEW.encode(), "query_string": b"", "root_path": "", "state": {},
             "headers": [(b"host", b"testserver"), (b"cookie", cookie.encode()),
                         (b"content-type", f"multipart/form-data; boundary={boundary}".encode()),
                         (b"content-length", str(len(head) + 500_000).encode())],
             "client": ("127.0.0.1", 5000), "server": ("testserver", 80)}
    sent = [{"type": "http.request", "body": head[:30_000], "more_body": True},
            {"type": "http.request", "body": head[30_000:], "more_body": True}, {"type": "http.disconnect"}]
    answers = []

    async def receive():
        return sent.pop(0) if sent else {"type": "http.disconnect"}

    async def send(message):
        answers.append(message)

    asyncio.run(app(scope, receive, send))
    assert answers[0]["status"] == 400  # nobody reads it: the client is gone
    assert files_under(store.root(centre["settings"])) == [] and counts(app) == (0, 0, 0)


# --- the queue: one at a time, positions, restarts ---------------------------------------------

def test_the_queue_runs_one_job_at_a_time_and_resumes_an_interrupted_one(database_url, tmp_path):
    app = classroom_app(database_url, tmp_path)
    sessions = app.state.services.sessions
    add_user(app, "marie")
    with sessions.begin() as session:
        trainer = session.scalar(select(User).where(User.username == "marie"))
        ids = []
        for name in ("a1", "a2", "a3"):
            creation = Creation(exercise_id=name, trainer_id=trainer.id, draft={}, review={})
            session.add(creation)
            session.flush()
            ids.append(queue.enqueue(session, creation.id, {}).id)
    with sessions.begin() as session:
        assert [queue.status(session, session.get(AuthoringJob, i))["avant"] for i in ids] == [0, 1, 2]
    first = queue.claim(sessions, "serveur-a")
    assert first.id == ids[0] and first.runs == 1
    assert queue.claim(sessions, "serveur-b") is None  # one transcription at a time on the whole server
    with sessions.begin() as session:
        assert [queue.status(session, session.get(AuthoringJob, i))["avant"] for i in ids] == [0, 1, 2]
        assert queue.status(session, session.get(AuthoringJob, ids[0]))["etat"] == RUNNING
    assert queue.progress(sessions, first.id, "serveur-a", "transcription", 0.4, "Reconnaissance vocale…")
    assert not queue.progress(sessions, first.id, "serveur-b", "transcription", 0.9, "pas le sien")
    # serveur-a is killed: its heartbeat stops; once the lease has passed, the job is started again
    with sessions.begin() as session:
        session.execute(update(AuthoringJob).where(AuthoringJob.id == first.id).values(
            heartbeat_at=db.utcnow() - queue.LEASE - timedelta(seconds=1)))
    again = queue.claim(sessions, "serveur-b")
    assert again.id == first.id and again.runs == 2
    with sessions.begin() as session:
        job = session.get(AuthoringJob, first.id)
        assert (job.state, job.worker, job.message, job.fraction) == (RUNNING, "serveur-b", queue.RESUMED, 0.0)
    assert not queue.heartbeat(sessions, first.id, "serveur-a")  # the old worker no longer writes to it
    # a server stopped cleanly puts its job back at once
    assert queue.release(sessions, first.id, "serveur-b")
    with sessions.begin() as session:
        job = session.get(AuthoringJob, first.id)
        assert (job.state, job.message) == (QUEUED, queue.RELEASED)
    assert queue.claim(sessions, "serveur-c").runs == 3
    queue.release(sessions, first.id, "serveur-c")
    assert queue.claim(sessions, "serveur-c").id == ids[1]  # a job started three times is given up
    with sessions.begin() as session:
        job = session.get(AuthoringJob, first.id)
        assert (job.state, job.message) == ("echec", queue.GAVE_UP)
    app.state.services.engine.dispose()


def test_a_job_in_a_child_process_reports_its_progress_and_a_stopped_server_requeues_it(centre):
    """The server's own way: Whisper in a child process, the page's figures from its lines."""
    app, marie = centre["app"], centre["marie"]
    services = app.state.services
    services.creations.runner = worker.run_in_child
    long_clip = ROOT / "audio_samples" / "14-ordonnance.flac"  # 67 s: long enough to stop it midway
    assert upload(marie, "ordonnance-bis", long_clip.name, long_clip.read_bytes()).status_code == 303
    seen = []
    thread = threading.Thread(target=services.creations.run_once)
    thread.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = marie.get("/formateur/creations/ordonnance-bis/etat").json()
        seen.append((status["etat"], status["etape"], status["avancement"]))
        if status["etape"] == "transcription" and status["avancement"] > 0.2:
            break
        time.sleep(0.2)
    services.creations.stop()  # the server stops: the child is killed, the job back in the queue
    thread.join(30)
    assert not thread.is_alive()
    fractions = [f for state, stage, f in seen if stage == "transcription"]
    assert fractions and max(fractions) > 0.2 and fractions == sorted(fractions)
    status = marie.get("/formateur/creations/ordonnance-bis/etat").json()
    assert (status["etat"], status["message"]) == (QUEUED, queue.RELEASED)
    page = marie.get("/formateur/creations/ordonnance-bis")
    assert queue.RELEASED in html.unescape(page.text) and 'id="job-progress"' in page.text
    # the next start resumes it from the beginning, and this time it ends
    services.creations._stop.clear()
    assert services.creations.run_once()
    status = marie.get("/formateur/creations/ordonnance-bis/etat").json()
    assert (status["etat"], status["essais"]) == ("terminee", 2)
    page = marie.get("/formateur/creations/ordonnance-bis").text
    assert 'id="f-titre" name="titre" maxlength="200" value="Ordonnance"' in page and "comprimé" in page


# --- the whole way: upload, form, previews, publication, versions, withdrawal ---------------------

def learner_copy(page_text: str) -> tuple[str, str]:
    token = re.search(r'data-token="([^"]+)"', page_text)[1]
    text = html.unescape(re.search(r'<textarea id="texte"[^>]*>\n(.*?)</textarea>', page_text, re.DOTALL)[1])
    return token, text


def test_a_recording_becomes_a_published_versioned_exercise(centre):
    app, marie, jules, paul = centre["app"], centre["marie"], centre["jules"], centre["paul"]
    settings, class_id = centre["settings"], centre["class_id"]
    assert upload(marie, "holter-court", "dictee.flac", SHORT_CLIP.read_bytes()).status_code == 303
    assert upload(jules, "autre-court", "dictee.flac", SHORT_CLIP.read_bytes()).status_code == 303
    waiting = marie.get("/formateur/creations/holter-court")
    assert "Prochaine transcription de la file." in waiting.text and 'id="f-reference"' not in waiting.text
    assert jules.get("/formateur/creations/autre-court/etat").json()["avant"] == 1
    assert jules.get("/formateur/creations/holter-court").status_code == 404  # marie's
    refused = marie.client.post("/formateur/creations/holter-court/sauvegarde", json={"champs": {"titre": "x"}},
                                headers={"X-CSRF-Token": marie.csrf})
    assert refused.status_code == 409 and refused.json()["erreur"] == (
        "La transcription de cet enregistrement n'est pas terminée : le formulaire n'est pas encore modifiable.")
    assert app.state.services.creations.run_once()

    page = marie.get("/formateur/creations/holter-court")
    assert page.status_code == 200 and 'id="f-reference"' in page.text and 'src="/formateur/creations/holter-court/audio"' in page.text
    assert re.search(r'data-word="amylodipine" data-proposal="amlodipine"', page.text)  # the near-miss to fix
    assert 'name="titre" maxlength="200" value="Compte rendu"' in page.text  # the suggestions, in the form
    assert 'name="specialite" maxlength="100" list="specialites" value="cardiologie"' in page.text
    assert marie.get("/formateur/creations/holter-court/audio").content == store.audio_path(
        settings, "holter-court").read_bytes()

    fields = {"reference": BODY, "entete": HEAD, "signature": SIGNATURE, "titre": "Holter court",
              "temps": "dix", "fiche": "Nom DURAND"}
    revision = current_revision(marie, "holter-court")
    saved = marie.client.post("/formateur/creations/holter-court/sauvegarde", json={"revision": revision,
                              "champs": fields}, headers={"X-CSRF-Token": marie.csrf}).json()
    assert saved["revision"] == revision + 1 and saved["problemes"] == [
        "Temps imparti : un nombre de minutes supérieur à 0 et au plus 1440 est attendu (trouvé : « dix »).",
        "Fiche, ligne 1 : « Nom DURAND » : écrivez « Libellé : valeur »."]
    stale = marie.client.post("/formateur/creations/holter-court/sauvegarde", json={"revision": revision,
                              "champs": {"titre": "onglet oublié"}}, headers={"X-CSRF-Token": marie.csrf})
    assert stale.status_code == 409 and "modifié ailleurs" in stale.json()["erreur"]
    page = marie.get("/formateur/creations/holter-court")  # a reload shows what was typed, mistakes included
    assert 'value="dix"' in page.text and "Nom DURAND" in page.text and BODY in html.unescape(page.text)
    refused = publish(marie, "holter-court")
    assert refused.status_code == 400 and "À corriger avant de publier" in refused.text
    assert not store.version_folder(settings, "holter-court", 1).exists()
    assert "Aperçu impossible" in marie.get("/formateur/creations/holter-court/apercu/dictee").text
    sheet = "Nom : DURAND\nPrénom : Marcel\nMédecin : Dr Claire MARTIN, cardiologue"
    contradiction = publish(marie, "holter-court", temps="10", fiche=sheet, nom="DURANT")
    assert contradiction.status_code == 400 and html.escape(
        "Fiche invalide : « Nom » = « DURAND » : contredit l'identité du patient ([patient] nom = « DURANT »).",
        quote=False) in contradiction.text.replace("&#39;", "'")

    # the previews: the learner's two pages, nothing saved
    fixed = {"temps": "10", "fiche": sheet, "nom": "DURAND", "prenom": "Marcel"}
    revision = current_revision(marie, "holter-court")
    marie.client.post("/formateur/creations/holter-court/sauvegarde", json={"revision": revision, "champs": fixed},
                      headers={"X-CSRF-Token": marie.csrf})
    dictation = marie.get("/formateur/creations/holter-court/apercu/dictee")
    token, start = learner_copy(dictation.text)
    assert dictation.status_code == 200 and 'data-preview="1"' in dictation.text and token == "apercu"
    assert start == f"{HEAD}\n\n\n\n{SIGNATURE}\n"  # the template, the cursor's line empty
    assert "<dd>DURAND</dd>" in dictation.text and 'id="submit" disabled' in dictation.text
    correction = marie.get("/formateur/creations/holter-court/apercu/correction")
    assert learner_copy(correction.text)[1].startswith("Le patient présente une hipertension")  # Whisper's draft
    with app.state.services.sessions.begin() as session:
        assert session.scalar(select(func.count(db.WorkingCopy.id))) == 0

    done = publish(marie, "holter-court")
    assert done.status_code == 303 and done.headers["location"] == "/formateur/creations/holter-court?publie=1"
    v1 = store.version_folder(settings, "holter-court", 1)
    assert files_under(v1) == ["audio_samples", "audio_samples/holter-court.flac", "audio_samples/holter-court.timings.json",
                               "references", "references/holter-court.brouillon.toml", "references/holter-court.brouillon.txt",
                               "references/holter-court.modele.txt", "references/holter-court.toml", "references/holter-court.txt"]
    assert (v1 / "references" / "holter-court.txt").read_text(encoding="utf-8") == f"{HEAD}\n\n{BODY}\n\n{SIGNATURE}\n"
    unchanged = publish(marie, "holter-court")
    assert unchanged.headers["location"] == "/formateur/creations/holter-court?publie=1&inchangee=1"
    assign(marie, class_id, "holter-court")
    assign(marie, class_id, "holter-court", mode="correction")

    # the learner: the template pre-filled, the reference typed in it: 20/20, on version 1
    token, start = learner_copy(paul.get("/exercices/holter-court/dictee").text)
    assert start == f"{HEAD}\n\n\n\n{SIGNATURE}\n"
    typed = start.replace("\n\n\n\n", f"\n\n{BODY}\n\n")
    report = paul.post("/exercices/holter-court/dictee/rendre", {"jeton": token, "texte": typed})
    assert report.status_code == 303
    first = paul.get(report.headers["location"])
    assert re.search(r'id="note">([^<]*)<', first.text)[1] == "20,0"
    replay = paul.get(report.headers["location"] + "/reperes").json()
    assert replay["etat"] == "pret"  # the timings of version 1, aligned at publication

    # a copy started on version 1 stays on it when version 2 is published
    token, start = learner_copy(paul.get("/exercices/holter-court/dictee").text)
    paul.client.post("/exercices/holter-court/dictee/debut", json={"jeton": token}, headers={"X-CSRF-Token": paul.csrf})
    v2_body = BODY.replace("atriale.", "atriale paroxystique.")
    assert publish(marie, "holter-court", reference=v2_body).headers["location"].endswith("publie=2")
    page = paul.get("/exercices/holter-court/dictee")
    assert 'id="newer-version"' in page.text and learner_copy(page.text)[0] == token
    again = paul.post("/exercices/holter-court/dictee/rendre", {"jeton": token, "texte": typed})
    second = paul.get(again.headers["location"])
    assert re.search(r'id="note">([^<]*)<', second.text)[1] == "20,0"  # graded against version 1
    page = paul.get("/exercices/holter-court/dictee")  # the next copy is on version 2
    assert 'id="newer-version"' not in page.text
    token, start = learner_copy(page.text)
    third = paul.post("/exercices/holter-court/dictee/rendre", {"jeton": token, "texte": typed})
    assert re.search(r'id="note">([^<]*)<', paul.get(third.headers["location"]).text)[1] != "20,0"
    with app.state.services.sessions.begin() as session:
        versions = session.scalars(select(db.Attempt.exercise_version).order_by(db.Attempt.id)).all()
    assert versions == [1, 1, 2]

    # withdrawn: hidden from the learner, attempts kept, the class page says so
    assert marie.post("/formateur/creations/holter-court/retirer").status_code == 303
    assert "holter-court" not in re.findall(r'<tr id="ex-([^"]+)"', paul.get("/").text)
    assert paul.get("/exercices/holter-court/dictee").status_code == 404
    assert paul.get(report.headers["location"]).status_code == 200
    assert "exercice retiré" in marie.get(f"/formateur/classes/{class_id}").text
    trainer_view = marie.get(f"/formateur/tentatives/{report.headers['location'].rsplit('/', 1)[1]}")
    assert "version 1 de l'exercice" in trainer_view.text and 'id="replay-audio"' in trainer_view.text
    assert publish(marie, "holter-court").headers["location"].endswith("publie=2&inchangee=1")  # offered again
    assert "holter-court" in re.findall(r'<tr id="ex-([^"]+)"', paul.get("/").text)
    refused = marie.post("/formateur/creations/holter-court/supprimer")
    assert refused.status_code == 409 and "Un exercice publié ne se supprime pas (des apprenants l'ont peut-être fait) : retirez-le plutôt." in html.unescape(refused.text)

    # the journal: each step, in French
    journal = html.unescape(marie.get("/formateur/journal").text)
    steps = re.findall(r"<tr><td class=\"nowrap\">[^<]*</td><td>([^<]*)</td><td>holter-court</td>", journal)
    assert steps[::-1] == ["Enregistrement envoyé", "Transcription terminée", "Brouillon d'exercice enregistré",
                           "Exercice publié", "Devoir donné", "Devoir donné", "Nouvelle version publiée",
                           "Exercice retiré", "Exercice de nouveau proposé"]
    assert "None" not in journal and "ouverture : dès maintenant · fermeture : jamais" in journal
    with app.state.services.sessions.begin() as session:
        assert session.scalars(select(CreationVersion.version)).all() == [1, 2]


def test_the_zip_regrades_dictations_and_draft_corrections_of_every_version(centre, tmp_path):
    app, marie, paul, class_id = centre["app"], centre["marie"], centre["paul"], centre["class_id"]
    make_creation(app, marie, "holter-court", reference=BODY, entete=HEAD, signature=SIGNATURE, temps="5")
    assert publish(marie, "holter-court").status_code == 303
    for mode in ("dictee", "correction"):
        assign(marie, class_id, "holter-court", mode=mode)
        assign(marie, class_id, "14-ordonnance", mode=mode)
    for exercise, mode in (("holter-court", "dictee"), ("holter-court", "correction"), ("14-ordonnance", "correction"),
                           ("14-ordonnance", "dictee")):
        token, text = learner_copy(paul.get(f"/exercices/{exercise}/{mode}").text)
        paul.client.post(f"/exercices/{exercise}/{mode}/debut", json={"jeton": token}, headers={"X-CSRF-Token": paul.csrf})
        typed = text.replace("hipertension", "hypertension") if mode == "correction" else text.replace("\n\n\n\n", "\n\nTexte.\n\n")
        assert paul.post(f"/exercices/{exercise}/{mode}/rendre", {"jeton": token, "texte": typed}).status_code == 303
    base = f"/formateur/classes/{class_id}/export"
    server = {(i["learner"], i["exercise"], i["report"]): i["score"] for i in marie.get(f"{base}/carnet.json").json()["items"]}
    archive = zipfile.ZipFile(io.BytesIO(marie.get(f"{base}/copies.zip").content))
    names = sorted(archive.namelist())
    assert [n for n in names if n.startswith("copies/")] == [
        "copies/paul/14-ordonnance.correction.txt", "copies/paul/14-ordonnance.txt",
        "copies/paul/holter-court-v1.correction.txt", "copies/paul/holter-court-v1.txt"]
    assert {"references/holter-court-v1.txt", "references/holter-court-v1.modele.txt",
            "references/holter-court-v1.brouillon.txt", "references/14-ordonnance.brouillon.txt"} <= set(names)
    manifest = archive.read("manifeste.csv").decode().splitlines()
    assert manifest[0] == "apprenant,exercice,fichier,duree_minutes,brouillon,mode"
    assert [row.split(",")[1:3] + row.split(",")[4:] for row in manifest[1:]] == [
        ["14-ordonnance", "paul/14-ordonnance.correction.txt", "fourni", "correction"],
        ["14-ordonnance", "paul/14-ordonnance.txt", "", "dictee"],
        ["holter-court-v1", "paul/holter-court-v1.correction.txt", "fourni", "correction"],
        ["holter-court-v1", "paul/holter-court-v1.txt", "", "dictee"]]
    assert all(re.fullmatch(r"\d+\.\d\d", row.split(",")[3]) for row in manifest[1:])  # minutes to the hundredth
    archive.extractall(tmp_path / "export")
    out = tmp_path / "corrections"
    result = CliRunner().invoke(main, ["grade", str(tmp_path / "export" / "copies"), "--references",
                                       str(tmp_path / "export" / "references"), "--manifest",
                                       str(tmp_path / "export" / "manifeste.csv"), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    graded = {(i["learner"], i["exercise"], i["report"]): i["score"]
              for i in json.loads((out / "gradebook.json").read_text(encoding="utf-8"))["items"]}
    assert graded == server  # the same notes, criteria and post-editing figures, draft corrections included
    assert graded[("paul", "holter-court-v1", "paul/holter-court-v1.correction.html")]["post_edit"]["corrected"] >= 1


# --- the trainer's attempt page: replay, comment, « le texte de l'apprenant »; passwords -----------

def test_the_trainer_hears_the_attempt_and_comments_it_for_the_learner(centre):
    app, marie, paul, class_id = centre["app"], centre["marie"], centre["paul"], centre["class_id"]
    assign(marie, class_id, "14-ordonnance")
    token, text = learner_copy(paul.get("/exercices/14-ordonnance/dictee").text)
    submitted = paul.post("/exercices/14-ordonnance/dictee/rendre", {"jeton": token, "texte": text + "Ordonnance."})
    attempt_id = submitted.headers["location"].rsplit("/", 1)[1]
    page = marie.get(f"/formateur/tentatives/{attempt_id}")
    assert "Le texte de l&#39;apprenant, erreurs en place" in page.text and "Votre texte" not in page.text
    assert f'data-replay-url="/formateur/tentatives/{attempt_id}/reperes"' in page.text
    assert marie.get(f"/formateur/tentatives/{attempt_id}/audio").content == (
        ROOT / "audio_samples" / "14-ordonnance.flac").read_bytes()
    replay = marie.get(f"/formateur/tentatives/{attempt_id}/reperes").json()
    assert replay["etat"] == "pret" and replay["temps"]  # the bundled timings: a time for every error
    assert all(f'data-n="{n}" data-t="{t}"' in page.text for n, t in replay["temps"].items())
    saved = marie.post(f"/formateur/tentatives/{attempt_id}/commentaire", {"commentaire": "Relisez les posologies.\n"
                                                                                          "Bon travail sur l'en-tête."})
    assert saved.status_code == 303
    report = paul.get(f"/tentatives/{attempt_id}").text
    assert html.unescape(re.search(r'<p class="comment-text">(.*?)</p>', report, re.DOTALL)[1]) == (
        "Relisez les posologies.\nBon travail sur l'en-tête.")
    assert "Marie Lefèvre, le " in report
    assert marie.post(f"/formateur/tentatives/{attempt_id}/commentaire", {"commentaire": "  "}).status_code == 303
    assert 'class="comment-text"' not in paul.get(f"/tentatives/{attempt_id}").text
    with app.state.services.sessions.begin() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("commentaire%"))).all()
    assert actions == ["commentaire", "commentaire_supprime"]


def test_a_trainer_gives_a_learner_a_new_password_once(centre):
    app, marie, paul = centre["app"], centre["marie"], centre["paul"]
    with app.state.services.sessions.begin() as session:
        paul_id = session.scalar(select(User.id).where(User.username == "paul"))
    assert "Donner un nouveau mot de passe" in marie.get(f"/formateur/apprenants/{paul_id}").text
    page = marie.post(f"/formateur/apprenants/{paul_id}/mot-de-passe")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    password = re.search(r'<code class="password" id="new-password">([^<]+)</code>', page.text)[1]
    assert paul.get("/").status_code == 303  # his sessions are ended
    assert Browser(app).login("paul").status_code == 401  # the old password no longer works
    assert Browser(app).login("paul", password).status_code == 303
    journal = marie.get("/formateur/journal").text
    assert "Mot de passe réinitialisé</td><td>paul</td>" in journal and password not in journal
    assert centre["jules"].post(f"/formateur/apprenants/{paul_id}/mot-de-passe").status_code == 404


def test_dates_are_written_one_way_everywhere(centre):
    app, marie, paul, class_id = centre["app"], centre["marie"], centre["paul"], centre["class_id"]
    assign(marie, class_id, "14-ordonnance")
    token, text = learner_copy(paul.get("/exercices/14-ordonnance/dictee").text)
    paul.post("/exercices/14-ordonnance/dictee/rendre", {"jeton": token, "texte": text})
    with app.state.services.sessions.begin() as session:
        paul_id = session.scalar(select(User.id).where(User.username == "paul"))
    pattern = re.compile(r"\d\d/\d\d/\d{4} à \d\d h \d\d")
    for path in (f"/formateur/apprenants/{paul_id}", f"/formateur/classes/{class_id}/rapport", "/formateur/journal"):
        text = marie.get(path).text
        assert pattern.search(text), path
        assert not re.search(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d", text), path  # no ISO date shown


def test_a_miscorrected_draft_error_is_labelled_in_the_list(centre):
    marie, paul, class_id = centre["marie"], centre["paul"], centre["class_id"]
    assign(marie, class_id, "14-ordonnance", mode="correction")
    token, _draft = learner_copy(paul.get("/exercices/14-ordonnance/correction").text)
    reference = (ROOT / "references" / "14-ordonnance.txt").read_text(encoding="utf-8")
    typed = reference.replace("Ésoméprazole", "Ésoméprazol")  # the draft (« Ézoméprazole ») changed, still wrong
    report = paul.get(paul.post("/exercices/14-ordonnance/correction/rendre", {"jeton": token, "texte": typed})
                      .headers["location"]).text
    counted = re.search(r"<div><strong>(\d+)</strong>mal corrigées", report)
    labelled = report.count("· mal corrigée (passage du brouillon modifié, encore faux)")
    assert counted and (int(counted[1]), labelled) == (1, 1)
