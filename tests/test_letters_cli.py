"""``relance-xl courriers`` on the template workbook's sample data: documents, summary, errors."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import shutil
import socket
import zipfile

import docx
import openpyxl
import pytest
from aiosmtpd.controller import Controller

from relance_xl.assets import WORKBOOK_TEMPLATE, asset
from relance_xl.cli import main
from relance_xl.cli.courriers import ProgressBar
from relance_xl.escalation import next_actions
from relance_xl.letters.bulk import PreparedTemplate
from relance_xl.letters.context import VARIABLES, build_context
from relance_xl.letters.render import bundled_templates_folder
from relance_xl.model import Client
from relance_xl.pipeline import load

DAY = "2026-11-23"
LETTERS = ["relance_amiable", "lettre_relance_1", "lettre_relance_2", "mise_en_demeure",
           "proposition_echeancier", "dossier_contentieux"]  # fmt: skip


@pytest.fixture
def workbook(tmp_path):
    """A copy of the template workbook (sample clients, history, Paramètres)."""
    path = tmp_path / "relances.xlsx"
    shutil.copy(asset(WORKBOOK_TEMPLATE), path)
    return path


def set_parameters(path, **values: object) -> None:
    """Write values of the Paramètres block (« Dossier des modèles »…), as a user would."""
    book = openpyxl.load_workbook(path)
    wanted = {name.replace("_", " "): value for name, value in values.items()}
    for row in book["Paramètres"].iter_rows():
        if row[0].value in wanted:
            row[1].value = wanted.pop(row[0].value)
    assert not wanted, f"paramètres absents : {wanted}"
    book.save(path)


class Mailbox:
    """A real SMTP server's handler (aiosmtpd) keeping every message it accepts."""

    def __init__(self) -> None:
        self.received: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"


@pytest.fixture
def smtp_server():
    """An SMTP server on 127.0.0.1 for the test: (mailbox, port)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


def test_chaque_modele_se_remplit_pour_chaque_action_de_l_exemple():
    """Every bundled template renders for every action of the sample workbook."""
    ledger = load(asset(WORKBOOK_TEMPLATE))
    day = dt.date.fromisoformat(DAY)
    actions = next_actions(ledger, day)
    assert actions
    templates = {name: PreparedTemplate(bundled_templates_folder() / f"{name}.docx", VARIABLES)
                 for name in LETTERS}  # fmt: skip
    for action in actions:
        client = ledger.clients.get(action.client) or Client(action.client)
        context = build_context(
            action, client, ledger.settings.creditor, ledger.history, day, ledger.instalments
        )
        for name, template in templates.items():
            document = docx.Document(io.BytesIO(template.render(context)))
            assert document.paragraphs, (action.client, name)


def test_courriers_du_jour(workbook, capsys):
    """Letters for the letter steps, drafts for the email steps, and the summary."""
    code = main(["courriers", str(workbook), "--date", DAY])
    out = workbook.parent / "Courriers"
    names = sorted(path.name for path in out.iterdir())
    assert code in (0, 1)
    assert "recapitulatif.csv" in names
    assert any(name.endswith("_mise-en-demeure.docx") for name in names)
    assert any(name.endswith("_relance-amiable.eml") for name in names)
    for path in out.glob("*.docx"):
        assert zipfile.ZipFile(path).testzip() is None
        assert docx.Document(path).paragraphs
    printed = capsys.readouterr().out
    assert "récapitulatif" in printed


def test_deuxieme_passage_n_ecrase_rien(workbook):
    """Running twice the same day: new files with -2, the first ones untouched."""
    main(["courriers", str(workbook), "--date", DAY])
    out = workbook.parent / "Courriers"
    first = {path.name: path.read_bytes() for path in out.iterdir()}
    main(["courriers", str(workbook), "--date", DAY])
    for name, data in first.items():
        assert (out / name).read_bytes() == data
    assert (out / "recapitulatif-2.csv").exists()
    assert any(path.name.endswith("_mise-en-demeure-2.docx") for path in out.iterdir())


def test_un_seul_client_dans_le_dossier_choisi(workbook, tmp_path):
    """--client and --sortie: one client's documents in the folder given."""
    target = tmp_path / "sortie"
    main(["courriers", str(workbook), "--date", DAY, "--client", "transports morel",
          "--sortie", str(target)])  # fmt: skip
    documents = sorted(path.name for path in target.iterdir())
    assert documents == ["2026-11-23_Transports-Morel_mise-en-demeure.docx", "recapitulatif.csv"]


def test_modele_casse_erreur_francaise_et_aucun_fichier(workbook, capsys):
    """A broken template in the user's folder: « Erreur : … », exit 2, nothing written."""
    folder = workbook.parent / "Modèles"
    folder.mkdir()
    broken = docx.Document()
    broken.add_paragraph("{{ client.nom }")
    broken.save(folder / "mise_en_demeure.docx")
    set_parameters(workbook, Dossier_des_modèles="Modèles")
    assert main(["courriers", str(workbook), "--date", DAY]) == 2
    error = capsys.readouterr().err
    assert error.startswith("Erreur : le modèle « mise_en_demeure.docx »")
    assert "Traceback" not in error
    assert not (workbook.parent / "Courriers").exists()


def test_envoi_des_courriels_une_seule_fois(workbook, smtp_server, capsys):
    """--envoyer sends each email draft once; a second run sends nothing again."""
    mailbox, port = smtp_server
    set_parameters(
        workbook, Serveur_SMTP="127.0.0.1", Port_SMTP=port, Sécurité_SMTP="aucune",
        Utilisateur_SMTP=None,
    )  # fmt: skip
    main(["courriers", str(workbook), "--date", DAY, "--envoyer"])
    drafts = list((workbook.parent / "Courriers").glob("*.eml"))
    assert len(mailbox.received) == len(drafts) > 0
    assert all(str(m["Subject"]).startswith("Rappel de facture") for m in mailbox.received)
    assert "X-Unsent" not in mailbox.received[0]
    main(["courriers", str(workbook), "--date", DAY, "--envoyer"])
    assert len(mailbox.received) == len(drafts)
    assert "déjà envoyé" in capsys.readouterr().out


@pytest.mark.libreoffice
def test_pdf_et_fichier_a_imprimer(workbook):
    """--pdf: a PDF beside each letter, and one print file of the letters to post."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) absent")
    main(["courriers", str(workbook), "--date", DAY, "--pdf"])
    out = workbook.parent / "Courriers"
    letters = sorted(path.stem for path in out.glob("*.docx"))
    assert sorted(path.stem for path in out.glob("2026-*.pdf")) == letters
    assert (out / "a_imprimer_2026-11-23.pdf").read_bytes().startswith(b"%PDF-")


def test_barre_de_progression_sur_demande(workbook, capsys):
    """--progression draws the bar on stderr even outside a terminal."""
    main(["courriers", str(workbook), "--date", DAY, "--progression"])
    err = capsys.readouterr().err
    assert err.startswith("\r[") and err.rstrip().endswith(" courriers")


@pytest.mark.parametrize(
    ("terminal", "force", "lettres", "affiche"),
    [(False, False, 500, False), (True, False, 500, True), (True, False, 5, False),
     (False, True, 5, True)],
    ids=["fichier", "terminal", "petit lot", "demandée"],
)  # fmt: skip
def test_barre_de_progression_quand_elle_sert(terminal, force, lettres, affiche):
    """Shown on a terminal for long batches, or when asked; never in a redirected output."""
    stream = io.StringIO()
    stream.isatty = lambda: terminal
    bar = ProgressBar(stream, forced=force)
    for done in range(1, lettres + 1):
        bar.update(done, lettres)
    bar.close()
    assert (f"{lettres}/{lettres} courriers" in stream.getvalue()) is affiche
