"""`transcribe serve`: the application answers, lists the bundled exercises, in French."""

import re

from starlette.testclient import TestClient

from transcribe.web.app import create_app
from transcribe.web.config import Settings


def test_exercise_list_shows_every_bundled_exercise(tmp_path):
    app = create_app(Settings(f"sqlite:///{tmp_path / 'db.sqlite3'}", None, tmp_path))
    with TestClient(app) as client:
        page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="fr">' in page.text
    assert page.text.count('<tr id="ex-') == 15
    row = re.search(r'<tr id="ex-14-ordonnance">(.*?)</tr>', page.text, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", " ", c).split() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells[:5] == [["Ordonnance", "14-ordonnance"], ["médecine", "générale"], ["facile"],
                         ["1", "min", "07", "s"], ["10", "min"]]
    assert cells[5:7] == [["—"], ["jamais"]]
