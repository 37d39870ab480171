"""Bad input through every command: a French error (exit 2) or anomalies (exit 1), never a
traceback, and never a changed input file.

The hostile corpus is built once per session (tests/hostile.py); every command runs in-process on
every file, with its outputs in the test's own folder, and the corpus folder is compared byte for
byte before and after. A few runs go through ``python -m relance_xl`` to prove that nothing but
the French line reaches the terminal.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from docx import Document as WordDocument
from hostile import (
    AS_OF,
    INVOICE_HEADER,
    Formula,
    complete_workbook,
    docx_like,
    encrypted,
    french_error,
    many_members,
    million_rows,
    old_xls,
    ordinary_rows,
    run,
    snapshot,
    truncated,
    write_xlsx,
    zip_bomb,
)
from python_calamine import CalamineWorkbook

from relance_xl.pipeline import load

PROJECT = Path(__file__).resolve().parents[1]
DAY = AS_OF.isoformat()
LONG_FUZZ = os.environ.get("RELANCE_FUZZ") == "long"


# --- the corpus -----------------------------------------------------------------------------------


def _merged(path: Path) -> Path:
    """A client name merged over two rows: only the first row holds the value."""
    rows = ordinary_rows()
    rows[2][0] = None
    return complete_workbook(path, rows, merged={"Factures": ["A2:A3"]})


def _formula_errors(path: Path) -> Path:
    """Cached formula errors where an amount, a due date, Payé and a client are expected."""
    rows = ordinary_rows()
    rows[1][4] = Formula("VLOOKUP(A2,Tarifs!A:B,2,FALSE)", "#N/A")
    rows[2][3] = Formula('C3+"30 jours"', "#VALUE!")
    rows[3][5] = Formula("#REF!", "#REF!")
    rows[4][0] = Formula("Clients!#REF!", "#REF!")
    return complete_workbook(path, rows, clients=[["Client"], ["Dupont SARL"], ["Martin SA"]])


def _text_everywhere(path: Path) -> Path:
    """Text in every numeric and date column of every row."""
    rows = [list(INVOICE_HEADER)] + [
        ["Client texte", f"T-{n}", "hier", "bientôt", "mille euros", "peut-être"] for n in range(3)
    ]
    return complete_workbook(path, rows)


def _date1904(path: Path) -> Path:
    """The ordinary workbook saved by an old Mac Excel (dates counted from 1904)."""
    return complete_workbook(path, date1904=True)


def _long_cells(path: Path) -> Path:
    """10 000-character client name, invoice number and comment."""
    rows = ordinary_rows()
    rows[0].append("Commentaire")
    rows[1][0] = "Société " + "très " * 1998 + "longue"
    rows[2][1] = "N" * 10_000
    rows[3].append("x" * 10_000)
    return complete_workbook(path, rows)


def _control_characters(path: Path) -> Path:
    """Control characters (terminal escapes, NUL, bell, vertical tab) pasted into cells."""
    rows = ordinary_rows()
    rows[1][0] = "Dupont\x00\x07\x1b[31m SARL"
    rows[2][1] = "F\x0b-002"
    return complete_workbook(path, rows)


RTL_AND_EMOJI = ("شركة النور للتجارة", 'חברת אלון בע"מ', "🍕 Pizza Roma 🚀", "Café ☕ Ünïcödé")


def _rtl_and_emoji(path: Path) -> Path:
    """Arabic and Hebrew client names, emoji and accents."""
    rows = ordinary_rows()
    for row, name in zip(rows[1:], RTL_AND_EMOJI, strict=True):
        row[0] = name
    rows[3][5] = "non"
    return complete_workbook(path, rows)


def _bad_procedure(path: Path) -> Path:
    """A Paramètres procedure table whose delay is a word."""
    rows = ordinary_rows()
    settings = [
        ["Paramètre", "Valeur"],
        ["Raison sociale", "Menuiserie Exemple SARL"],
        [],
        ["Type de client", "Niveau", "Action", "Canal", "Délai (jours)", "Référence",
         "Modèle de courrier"],
        ["professionnel", "1", "relance amiable", "email", "une semaine", "échéance", ""],
    ]  # fmt: skip
    return write_xlsx(path, {"Factures": rows, "Paramètres": settings})


def _valid(path: Path) -> Path:
    """A clean workbook (Factures, Clients, Paramètres)."""
    return complete_workbook(path)


def _empty(path: Path) -> Path:
    """Zero bytes (a copy that failed)."""
    path.write_bytes(b"")
    return path


def _no_header(path: Path) -> Path:
    """The invoices without their header row."""
    return complete_workbook(path, ordinary_rows()[1:])


def _header_only(path: Path) -> Path:
    """The header row and no invoice (a new user's workbook)."""
    return complete_workbook(path, ordinary_rows()[:1])


def _wrong_sheet(path: Path) -> Path:
    """A workbook about something else: no sheet has invoice columns."""
    return write_xlsx(path, {"Recettes": [["Recette", "Quantité"], ["Tarte", 3]]})


def _binary_csv(path: Path) -> Path:
    """Binary bytes named .csv."""
    path.write_bytes(b"Client;N\xb0 facture\x00\x01\x02;Montant\r\n\x00\x00")
    return path


def _base(folder: Path) -> Path:
    """The clean workbook the truncated and encrypted files are made from (built once)."""
    base = folder / "_modele" / "base.xlsx"
    base.parent.mkdir(exist_ok=True)
    return base if base.exists() else complete_workbook(base)


@dataclass(frozen=True)
class Case:
    """One hostile file: how to build it, the exit code expected, a word of the message."""

    file: str
    build: Callable[[Path], Path]
    code: int
    fragment: str = ""
    options: tuple[str, ...] = ()


CASES: dict[str, Case] = {
    "fichier vide -> erreur": Case("vide.xlsx", _empty, 2, "est vide"),
    "sans ligne d'en-tête -> erreur": Case("sans_entete.xlsx", _no_header, 2, "introuvables"),
    "en-tête seul -> zéro facture": Case("entete_seule.xlsx", _header_only, 0),
    "aucune feuille de factures -> erreur": Case("recettes.xlsx", _wrong_sheet, 2, "introuvables"),
    "feuille demandée absente -> erreur": Case(
        "feuille.xlsx", _valid, 2, "« Archives » introuvable", ("--feuille", "Archives")
    ),
    "ancien .xls -> erreur": Case("ancien.xls", old_xls, 2, "97-2003"),
    "protégé par mot de passe -> erreur": Case(
        "chiffre.xlsx", lambda p: encrypted(p, _base(p.parent)), 2, "mot de passe"
    ),
    "zip tronqué -> erreur": Case(
        "tronque.xlsx", lambda p: truncated(p, _base(p.parent)), 2, "endommagé ou incomplet"
    ),
    "bombe zip (taux de compression) -> erreur": Case("bombe.xlsx", zip_bomb, 2, "anormale"),
    "bombe zip (10 001 parties) -> erreur": Case("parties.xlsx", many_members, 2, "anormale"),
    "document Word renommé -> erreur": Case("lettre.xlsx", docx_like, 2, "autre type"),
    "csv binaire -> erreur": Case("binaire.csv", _binary_csv, 2, "pas un fichier texte"),
    "procédure illisible dans Paramètres -> erreur": Case(
        "parametres.xlsx", _bad_procedure, 2, "Paramètres!E5"
    ),
    "cellules fusionnées -> anomalies": Case("fusion.xlsx", _merged, 1),
    "erreurs de formule -> anomalies": Case("erreurs.xlsx", _formula_errors, 1),
    "texte dans les colonnes numériques -> anomalies": Case("texte.xlsx", _text_everywhere, 1),
    "caractères de contrôle -> anomalies": Case("controle.xlsx", _control_characters, 1),
    "dates en mode 1904 -> lu": Case("mac1904.xlsx", _date1904, 0),
    "cellules de 10 000 caractères -> lu": Case("long.xlsx", _long_cells, 0),
    "arabe, hébreu et emoji -> lu": Case("rtl.xlsx", _rtl_and_emoji, 0),
}

COMMANDS: dict[str, Callable[[Path], list[str]]] = {
    "verifier": lambda out: [],
    "balance": lambda out: ["--date", DAY],
    "actions": lambda out: ["--date", DAY, "--json"],
    "courriers": lambda out: ["--date", DAY, "--sortie", str(out / "Courriers")],
    "mettre-a-jour": lambda out: ["--date", DAY, "--sortie", str(out / "resultat.xlsx")],
}


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of every hostile file of :data:`CASES`, built once."""
    folder = tmp_path_factory.mktemp("corpus")
    for case in CASES.values():
        if not (folder / case.file).exists():
            case.build(folder / case.file)
    return folder


@pytest.fixture
def unchanged(corpus: Path):
    """The corpus, checked byte for byte after the test: nothing changed, nothing added."""
    before = snapshot(corpus)
    yield corpus
    assert snapshot(corpus) == before


def command(name: str, case: Case, corpus: Path, out: Path) -> list[str]:
    """The command line of ``name`` on the case's file, its outputs under ``out``."""
    return [name, str(corpus / case.file), *case.options, *COMMANDS[name](out)]


# --- every file through every command ---------------------------------------------------------


@pytest.mark.parametrize("commande", list(COMMANDS))
@pytest.mark.parametrize("cas", list(CASES))
def test_jamais_de_trace_ni_de_fichier_modifie(unchanged, tmp_path, capsys, cas, commande):
    """Each hostile file gives its exit code through each command, a one-line French error
    when it is fatal, and leaves the corpus byte for byte as it was."""
    case = CASES[cas]
    outcome = run(command(commande, case, unchanged, tmp_path), capsys)
    if case.code == 2:
        french_error(outcome, case.fragment)
        assert not any(tmp_path.iterdir()), "rien n'est écrit quand le classeur est illisible"
    else:
        assert outcome.code == case.code, outcome


@pytest.mark.parametrize(
    "cas", [name for name, case in CASES.items() if case.code == 2 and case.file.endswith(".xlsx")]
)
def test_aucune_ecriture_en_place_sur_un_classeur_illisible(tmp_path, capsys, cas):
    """Without --sortie, mettre-a-jour on an unreadable file changes nothing beside it: no
    backup, no temporary file, no result."""
    case = CASES[cas]
    path = case.build(tmp_path / case.file)
    before = snapshot(tmp_path)
    french_error(run(["mettre-a-jour", path, "--date", DAY, *case.options], capsys))
    assert snapshot(tmp_path) == before


# --- what each hostile file gives --------------------------------------------------------------


def anomalies(corpus: Path, case: str, capsys) -> list[dict[str, object]]:
    """The anomalies ``verifier --json`` reports for a case."""
    outcome = run(["verifier", corpus / CASES[case].file, "--json"], capsys)
    return json.loads(outcome.out)["anomalies"]


def test_bombe_zip_refusee_sans_rien_decompresser(corpus, capsys, monkeypatch):
    """The zip bomb is refused from the zip directory: no member is ever opened, by Python or
    by calamine."""

    def forbidden(*args, **kwargs):
        pytest.fail("un membre de la bombe a été ouvert")

    monkeypatch.setattr(zipfile.ZipFile, "open", forbidden)
    monkeypatch.setattr(CalamineWorkbook, "from_path", forbidden)
    for case in (
        "bombe zip (taux de compression) -> erreur",
        "bombe zip (10 001 parties) -> erreur",
    ):
        french_error(run(["verifier", corpus / CASES[case].file], capsys), "anormale")


def test_cellule_fusionnee_signalee_a_sa_ligne(corpus, capsys):
    """The row under a merged client cell is an error on that row and column."""
    found = anomalies(corpus, "cellules fusionnées -> anomalies", capsys)
    assert [(a["ligne"], a["colonne"], a["gravite"]) for a in found] == [(3, "Client", "erreur")]


def test_chaque_erreur_de_formule_est_une_anomalie(corpus, capsys):
    """#N/A, #VALUE!, #REF! in an amount, a due date, Payé or the client: one anomaly per row,
    never a value silently taken for blank (a #REF! in Payé is not « non payé »)."""
    found = anomalies(corpus, "erreurs de formule -> anomalies", capsys)
    assert sorted({a["ligne"] for a in found}) == [2, 3, 4, 5]


def test_texte_partout_aucune_facture_lue(corpus, capsys):
    """Text in every numeric column: no invoice is read, every row is an error."""
    case = CASES["texte dans les colonnes numériques -> anomalies"]
    outcome = run(["verifier", corpus / case.file, "--json"], capsys)
    report = json.loads(outcome.out)
    assert report["factures_lues"] == 0
    assert {a["ligne"] for a in report["anomalies"] if a["gravite"] == "erreur"} == {2, 3, 4}


def test_caracteres_de_controle_retires_et_signales(corpus, tmp_path, capsys):
    """Control characters are removed with a warning; no result sheet or letter holds one."""
    case = CASES["caractères de contrôle -> anomalies"]
    found = anomalies(corpus, "caractères de contrôle -> anomalies", capsys)
    assert {(a["ligne"], a["gravite"]) for a in found} == {(2, "avertissement"),
                                                           (3, "avertissement")}  # fmt: skip
    result = tmp_path / "resultat.xlsx"
    run(["mettre-a-jour", corpus / case.file, "--date", DAY, "--sortie", result], capsys)
    book = CalamineWorkbook.from_path(str(result))
    for sheet in ("Actions", "Balance âgée"):
        text = "".join(str(c) for row in book.get_sheet_by_name(sheet).to_python() for c in row)
        assert not any(ord(c) < 32 and c not in "\t\n" for c in text), sheet
    run(["courriers", corpus / case.file, "--date", DAY, "--sortie", tmp_path / "c"], capsys)
    for letter in (tmp_path / "c").glob("*.docx"):
        WordDocument(str(letter))  # a letter Word can open: well-formed XML


def test_dates_1904_lues_comme_en_1900(corpus, tmp_path, capsys):
    """A 1904 workbook gives the same actions as the same workbook in the 1900 system."""
    twin = complete_workbook(tmp_path / "pc1900.xlsx")
    mac = run(["actions", corpus / CASES["dates en mode 1904 -> lu"].file, "--date", DAY,
               "--json"], capsys)  # fmt: skip
    pc = run(["actions", twin, "--date", DAY, "--json"], capsys)
    assert json.loads(mac.out) == json.loads(pc.out)
    assert json.loads(mac.out)["actions"], "the example has actions"


def test_dates_ecrites_dans_un_classeur_1904(corpus, tmp_path, capsys):
    """The result sheets of a 1904 workbook show the same dates as the actions (Excel reads
    them in the workbook's date system)."""
    source = corpus / CASES["dates en mode 1904 -> lu"].file
    expected = json.loads(run(["actions", source, "--date", DAY, "--json"], capsys).out)
    result = tmp_path / "resultat.xlsx"
    run(["mettre-a-jour", source, "--date", DAY, "--sortie", result], capsys)
    rows = CalamineWorkbook.from_path(str(result)).get_sheet_by_name("Actions").to_python()
    dates = {cell for row in rows for cell in row if isinstance(cell, dt.date)}
    assert dates == {dt.date.fromisoformat(a["date_prevue"]) for a in expected["actions"]}


def test_historique_d_un_classeur_1904_a_la_bonne_date(corpus, tmp_path, capsys):
    """enregistrer in a 1904 workbook records the steps at the run's date (read back in the
    workbook's own date system), so that the next run is not refused as « antérieur »."""
    source = tmp_path / "mac1904.xlsx"
    source.write_bytes((corpus / CASES["dates en mode 1904 -> lu"].file).read_bytes())
    outcome = run(["enregistrer", source, "--date", DAY], capsys)
    assert outcome.code == 0, outcome.err
    assert {entry.date for entry in load(source).history} == {AS_OF}
    assert run(["actions", source, "--date", DAY], capsys).code == 0


def test_cellules_de_10000_caracteres(corpus, tmp_path, capsys):
    """A 10 000-character name is kept whole in the sheets, cut in the terminal table, in the
    email's To header (100 characters) and in the letter file name (120)."""
    case = CASES["cellules de 10 000 caractères -> lu"]
    balance = run(["balance", corpus / case.file, "--date", DAY], capsys)
    assert max(len(line) for line in balance.out.splitlines()) < 200
    result = tmp_path / "resultat.xlsx"
    run(["mettre-a-jour", corpus / case.file, "--date", DAY, "--sortie", result], capsys)
    rows = CalamineWorkbook.from_path(str(result)).get_sheet_by_name("Balance âgée").to_python()
    assert max(len(str(cell)) for row in rows for cell in row) == len(
        "Société " + "très " * 1998 + "longue"
    )
    run(["courriers", corpus / case.file, "--date", DAY, "--sortie", tmp_path / "c"], capsys)
    assert all(len(path.name) <= 120 for path in (tmp_path / "c").iterdir())
    drafts = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
              for p in (tmp_path / "c").glob("*.eml")]  # fmt: skip
    long_one = [m["To"].addresses[0] for m in drafts if m["To"].addresses[0].display_name[:7]
                == "Société"]  # fmt: skip
    assert long_one and long_one[0].addr_spec == "client1@example.fr"
    assert len(long_one[0].display_name) <= 100


def test_noms_arabes_hebreux_et_emoji_gardes(corpus, tmp_path, capsys):
    """Right-to-left and emoji names come out of the balance exactly as typed, and each client
    gets its own letter or email file, with a portable name."""
    case = CASES["arabe, hébreu et emoji -> lu"]
    balance = json.loads(run(["balance", corpus / case.file, "--date", DAY, "--json"], capsys).out)
    assert {row["client"] for row in balance["clients"]} == set(RTL_AND_EMOJI)
    out = tmp_path / "c"
    run(["courriers", corpus / case.file, "--date", DAY, "--sortie", out], capsys)
    names = [path.name for path in out.iterdir() if path.suffix in (".docx", ".eml")]
    assert len(names) == len(set(names)) >= 2
    assert all(name.isascii() for name in names)


def test_en_tete_seul_dit_zero_facture(corpus, capsys):
    """A workbook with the headers and no invoice is not an error: « 0 facture lue »."""
    outcome = run(["verifier", corpus / CASES["en-tête seul -> zéro facture"].file], capsys)
    assert "0 facture lue" in outcome.out


# --- Excel's last row ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def million(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1 048 576 rows: a header, 1 048 574 invoices, and a bad amount on the very last row."""
    return million_rows(tmp_path_factory.mktemp("million") / "million.xlsx")


def test_un_million_de_lignes(million, capsys):
    """Every row of a full sheet is read, and the anomaly of row 1 048 576 is shown with its
    whole row number; the file is left as it was."""
    before = million.stat().st_mtime_ns, million.stat().st_size
    outcome = run(["verifier", million], capsys)
    assert outcome.code == 1
    assert re.search(r"1\D048\D574 factures lues", outcome.out), outcome.out
    row = next(line for line in outcome.out.splitlines() if "douze euros" in line)
    assert re.search(r"\b1\D?048\D?576\b", row), row
    assert (million.stat().st_mtime_ns, million.stat().st_size) == before


@pytest.mark.skipif(not LONG_FUZZ, reason="long : RELANCE_FUZZ=long (une minute par commande)")
@pytest.mark.parametrize("commande", ["balance", "actions", "mettre-a-jour"])
def test_un_million_de_lignes_toutes_commandes(million, tmp_path, capsys, commande):
    """The other commands on the full sheet: exit 1 (the anomaly), input unchanged."""
    before = million.read_bytes()
    args = COMMANDS[commande](tmp_path)
    outcome = run([commande, million, *args], capsys)
    assert outcome.code == 1, outcome.err
    assert million.read_bytes() == before


# --- through the real console ---------------------------------------------------------------


def console(*argv: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m relance_xl argv`` as a user runs it (no debug variable)."""
    env = {k: v for k, v in os.environ.items() if k != "RELANCE_XL_DEBUG"}
    env["PYTHONPATH"] = str(PROJECT)
    return subprocess.run(
        [sys.executable, "-m", "relance_xl", *map(str, argv)],
        cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("cas", "commande"),
    [
        ("protégé par mot de passe -> erreur", "mettre-a-jour"),
        ("zip tronqué -> erreur", "actions"),
        ("feuille demandée absente -> erreur", "balance"),
    ],
    ids=["chiffré / mettre-a-jour", "tronqué / actions", "feuille absente / balance"],
)
def test_console_une_ligne_en_francais(corpus, tmp_path, cas, commande):
    """The real console prints one French line on stderr, nothing on stdout, exit code 2."""
    case = CASES[cas]
    done = console(commande, corpus / case.file, *case.options, "--date", DAY, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Erreur : ") and case.fragment in lines[0]


def test_console_option_inconnue_en_francais(tmp_path):
    """A mistyped option is answered in French with exit code 2, not in argparse's English."""
    done = console("balance", "--dat", "2026-11-23", "x.xlsx", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("Erreur : ") and "Traceback" not in done.stderr


def test_console_meme_resultat_qu_en_interne(corpus, tmp_path, capsys):
    """The console run of the right-to-left workbook prints, byte for byte, the JSON of the
    in-process run (UTF-8 on a pipe, whatever the terminal's locale)."""
    case = CASES["arabe, hébreu et emoji -> lu"]
    done = console("balance", corpus / case.file, "--date", DAY, "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    inside = run(["balance", corpus / case.file, "--date", DAY, "--json"], capsys)
    assert json.loads(done.stdout) == json.loads(inside.out)
    assert json.loads(done.stdout)["total"]["total"] == "2050.40"
