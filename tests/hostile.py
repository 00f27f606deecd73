"""A corpus of hostile inputs, and a driver that runs every verb on them (for test_fuzz.py).

``build(root)`` writes broken and bomb office files, bad encodings, bad audio, bad TOML
(exercise metadata and barèmes), bad manifests, hostile names, named pipes and symbolic
links under ``root``. ``python tests/hostile.py ROOT OUT`` runs the command line on each of
them in this one process (click's test runner) and prints one JSON line per case: the exit
code, the type of any exception that escaped (a traceback for a user), and the messages.
The test runs the driver in a subprocess with a timeout: a case that blocks is a hang.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GOOD = ("Compte rendu de consultation.\nPatient : M. Marcel DURAND, né le 14/09/1951.\n"
        "Traitement : amlodipine 5 mg.\nDr Claire MARTIN\n")
GOOD_TOML = 'title = "Consultation"\nterms = ["amlodipine"]\ntime_limit_minutes = 10\n'
BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;'
                  b'&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><doc>&c;&c;&c;</doc>')
EXTERNAL_ENTITY = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                   b'<doc>&x;</doc>')


def _docx(path: Path, text: str = GOOD) -> Path:
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(str(path))
    return path


def _odt(path: Path, text: str = GOOD) -> Path:
    from odf import text as odf_text
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    for line in text.splitlines():
        document.text.addElement(odf_text.P(text=line))
    document.save(str(path))
    return path


def _replace(path: Path, member: str, data: bytes) -> Path:
    with zipfile.ZipFile(path) as source:
        kept = [(info, source.read(info)) for info in source.infolist() if info.filename != member]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, content in kept:
            target.writestr(info, content)
        target.writestr(member, data)
    return path


def _lying_zip(path: Path, member: str) -> Path:
    """An archive whose member declares 10 bytes but holds 2 MB of zeros (a lying zip bomb)."""
    _replace(path, member, b"\0" * 2_000_000)
    data = bytearray(path.read_bytes())
    name = member.encode()
    for marker, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (k := data.find(marker, start)) >= 0:
            name_at = k + (30 if marker == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                data[k + size_at:k + size_at + 4] = struct.pack("<I", 10)
            start = k + 4
    path.write_bytes(bytes(data))
    return path


def copies(folder: Path) -> list[Path]:
    """Hostile copies, one file each (the exercise is ``bon``)."""
    folder.mkdir(parents=True)
    out = []

    def text(name: str, data: bytes) -> None:
        (folder / name).write_bytes(data)
        out.append(folder / name)

    text("vide.txt", b"")
    text("espaces.txt", b" \n\t\r\n\xc2\xa0")
    text("binaire.txt", bytes(range(256)) * 8)
    text("latin1.txt", GOOD.encode("latin-1"))
    text("cp1252.txt", GOOD.replace("'", "\u2019").encode("cp1252"))
    text("utf16.txt", GOOD.encode("utf-16"))
    text("utf16-casse.txt", b"\xff\xfe" + GOOD.encode("utf-16-le")[:-1])
    text("utf8-tronque.txt", GOOD.encode() + b"\xc3")
    text("bidi.txt", ("\u202e" + GOOD + "\u2066\u2069\u200f").encode())
    text("invisibles.txt", "\u200b\u200c\ufeff\u2060\u00ad\u202e".encode())
    text("controles.txt", "".join(map(chr, range(1, 32))).encode())
    text("une-ligne.txt", ("amlodipine " * 20_000).encode())  # 220 KB, one line
    text("ponctuation.txt", (",;:!?.()«»" * 5_000).encode())
    text("nombres.txt", b"1e400 nan inf -0 " * 1000 + b"9" * 5000)
    text("sans-extension", GOOD.encode())
    text("copie.pdf", b"%PDF-1.4 pas un texte")
    for maker, suffix in ((_docx, ".docx"), (_odt, ".odt")):
        main_xml = "word/document.xml" if suffix == ".docx" else "content.xml"
        out.append(maker(folder / f"bon{suffix}"))
        out.append(_replace(maker(folder / f"xml-casse{suffix}"), main_xml, b"<doc><p>texte</doc>"))
        out.append(_replace(maker(folder / f"xml-vide{suffix}"), main_xml, b""))
        out.append(_replace(maker(folder / f"entites{suffix}"), main_xml, BILLION_LAUGHS))
        out.append(_replace(maker(folder / f"externe{suffix}"), main_xml, EXTERNAL_ENTITY))
        out.append(_replace(maker(folder / f"bombe{suffix}"), main_xml, b" " * 3_000_000))
        out.append(_lying_zip(maker(folder / f"menteur{suffix}"), main_xml))
        out.append(_replace(maker(folder / f"profond{suffix}"), main_xml, b"<a>" * 50_000 + b"</a>" * 50_000))
        truncated = folder / f"tronque{suffix}"
        truncated.write_bytes((folder / f"bon{suffix}").read_bytes()[:900])
        out.append(truncated)
        text(f"pas-un-zip{suffix}", b"PK\x03\x04 ceci n'est pas une archive")
        text(f"zip-vide{suffix}", b"PK\x05\x06" + b"\0" * 18)
    with zipfile.ZipFile(folder / "sans-document.docx", "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    out.append(folder / "sans-document.docx")
    os.mkfifo(folder / "tube.txt")
    out.append(folder / "tube.txt")
    (folder / "dossier.txt").mkdir()
    out.append(folder / "dossier.txt")
    (folder / "lien-casse.txt").symlink_to(folder / "absent.txt")
    out.append(folder / "lien-casse.txt")
    (folder / "boucle.txt").symlink_to(folder / "boucle.txt")
    out.append(folder / "boucle.txt")
    out.append(Path("/dev/zero"))
    return out


def references(folder: Path) -> dict[str, Path]:
    """A references folder: one good exercise, bad metadata, an empty reference."""
    folder.mkdir(parents=True)
    (folder / "bon.txt").write_text(GOOD, encoding="utf-8")
    (folder / "bon.toml").write_text(GOOD_TOML, encoding="utf-8")
    (folder / "bon.brouillon.txt").write_text("brouillon\n", encoding="utf-8")
    bad = {
        "termes-nombre": 'title = "x"\nterms = 5\n', "patient-texte": 'title = "x"\npatient = "x"\n',
        "limite-texte": 'title = "x"\ntime_limit_minutes = "dix"\n',
        "limite-negative": 'title = "x"\ntime_limit_minutes = -10\n',
        "limite-infinie": 'title = "x"\ntime_limit_minutes = inf\n',
        "limite-nan": 'title = "x"\ntime_limit_minutes = nan\n',
        "limite-enorme": 'title = "x"\ntime_limit_minutes = 1e400\n',
        "sans-titre": 'terms = ["a"]\n', "toml-casse": 'title = "x\n', "sections-table": 'title = "x"\n[sections]\n',
        "profond": 'title = "x"\nterms = ' + "[" * 5000 + "]" * 5000 + "\n",
        "audio-base": 'title = "x"\naudio = "../espace-apprenant.sqlite3"\n',  # never handed to libsndfile
        "audio-absolu": 'title = "x"\naudio = "/etc/passwd"\n',
    }
    paths = {}
    for name, toml in bad.items():
        (folder / f"{name}.txt").write_text(GOOD, encoding="utf-8")
        (folder / f"{name}.toml").write_text(toml, encoding="utf-8")
        paths[name] = folder / f"{name}.txt"
    (folder / "latin1.txt").write_text(GOOD, encoding="utf-8")
    (folder / "latin1.toml").write_bytes('title = "Échographie"\n'.encode("latin-1"))
    (folder / "binaire.txt").write_text(GOOD, encoding="utf-8")
    (folder / "binaire.toml").write_bytes(bytes(range(256)))
    (folder / "vide.txt").write_text("\u200b \n\n", encoding="utf-8")
    (folder / "tube.txt").write_text(GOOD, encoding="utf-8")
    os.mkfifo(folder / "tube.toml")
    for name in ("latin1", "binaire", "vide", "tube"):
        paths[name] = folder / f"{name}.txt"
    return paths


def baremes(folder: Path) -> list[Path]:
    folder.mkdir(parents=True)
    points = "".join(f"{kind} = 1\n" for kind in ("omission", "ajout", "substitution", "usage", "accord",
                                                  "accent", "majuscule", "ponctuation", "homophone"))
    cases = {"infini": f"scale = inf\n[points]\n{points}", "nan": f"pass_note = nan\n[points]\n{points}",
             "enorme": f"[points]\n{points.replace('omission = 1', 'omission = 1e400')}",
             "texte": f"scale = \"vingt\"\n[points]\n{points}", "casse": "[points\n",
             "sans-points": "scale = 20\n"}
    out = []
    for name, text in cases.items():
        (folder / f"{name}.toml").write_text(text, encoding="utf-8")
        out.append(folder / f"{name}.toml")
    (folder / "latin1.toml").write_bytes("name = \"Barème\"\n".encode("latin-1"))
    out.append(folder / "latin1.toml")
    return out


def classroom(folder: Path, refs: Path) -> None:
    """A class folder with hostile learner names, files, links and pipes."""
    folder.mkdir(parents=True)
    learners = ["=HYPERLINK(\"http:x\",\"clic\")", "+cmd", "-rm", "@SUM(A1)", "ligne\nsuivante", "\u202eevil",
                "a" * 240, "espace ", "émilie", "tab\tulation", "\x1b[31mrouge"]
    for name in learners:
        (folder / name).mkdir()
        (folder / name / "bon.txt").write_text(GOOD.replace("amlodipine", "amlodipinne"), encoding="utf-8")
    odd = folder / "divers"
    odd.mkdir()
    (odd / "bon.docx").write_bytes(b"PK\x03\x04 casse")
    (odd / ("b" * 251 + ".txt")).write_text(GOOD, encoding="utf-8")
    (odd / "bon.brouillon.txt").write_text(GOOD, encoding="utf-8")
    (odd / "inconnu.txt").write_text(GOOD, encoding="utf-8")
    (odd / "vide.txt").write_text(GOOD, encoding="utf-8")  # its reference is empty
    (odd / "termes-nombre.txt").write_text(GOOD, encoding="utf-8")  # its metadata is bad
    (odd / "latin1.txt").write_text(GOOD, encoding="utf-8")
    (odd / "sous-dossier").mkdir()
    os.mkfifo(odd / "tube.odt")
    (folder / "fuite").mkdir()
    (folder / "fuite" / "bon.txt").symlink_to("/etc/passwd")
    (folder / "tout").symlink_to("/etc")
    (folder / "boucle").mkdir()
    (folder / "boucle" / "bon.txt").symlink_to(folder / "boucle" / "bon.txt")
    shutil.copy(refs / "bon.txt", folder / "copie-en-vrac.txt")


def manifests(folder: Path) -> list[Path]:
    folder.mkdir(parents=True)
    cases = {
        "binaire.csv": bytes(range(256)) * 4,
        "nul.csv": b"apprenant,exercice\nana\x00,bon\n",
        "guillemet.csv": b'apprenant,exercice\n"ana,bon\n' + b"x" * 200_000,
        "durees.csv": "apprenant;exercice;duree_minutes\n+cmd;bon;1e400\n-rm;bon;nan\n@SUM(A1);bon;-inf\n"
                      "émilie;bon;12,5\n".encode(),
        "vide.csv": b"", "entete.csv": b"apprenant,exercice\n", "sans-apprenant.csv": b"x,y\n1,2\n",
        "chemins.csv": b"apprenant,fichier\nana,../../../../etc/passwd\nben,/etc/passwd\nchloe,\x01\x02\n"
                       b"dan,fuite/bon.txt\n",
        "utf16.csv": "apprenant,exercice\n+cmd,bon\n".encode("utf-16"),
    }
    out = []
    for name, data in cases.items():
        (folder / name).write_bytes(data)
        out.append(folder / name)
    os.mkfifo(folder / "tube.csv")
    out.append(folder / "tube.csv")
    return out


def audio(folder: Path) -> list[Path]:
    folder.mkdir(parents=True)
    short = ROOT / "audio_samples" / "00-court.flac"
    cases = {"vide.wav": b"", "aleatoire.flac": os.urandom(4096), "texte.mp3": GOOD.encode(),
             "tronque.flac": short.read_bytes()[:2000],
             "entete-menteur.wav": b"RIFF\xff\xff\xff\x7fWAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16)
                                   + b"data\xff\xff\xff\x7f" + b"\0\0" * 100,
             "image.ogg": b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "muet.wav": None, "nan.wav": None}
    out = []
    for name, data in cases.items():
        if data is not None:
            (folder / name).write_bytes(data)
            out.append(folder / name)
    import numpy as np
    import soundfile

    soundfile.write(str(folder / "muet.wav"), np.zeros(16000, dtype=np.float32), 16000)
    soundfile.write(str(folder / "nan.wav"), np.full(16000, np.nan, dtype=np.float32), 16000, subtype="FLOAT")
    out += [folder / "muet.wav", folder / "nan.wav"]
    os.mkfifo(folder / "tube.wav")
    (folder / "dossier.flac").mkdir()
    out += [folder / "tube.wav", folder / "dossier.flac", folder / "inconnu.xyz"]
    return out


def trns(folder: Path) -> list[Path]:
    folder.mkdir(parents=True)
    cases = {"inconnus.trn": "bonjour (inconnu-1)\n", "binaire.trn": None, "sans-id.trn": "bonjour\n",
             "vide.trn": ""}
    out = []
    for name, text in cases.items():
        path = folder / name
        path.write_bytes(bytes(range(256)) if text is None else text.encode())
        out.append(path)
    os.mkfifo(folder / "tube.trn")
    out.append(folder / "tube.trn")
    return out


def build(root: Path) -> dict:
    refs = root / "refs"
    corpus = {"copies": copies(root / "copies"), "references": references(refs), "baremes": baremes(root / "baremes"),
              "manifests": manifests(root / "manifests"), "audio": audio(root / "audio"), "trns": trns(root / "trn")}
    classroom(root / "classe", refs)
    (root / "refs-bench").mkdir()
    shutil.copy(refs / "bon.txt", root / "refs-bench" / "bon.txt")
    return corpus


def cases(root: Path, out: Path) -> list[tuple[str, list[str]]]:
    """(name, command line) of every case; outputs go under ``out``, never under ``root``."""
    refs = root / "refs"
    good = str(refs / "bon.txt")
    runs: list[tuple[str, list[str]]] = []
    for path in sorted((root / "copies").iterdir()) + [Path("/dev/zero")]:
        runs.append((f"score {path.name}", ["score", str(path), "-r", good, "--json"]))
    runs.append(("score -o copie", ["score", str(root / "copies" / "latin1.txt"), "-r", good, "-o",
                                    str(root / "copies" / "latin1.txt")]))
    runs.append(("score -o reference", ["score", str(root / "copies" / "latin1.txt"), "-r", good, "--json", "-o",
                                        good]))
    runs.append(("score -o dossier", ["score", str(root / "copies" / "latin1.txt"), "-r", good, "-o", str(out)]))
    runs.append(("score -o long", ["score", good, "-r", good, "-o", str(out / ("x" * 300))]))
    runs.append(("score -o tube", ["score", good, "-r", good, "-o", str(root / "copies" / "tube.txt")]))
    for name, ref in sorted(references_paths(refs).items()):
        runs.append((f"score référence {name}", ["score", good, "-r", str(ref), "--json"]))
    runs.append(("exercises", ["exercises", "--references", str(refs), "--json"]))
    for path in sorted((root / "baremes").iterdir()):
        runs.append((f"score barème {path.name}", ["score", good, "-r", good, "-b", str(path)]))
    for value in ("nan", "inf", "-inf", "1e400", "NaN", "infinity", "1e-400", "-0", "12,5", "abc", ""):
        runs.append((f"score --elapsed {value!r}", ["score", good, "-r", good, "--json", "--elapsed", value]))
    runs.append(("grade classe", ["grade", str(root / "classe"), "-r", str(refs), "-o", str(out / "classe"),
                                  "-j", "2"]))
    for path in sorted((root / "manifests").iterdir()):
        runs.append((f"grade manifeste {path.name}", ["grade", str(root / "classe"), "-r", str(refs), "-m", str(path),
                                                      "-o", str(out / f"m-{path.stem}"), "-j", "1"]))
    for path in sorted((root / "audio").iterdir()) + [root / "audio" / "inconnu.xyz"]:
        runs.append((f"asr {path.name}", ["asr", str(path), "--no-bias"]))
    runs.append(("draft tube.wav", ["draft", str(root / "audio" / "tube.wav")]))
    runs.append(("asr -o audio", ["asr", str(root / "audio" / "texte.mp3"), "-o", str(root / "audio" / "texte.mp3")]))
    for path in sorted((root / "trn").iterdir()):
        runs.append((f"bench {path.name}", ["bench", "--references", str(root / "refs-bench"), "--hyp-dir", str(path),
                                            "--out", str(out / f"b-{path.stem}")]))
    return runs


def references_paths(refs: Path) -> dict[str, Path]:
    return {p.stem: p for p in refs.glob("*.txt") if "." not in p.stem and p.stem != "bon"}


def main(root: Path, out: Path) -> None:
    from click.testing import CliRunner

    from transcribe.asr import cache, engines
    from transcribe.cli import main as cli
    from transcribe.errors import TranscribeError

    def no_model(path, **options):  # audio that passes every check is not transcribed here
        raise TranscribeError("moteur factice : pas de reconnaissance dans ce test.", path)

    engines.transcribe_audio = no_model
    cache.model_identity = lambda model: "factice"
    out.mkdir(parents=True, exist_ok=True)

    for name, args in cases(root, out):
        result = CliRunner().invoke(cli, args)
        escaped = result.exception if not isinstance(result.exception, SystemExit) else None
        print(json.dumps({"case": name, "exit_code": result.exit_code,
                          "exception": type(escaped).__name__ if escaped else None,
                          "detail": str(escaped)[:300] if escaped else "",
                          "stderr": result.stderr[-600:]}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
