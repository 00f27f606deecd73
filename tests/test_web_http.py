"""`transcribe serve` over HTTP (Starlette's TestClient): every route, bad input, escaping."""

from __future__ import annotations

import html
import re
import shutil

import pytest
from starlette.testclient import TestClient

from transcribe.web.app import create_app
from transcribe.web.config import Settings
from transcribe.web.security import CSP

from conftest import AUDIO, REFERENCES

EXERCISE = "14-ordonnance"
BASE = f"/exercices/{EXERCISE}/dictee"


def make_client(tmp_path, references=None, **kwargs) -> TestClient:
    settings = Settings(f"sqlite:///{tmp_path / 'db.sqlite3'}", references, tmp_path / "data", **kwargs)
    return TestClient(create_app(settings))


@pytest.fixture
def client(tmp_path):
    with make_client(tmp_path) as c:
        yield c


def area_text(page: str) -> str:
    """The copy's text area, as a browser reads it (the newline after the tag is not content)."""
    raw = re.search(r'<textarea id="texte"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    return html.unescape(raw[1:] if raw.startswith("\n") else raw)


TEMPLATE_START = (REFERENCES / f"{EXERCISE}.modele.txt").read_text(encoding="utf-8").replace("[texte dicté]", "")


def token_of(page: str) -> str:
    return re.search(r'data-token="([^"]+)"', page).group(1)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def reference(exercise: str = EXERCISE) -> str:
    return (REFERENCES / f"{exercise}.txt").read_text(encoding="utf-8")


def submit(client, copy: str, exercise: str = EXERCISE, **fields):
    token = token_of(client.get(f"/exercices/{exercise}/dictee").text)
    return client.post(f"/exercices/{exercise}/dictee/rendre", data={"jeton": token, "texte": copy, **fields},
                       follow_redirects=False), token


# --- pages ------------------------------------------------------------------------------------

def test_filters_by_specialty_and_difficulty(client):
    page = client.get("/", params={"specialite": "imagerie"}).text
    assert re.findall(r'<tr id="ex-([^"]+)">', page) == ["05-echographie-abdominale", "06-scanner-thoracique",
                                                          "07-irm-genou"]
    assert "3 exercice(s) sur 15." in page
    page = client.get("/", params={"specialite": "imagerie", "difficulte": "facile"}).text
    assert re.findall(r'<tr id="ex-([^"]+)">', page) == ["05-echographie-abdominale"]
    assert len(re.findall(r'<tr id="ex-', client.get("/", params={"difficulte": "moyen"}).text)) == 7


def test_workspace_page_has_the_player_and_a_raw_text_area(client):
    assert client.get(f"/exercices/{EXERCISE}", follow_redirects=False).headers["location"] == BASE
    page = client.get(BASE)
    assert page.status_code == 200
    area = re.search(r"<textarea[^>]*>", page.text).group(0)
    for attribute in ('spellcheck="false"', 'autocorrect="off"', 'autocapitalize="off"', 'autocomplete="off"'):
        assert attribute in area
    assert f'<audio id="audio" preload="auto" src="/exercices/{EXERCISE}/audio">' in page.text
    assert re.findall(r'<kbd data-key-of="(\w+)">([^<]+)</kbd>', page.text) == [
        ("bascule", "Échap"), ("lecture", "F9"), ("arret", "F4"), ("retour", "F7"), ("avance", "F8")]
    assert 'type="range" id="speed" min="50" max="150"' in page.text
    assert "<script>" not in page.text and "onclick" not in page.text and "style=" not in page.text
    assert page.headers["content-security-policy"] == CSP
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP


def test_every_page_is_french_with_security_headers(client):
    submit(client, reference())
    for url in ("/", BASE, "/progression", "/tentatives/1", "/nulle-part"):
        page = client.get(url)
        assert '<html lang="fr">' in page.text, url
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["x-frame-options"] == "DENY"
    assert client.get("/theme.css").headers["content-type"] == "text/css; charset=utf-8"
    assert ".t-omission{background:#d62728" in client.get("/theme.css").text
    assert client.get("/static/player.js").status_code == 200


@pytest.mark.parametrize("url, message", [
    ("/exercices/inconnu/dictee", "Exercice « inconnu » inconnu."),
    ("/exercices/..%2F..%2Fetc%2Fpasswd/audio", "Cette page n'existe pas : l'exercice ou la tentative demandés sont inconnus."),
    ("/exercices/%3Cscript%3E/dictee", "Exercice « <script> » inconnu."),
    (f"/exercices/{EXERCISE}/autre-mode", "Mode « autre-mode » indisponible pour cet exercice."),
    ("/tentatives/999", "Tentative « 999 » inconnue."),
    ("/tentatives/abc", "Tentative « abc » inconnue."),
    ("/page/inexistante", "Cette page n'existe pas : l'exercice ou la tentative demandés sont inconnus."),
])
def test_bad_ids_give_a_french_404_page(client, url, message):
    page = client.get(url)
    assert page.status_code == 404
    assert "Page introuvable" in page.text
    shown = re.search(r'<p class="error-message">(.*?)</p>', page.text).group(1)
    assert html.unescape(shown) == message
    assert "<script>" not in page.text


def test_bad_ids_on_the_scripts_endpoints_give_a_french_404_in_json(client):
    assert client.get("/tentatives/999/reperes").json() == {"erreur": "Tentative « 999 » inconnue."}
    response = client.get("/exercices/inconnu/minutage")
    assert response.status_code == 404 and response.json() == {"erreur": "Exercice « inconnu » inconnu."}
    response = client.post("/exercices/inconnu/dictee/sauvegarde", json={"jeton": "a", "texte": "b"})
    assert response.status_code == 404 and response.json() == {"erreur": "Exercice « inconnu » inconnu."}


# --- audio --------------------------------------------------------------------------------------

def test_audio_is_served_with_range_requests(client):
    size = (AUDIO / f"{EXERCISE}.flac").stat().st_size
    whole = client.get(f"/exercices/{EXERCISE}/audio")
    assert whole.status_code == 200 and whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["content-type"] == "audio/flac" and len(whole.content) == size
    part = client.get(f"/exercices/{EXERCISE}/audio", headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 1000-1999/{size}"
    assert part.content == (AUDIO / f"{EXERCISE}.flac").read_bytes()[1000:2000]
    tail = client.get(f"/exercices/{EXERCISE}/audio", headers={"Range": "bytes=-100"})
    assert tail.status_code == 206 and len(tail.content) == 100
    assert client.get(f"/exercices/{EXERCISE}/audio", headers={"Range": f"bytes={size + 10}-"}).status_code == 416


# --- autosave, first play, submission ----------------------------------------------------------

def test_autosave_brings_the_text_back_after_a_server_restart(tmp_path):
    with make_client(tmp_path) as c:
        token = token_of(c.get(BASE).text)
        saved = c.post(f"{BASE}/sauvegarde", json={"jeton": token, "texte": "Ordonnance du 04/03", "collages": 2,
                                                   "caracteres_colles": 31})
        assert saved.status_code == 200 and isinstance(saved.json()["enregistre"], int)
    with make_client(tmp_path) as c:  # a new application on the same database
        page = c.get(BASE).text
        assert token_of(page) == token
        assert area_text(page) == "Ordonnance du 04/03"
        assert '<strong id="pastes">2</strong> (<span id="pasted-chars">31</span>' in page


def test_first_play_starts_the_clock_once_and_fills_del(client):
    token = token_of(client.get(BASE).text)
    first = client.post(f"{BASE}/debut", json={"jeton": token}).json()["debut"]
    assert client.post(f"{BASE}/debut", json={"jeton": token}).json()["debut"] == first
    assert f'data-started="{first}"' in client.get(BASE).text
    response = client.post(f"{BASE}/rendre", data={"jeton": token, "texte": reference()})
    assert response.status_code == 200
    export = client.get("/progression/tentatives.json").json()["tentatives"][0]
    assert 0 <= export["duree_minutes"] < 1
    assert export["score"]["criteria"]["DEL"]["acquis"] is True
    assert export["DEL_acquis"] is True


def test_without_a_play_del_is_not_measured(client):
    submit(client, reference())
    export = client.get("/progression/tentatives.json").json()["tentatives"][0]
    assert export["duree_minutes"] is None and export["score"]["criteria"]["DEL"]["acquis"] is None


def test_submitting_twice_records_one_attempt_and_a_new_copy_starts(client):
    first, token = submit(client, reference(), collages="1", caracteres_colles="12")
    assert first.status_code == 303 and first.headers["location"] == "/tentatives/1"
    again = client.post(f"{BASE}/rendre", data={"jeton": token, "texte": "autre chose"}, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/tentatives/1"
    assert len(client.get("/progression/tentatives.json").json()["tentatives"]) == 1
    page = client.get(BASE).text
    assert token_of(page) != token and area_text(page) == TEMPLATE_START  # a fresh copy: the template
    stale = client.post(f"{BASE}/sauvegarde", json={"jeton": token, "texte": "x"})
    assert stale.status_code == 409
    assert stale.json()["erreur"].startswith("Cette copie a déjà été rendue")


def test_the_report_shows_note_errors_and_replay_buttons(client):
    copy = reference().replace("Lévothyroxine", "Levothyroxine")
    response, _ = submit(client, copy, collages="1", caracteres_colles="40")
    page = client.get(response.headers["location"]).text
    assert re.search(r'id="note">([^<]+)<', page).group(1) == "19,5"
    assert '<mark class="t-accent" id="e1" title="1. faute d&#39;accent — attendu : « Lévothyroxine »">' \
           'Levothyroxine</mark>' in page
    buttons = re.findall(r'<button type="button" class="replay" data-n="(\d+)" data-t="([\d.]+)"', page)
    assert [n for n, _ in buttons] == ["1"]
    assert 14.0 < float(buttons[0][1]) < 20.0  # the line of the Lévothyroxine, 1.5 s before it
    assert '<strong id="attempt-pastes">1</strong> (40 caractères)' in page
    replay = client.get("/tentatives/1/reperes").json()
    assert replay["etat"] == "pret" and replay["temps"] == {"1": float(buttons[0][1])}


def test_learner_text_is_escaped_everywhere(client):
    hostile = "<script>alert(1)</script> <img src=x onerror=alert(2)>"
    token = token_of(client.get(BASE).text)
    client.post(f"{BASE}/sauvegarde", json={"jeton": token, "texte": hostile})
    workspace = client.get(BASE).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in workspace and "<script>alert" not in workspace
    client.post(f"{BASE}/rendre", data={"jeton": token, "texte": reference() + hostile})
    report = client.get("/tentatives/1").text
    assert "<script>alert" not in report and "<img src=x" not in report
    copy = re.search(r'<div class="copy" id="copy">(.*?)</div>', report, re.S).group(1)
    shown = html.unescape(re.sub(r"<sup>\d+</sup>|<[^>]+>", "", copy))
    assert shown.endswith(hostile)


@pytest.mark.parametrize("data, message", [
    ({"texte": "bonjour"}, "jeton de copie absent ou invalide"),
    ({"jeton": "x" * 65, "texte": "bonjour"}, "jeton de copie absent ou invalide"),
    ({"jeton": "abc"}, "le texte de la copie est absent"),
    ({"jeton": "abc", "texte": "a", "collages": "beaucoup"}, "« collages » doit être un nombre entier"),
    ({"jeton": "abc", "texte": "a", "caracteres_colles": "-3"}, "« caracteres_colles » hors limites"),
])
def test_malformed_form_gives_400_with_a_message(client, data, message):
    client.get(BASE)
    response = client.post(f"{BASE}/rendre", data=data)
    assert response.status_code == 400
    assert "Requête incorrecte" in response.text and message in response.text.replace("&lt;", "<")


@pytest.mark.parametrize("body, headers, message", [
    ("pas du json", {"Content-Type": "application/json"}, "JSON illisible"),
    ("[1, 2]", {"Content-Type": "application/json"}, "un objet JSON est attendu"),
    ("jeton=a", {"Content-Type": "application/x-www-form-urlencoded"}, "un objet JSON est attendu"),
    ('{"jeton": "a", "texte": 3}', {"Content-Type": "application/json"}, "le texte de la copie est absent"),
])
def test_malformed_autosave_gives_400_in_json(client, body, headers, message):
    response = client.post(f"{BASE}/sauvegarde", content=body, headers=headers)
    assert response.status_code == 400
    assert message in response.json()["erreur"]


def test_unknown_token_on_submit_is_a_conflict_not_an_attempt(client):
    client.get(BASE)
    response = client.post(f"{BASE}/rendre", data={"jeton": "inconnu", "texte": "bonjour"})
    assert response.status_code == 409
    assert "Rechargez l&#39;exercice" in response.text
    assert "ce texte n&#39;a pas été enregistré" in response.text  # it was not: the page must not say it was
    assert client.get("/progression/tentatives.json").json() == {"tentatives": []}


def test_oversized_body_gives_413(tmp_path):
    with make_client(tmp_path, max_body_bytes=2000) as c:
        token = token_of(c.get(BASE).text)
        big = c.post(f"{BASE}/rendre", data={"jeton": token, "texte": "mot " * 1000})
        assert big.status_code == 413 and "Envoi trop volumineux" in big.text

        def chunks():  # no Content-Length: the limit applies while reading
            yield b'{"jeton": "' + token.encode() + b'", "texte": "'
            for _ in range(10):
                yield b"x" * 500
            yield b'"}'

        streamed = c.post(f"{BASE}/sauvegarde", content=chunks(), headers={"Content-Type": "application/json"})
        assert streamed.status_code == 413
        assert streamed.json() == {"erreur": "Le texte envoyé dépasse la taille autorisée."}


def test_posts_from_another_site_are_refused(client):
    token = token_of(client.get(BASE).text)
    response = client.post(f"{BASE}/rendre", data={"jeton": token, "texte": "x"},
                           headers={"Origin": "http://evil.example"})
    assert response.status_code == 403 and "ne vient pas de cette application" in response.text
    same = client.post(f"{BASE}/sauvegarde", json={"jeton": token, "texte": "x"},
                       headers={"Origin": "http://testserver"})
    assert same.status_code == 200


# --- progress and export -------------------------------------------------------------------------

def test_progress_export_and_list_after_two_attempts(client):
    submit(client, reference().replace("Lévothyroxine", "Levothyroxine"))
    submit(client, reference("13-certificat-medical").replace("GIRAUD", "GIRAULT"), "13-certificat-medical")
    csv_text = client.get("/progression/tentatives.csv").text
    assert csv_text.startswith("\ufefftentative,date,exercice,titre,mode,note,acquis,FID_acquis")
    lines = csv_text.lstrip("\ufeff").splitlines()
    assert [line.split(",")[2] for line in lines[1:]] == [EXERCISE, "13-certificat-medical"]
    page = client.get("/progression").text
    assert re.findall(r'<td class="num">(\d+,\d)</td>', page) == ["19,0", "19,5"]  # newest first
    rates = re.findall(r"<strong>(\w+)</strong>[^<]*</td><td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td>",
                       page)
    assert rates == [("FID", "2", "2"), ("TER", "2", "2"), ("ORT", "2", "2"), ("IDV", "1", "2"), ("MEF", "2", "2"),
                     ("DEL", "0", "0")]
    assert '<td>Lévothyroxine</td><td class="num">1</td>' in page
    suggestion = re.search(r'id="suggestion"><a href="/exercices/([^/]+)/dictee">', page).group(1)
    assert suggestion == "08-compte-rendu-operatoire"  # most identity fields and critical values
    assert "Votre critère le plus fragile est IDV" in page
    listing = client.get("/").text
    row = re.search(rf'<tr id="ex-{EXERCISE}">(.*?)</tr>', listing, re.S).group(1)
    assert "19,5 / 20 <span class=\"yes\">acquis</span>" in row and "1 tentative(s)" in row


def test_a_trainers_folder_is_served(tmp_path, mini_exercise):
    folder = mini_exercise.parent
    shutil.copy(AUDIO / "00-court.flac", folder / "mini.flac")
    with make_client(tmp_path, references=folder) as c:
        page = c.get("/").text
        assert re.findall(r'<tr id="ex-([^"]+)">', page) == ["mini"]
        assert c.get("/exercices/14-ordonnance/dictee").status_code == 404


def test_an_unexpected_error_keeps_the_copy_and_says_so_in_french(tmp_path, monkeypatch):
    from transcribe.web.views import workspace

    def broken(exercise, text, elapsed, draft=None):
        raise RuntimeError("panne")

    monkeypatch.setattr(workspace, "grade_copy", broken)
    with TestClient(create_app(Settings(f"sqlite:///{tmp_path / 'db.sqlite3'}", None, tmp_path)),
                    raise_server_exceptions=False) as c:
        token = token_of(c.get(BASE).text)
        c.post(f"{BASE}/sauvegarde", json={"jeton": token, "texte": "Ordonnance du 04/03/2026"})
        response = c.post(f"{BASE}/rendre", data={"jeton": token, "texte": "Ordonnance du 04/03/2026"})
        assert response.status_code == 500
        assert "Une erreur inattendue s&#39;est produite pendant la correction ; votre texte est conservé. Réessayez." in response.text
        page = c.get(BASE).text
        assert token_of(page) == token and area_text(page) == "Ordonnance du 04/03/2026"


# --- draft correction ------------------------------------------------------------------------------

def test_draft_correction_starts_from_the_draft_and_reports_post_editing(client):
    assert 'href="/exercices/14-ordonnance/correction" aria-label="Correction du brouillon : Ordonnance"' \
        in client.get("/").text
    draft = (REFERENCES / f"{EXERCISE}.brouillon.txt").read_text(encoding="utf-8")
    page = client.get(f"/exercices/{EXERCISE}/correction").text
    assert area_text(page) == draft
    assert "Brouillon à corriger" in page and 'data-mode="correction"' in page
    corrected = draft.replace("à jeu.", "à jeun.").replace("Elaine", "Hélène")
    response = client.post(f"/exercices/{EXERCISE}/correction/rendre",
                           data={"jeton": token_of(page), "texte": corrected}, follow_redirects=False)
    assert response.headers["location"] == "/tentatives/1"
    report = text(client.get("/tentatives/1").text)
    # the letterhead and signature still missing: 4 given lines, each one draft error left
    assert "Correction du brouillon 34 erreurs dans le brouillon 2 corrigées 32 oubliées (laissées du brouillon) " \
           "0 introduites 6 % taux de correction" in report
    assert "Lignes du modèle supprimées (4)" in report
    [attempt] = client.get("/progression/tentatives.json").json()["tentatives"]
    assert (attempt["mode"], attempt["taux_correction"]) == ("correction", 0.0588)
    assert attempt["score"]["post_edit"]["corrected"] == 2
    # the next correction starts from the draft again; dictation of the same exercise is separate
    assert area_text(client.get(f"/exercices/{EXERCISE}/correction").text) == draft
    assert area_text(client.get(BASE).text) == TEMPLATE_START


def test_an_exercise_without_draft_has_no_correction_mode(tmp_path, mini_exercise):
    shutil.copy(AUDIO / "00-court.flac", mini_exercise.parent / "mini.flac")
    toml = mini_exercise.with_suffix(".toml")
    toml.write_text('audio = "mini.flac"\n' + toml.read_text(encoding="utf-8"), encoding="utf-8")
    with make_client(tmp_path, references=mini_exercise.parent) as c:
        assert "Corriger le brouillon" not in c.get("/").text
        assert c.get("/exercices/mini/dictee").status_code == 200
        page = c.get("/exercices/mini/correction")
        assert page.status_code == 404 and "Mode « correction » indisponible pour cet exercice." in page.text
