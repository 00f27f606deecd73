"""The exercise as the learner receives it in `transcribe serve`: the text area starts from the
template (dictation) or the draft (correction), the instructions and the sheet sit under the
player, a printable subject page, the template as .docx/.odt to download."""

import html
import io
import re
import shutil

import docx

from conftest import AUDIO, REFERENCES
from test_web_http import area_text, client, make_client, text, token_of  # noqa: F401 (fixture)
from transcribe.exercise import find_exercise
from transcribe.web.security import CSP

EXERCISE = find_exercise("14-ordonnance", REFERENCES)
BASE = "/exercices/14-ordonnance"


def test_dictation_starts_from_the_template_the_cursor_on_the_body_line(client):
    page = client.get(f"{BASE}/dictee").text
    assert area_text(page) == EXERCISE.given.start_text()
    assert 'data-caret-line="4"' in page  # lines 0-2: letterhead, 3: blank, 4: the dictated text
    start = re.search(r'<textarea id="start-text" hidden aria-hidden="true" tabindex="-1" readonly>\n(.*?)</textarea>',
                      page, re.S).group(1)
    assert start == EXERCISE.given.start_text()
    assert "sans supprimer les lignes fournies" in page and 'id="insert-template"' not in page


def test_the_subject_sits_under_the_player(client):
    page = client.get(f"{BASE}/dictee").text
    subject = html.unescape(text(page[page.index('<section class="card subject" id="sujet"'):
                                      page.index('<section class="card editor">')]))
    assert subject.startswith("Sujet Consigne " + EXERCISE.given.instructions + " Fiche de renseignements Nom MARCHAND "
                              "Prénom Hélène Sexe féminin Date de naissance 09/12/1949 Poids 58 kg")
    assert "Modèle du document" not in subject  # in dictation mode the template is in the text area
    assert 'href="/exercices/14-ordonnance/sujet"' in page and 'href="/exercices/14-ordonnance/modele.docx"' in page


def test_correction_starts_from_the_draft_and_shows_the_template(client):
    page = client.get(f"{BASE}/correction").text
    draft = (REFERENCES / "14-ordonnance.brouillon.txt").read_text(encoding="utf-8")
    assert area_text(page) == draft
    assert '<pre class="template" id="modele">Dr Vincent LAMBERT\nMédecin généraliste\n8 place du Marché, 37000 Tours\n' \
           '\n[texte dicté]\n\nDr Vincent LAMBERT\n</pre>' in page
    assert '<button type="button" class="secondary" id="insert-template"' in page
    assert "Complétez le document d'après le modèle (en-tête, signature) et la fiche" in page


def test_after_a_submission_the_next_copy_starts_from_the_template_again(client):
    page = client.get(f"{BASE}/dictee").text
    client.post(f"{BASE}/dictee/rendre", data={"jeton": token_of(page), "texte": "Ordonnance"})
    again = client.get(f"{BASE}/dictee").text
    assert token_of(again) != token_of(page) and area_text(again) == EXERCISE.given.start_text()


def test_the_printable_subject_page(client):
    response = client.get(f"{BASE}/sujet")
    assert response.status_code == 200 and response.headers["content-security-policy"] == CSP
    page = html.unescape(response.text)
    assert "<h1>Sujet : Ordonnance</h1>" in page and '<body class="printable">' in page
    assert EXERCISE.given.instructions in page and "<dt>Prescripteur</dt><dd>Dr Vincent LAMBERT, médecin généraliste</dd>" in page
    assert '<pre class="template" id="modele">' in page
    assert '<button type="button" id="print" data-print>Imprimer</button>' in page
    assert '<script src="/static/print.js" defer></script>' in page and "onclick" not in page
    assert client.get("/static/print.js").status_code == 200
    assert client.get("/exercices/99-inconnu/sujet").status_code == 404


def test_the_template_downloads_as_docx_and_odt(client):
    response = client.get(f"{BASE}/modele.docx")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == \
        "attachment; filename=\"modele.docx\"; filename*=UTF-8''14-ordonnance.docx"
    paragraphs = [p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs]
    assert paragraphs[:3] == ["Dr Vincent LAMBERT", "Médecin généraliste", "8 place du Marché, 37000 Tours"]
    odt = client.get(f"{BASE}/modele.odt")
    assert odt.status_code == 200 and odt.headers["content-type"] == "application/vnd.oasis.opendocument.text"
    assert client.get(f"{BASE}/modele.pdf").status_code == 404


def test_an_exercise_without_given_material_keeps_the_empty_start(tmp_path, mini_exercise):
    shutil.copy(AUDIO / "00-court.flac", mini_exercise.parent / "mini.flac")
    toml = mini_exercise.with_suffix(".toml")
    toml.write_text('audio = "mini.flac"\n' + toml.read_text(encoding="utf-8"), encoding="utf-8")
    with make_client(tmp_path, references=mini_exercise.parent) as c:
        page = c.get("/exercices/mini/dictee").text
        assert area_text(page) == "" and 'id="sujet"' not in page and "data-caret-line" not in page
        assert c.get("/exercices/mini/modele.docx").status_code == 404
        assert "ni consigne, ni fiche, ni modèle" in c.get("/exercices/mini/sujet").text
