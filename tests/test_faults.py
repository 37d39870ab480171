"""Faults during a real run: full disk, read-only folder, the workbook open in Excel, Ctrl-C
during the write-back, LibreOffice killed or hanging, an SMTP server refusing or dropping the line.

Each test runs the command as the user does (``relance_xl.cli.main``) and checks the three
promises: a French message (exit 2, or 130 for Ctrl-C), the workbook is the old one or the new
one — never half-written — with its backup, and nothing is left behind or done twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.policy
import json
import os
import stat
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from docx import Document as WordDocument
from hostile import (
    AS_OF,
    INVOICE_HEADER,
    Disk,
    Mailbox,
    Outcome,
    clients_of,
    complete_workbook,
    free_port,
    french_error,
    invoice,
    parameters,
    run,
    snapshot,
    write_xlsx,
)
from python_calamine import CalamineWorkbook

from relance_xl import pdf

DAY = AS_OF.isoformat()
RESULT_SHEETS = ("Actions", "Balance âgée", "Tableau de bord", "Anomalies")
EMAIL_CLIENTS = ("Dupont SARL", "Martin SA", "Garage Lumière", "Boulangerie Roux")


def email_rows() -> list[list[object]]:
    """Four professional clients one week past due: four « relance amiable » emails today."""
    due = AS_OF - dt.timedelta(days=7)
    return [list(INVOICE_HEADER)] + [
        invoice(name, f"F-{n:03d}", due) for n, name in enumerate(EMAIL_CLIENTS, 1)
    ]


def letter_rows() -> list[list[object]]:
    """Clients whose step today is a letter (level 2 after a recorded email)."""
    return [list(INVOICE_HEADER)] + [
        invoice(name, f"L-{n:03d}", AS_OF - dt.timedelta(days=40))
        for n, name in enumerate(EMAIL_CLIENTS, 1)
    ]


def history_for(rows: list[list[object]], sent_on: dt.date) -> list[list[object]]:
    """Historique: level 1 sent on ``sent_on`` for every invoice of ``rows``."""
    header = ["Date", "Client", "N° facture", "Niveau", "Action", "Canal", "Statut"]
    return [header] + [
        [sent_on, row[0], row[1], "1", "relance amiable", "email", "envoyé"] for row in rows[1:]
    ]


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    """The user's workbook, in its own folder."""
    folder = tmp_path / "classeur"
    folder.mkdir()
    return complete_workbook(folder / "Relances.xlsx", email_rows())


@pytest.fixture
def letters_workbook(tmp_path: Path) -> Path:
    """A workbook whose steps today are Word letters (1re lettre de relance)."""
    folder = tmp_path / "classeur"
    folder.mkdir()
    rows = letter_rows()
    path = folder / "Relances.xlsx"
    return write_xlsx(
        path,
        {
            "Factures": rows,
            "Clients": clients_of(rows),
            "Paramètres": parameters(),
            "Historique": history_for(rows, AS_OF - dt.timedelta(days=20)),
        },
    )


def leftovers(folder: Path) -> list[str]:
    """Temporary files or folders a run could leave behind (write-back, letters, PDF)."""
    return sorted(
        path.name
        for path in folder.rglob("*")
        if path.name.startswith((".~relance", ".courriers-", ".relance_pdf_")) or
        path.name.endswith(".tmp")
    )  # fmt: skip


def readable_workbook(path: Path) -> bool:
    """The file opens in an independent reader with every result sheet."""
    try:
        names = set(CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception:
        return False
    return set(RESULT_SHEETS) <= names


# --- disque plein, dossier en lecture seule -------------------------------------------------------


FILLS = {"dès le premier octet": 0.0, "au tiers": 0.33, "presque à la fin": 0.97}
"""When the disk fills up, as a share of what a clean run writes."""


def written_size(argv: list[object], folder: Path, capsys) -> int:
    """Bytes a clean run of ``argv`` writes into ``folder`` (measured on a copy of the run)."""
    before = {path: path.stat().st_size for path in folder.rglob("*") if path.is_file()}
    outcome = run(argv, capsys)
    assert outcome.code in (0, 1), outcome.err
    after = {path: path.stat().st_size for path in folder.rglob("*") if path.is_file()}
    return sum(size for path, size in after.items() if before.get(path) != size)


@pytest.mark.parametrize("moment", list(FILLS))
def test_disque_plein_pendant_la_mise_a_jour(workbook, tmp_path, capsys, monkeypatch, moment):
    """Disk full while mettre-a-jour writes: « disque plein » in French, the workbook intact,
    no temporary file left."""
    twin = tmp_path / "mesure" / workbook.name
    twin.parent.mkdir()
    twin.write_bytes(workbook.read_bytes())
    size = written_size(["mettre-a-jour", twin, "--date", DAY], twin.parent, capsys)
    before = workbook.read_bytes()
    Disk(workbook.parent, int(size * FILLS[moment])).install(monkeypatch)
    message = french_error(run(["mettre-a-jour", workbook, "--date", DAY], capsys))
    monkeypatch.undo()
    assert "disque plein" in message
    assert workbook.read_bytes() == before
    assert leftovers(workbook.parent) == []


def test_dossier_en_lecture_seule_mise_a_jour(workbook, capsys, monkeypatch):
    """A read-only folder (injected: root ignores chmod) stops mettre-a-jour with a French
    message; the workbook is untouched."""
    before = snapshot(workbook.parent)
    Disk(workbook.parent, None).install(monkeypatch)
    message = french_error(run(["mettre-a-jour", workbook, "--date", DAY], capsys))
    monkeypatch.undo()
    assert "accès refusé" in message or "lecture seule" in message
    assert snapshot(workbook.parent) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignore les droits : voir le test injecté")
def test_dossier_en_lecture_seule_par_les_droits(workbook, capsys):
    """The same with real permissions (chmod 0o500) when the tests do not run as root."""
    before = workbook.read_bytes()
    workbook.parent.chmod(0o500)
    try:
        french_error(run(["mettre-a-jour", workbook, "--date", DAY], capsys))
    finally:
        workbook.parent.chmod(0o700)
    assert workbook.read_bytes() == before


def test_sortie_sous_un_fichier(workbook, tmp_path, capsys):
    """--sortie inside a path whose parent is a file: a French error, nothing written."""
    blocker = tmp_path / "pas_un_dossier"
    blocker.write_text("fichier")
    french_error(
        run(["mettre-a-jour", workbook, "--date", DAY, "--sortie", blocker / "x.xlsx"], capsys)
    )
    outcome = run(["courriers", workbook, "--date", DAY, "--sortie", blocker / "Courriers"], capsys)
    french_error(outcome)
    assert blocker.read_text() == "fichier"


@pytest.mark.parametrize("moment", list(FILLS))
def test_disque_plein_pendant_les_courriers(
    letters_workbook, tmp_path, capsys, monkeypatch, moment
):
    """Disk full while the letters and the summary are written: a French message, every file
    left in the folder is whole (a letter Word opens), no staging folder left."""
    measure = tmp_path / "mesure"
    argv = ["courriers", letters_workbook, "--date", DAY, "--sortie"]
    size = written_size([*argv, measure], measure.parent, capsys)
    out = tmp_path / "Courriers"
    out.mkdir()
    Disk(out, int(size * FILLS[moment])).install(monkeypatch)
    message = french_error(run([*argv, out], capsys))
    monkeypatch.undo()
    assert "disque plein" in message
    assert leftovers(out) == []
    for letter in out.glob("*.docx"):
        WordDocument(str(letter))


def test_dossier_des_courriers_en_lecture_seule(letters_workbook, tmp_path, capsys, monkeypatch):
    """A read-only letters folder: a French message, nothing written, the workbook untouched."""
    out = tmp_path / "Courriers"
    out.mkdir()
    before = letters_workbook.read_bytes()
    Disk(out, None).install(monkeypatch)
    french_error(run(["courriers", letters_workbook, "--date", DAY, "--sortie", out], capsys))
    monkeypatch.undo()
    assert list(out.iterdir()) == []
    assert letters_workbook.read_bytes() == before


# --- classeur ouvert dans Excel -------------------------------------------------------------------


LOCKS = {"Excel": "~$Relances.xlsx", "LibreOffice": ".~lock.Relances.xlsx#"}
WRITERS = {
    "mettre-a-jour": ["mettre-a-jour", "--date", DAY],
    "enregistrer": ["enregistrer", "--date", DAY],
}


@pytest.mark.parametrize("commande", list(WRITERS))
@pytest.mark.parametrize("logiciel", list(LOCKS))
def test_classeur_ouvert_refuse(workbook, capsys, logiciel, commande):
    """A workbook open in Excel or LibreOffice (its lock file beside it) is not written: a
    French message that says how to go on, the file untouched."""
    (workbook.parent / LOCKS[logiciel]).write_bytes(b"\x0cutilisateur")
    before = workbook.read_bytes()
    argv = WRITERS[commande]
    message = french_error(run([argv[0], workbook, *argv[1:]], capsys))
    assert "ouvert" in message and "--forcer" in message
    assert workbook.read_bytes() == before
    assert leftovers(workbook.parent) == []


def test_forcer_ecrit_malgre_le_verrou_et_garde_la_sauvegarde(workbook, capsys):
    """--forcer writes anyway; the previous version is the backup."""
    (workbook.parent / LOCKS["Excel"]).write_bytes(b"\x0cutilisateur")
    before = workbook.read_bytes()
    outcome = run(["mettre-a-jour", workbook, "--date", DAY, "--forcer"], capsys)
    assert outcome.code == 0, outcome.err
    assert readable_workbook(workbook)
    assert (workbook.parent / "Relances.bak.xlsx").read_bytes() == before


# --- Ctrl-C pendant l'écriture du classeur --------------------------------------------------------


def _interrupt(monkeypatch, target, name, when):
    """Replace ``target.name`` by a wrapper raising KeyboardInterrupt when ``when(*args)``, as
    if the user pressed Ctrl-C at that call; the real function runs otherwise."""
    real = getattr(target, name)

    def wrapper(*args, **kwargs):
        if when(*args):
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, wrapper)


def _named(prefix):
    """A call whose first argument is a file named ``prefix…``."""
    return lambda *args: bool(args) and Path(os.fsdecode(args[0])).name.startswith(prefix)


def _onto_workbook(*args) -> bool:
    """``os.replace(…, Relances.xlsx)``: the swap of the new workbook (not of the backup)."""
    return len(args) > 1 and Path(os.fsdecode(args[1])).name == "Relances.xlsx"


INTERRUPTIONS = {
    "pendant l'écriture du fichier temporaire": "write",
    "pendant la relecture de contrôle": "verify",
    "pendant la sauvegarde .bak": "backup",
    "au remplacement du classeur": "replace",
    "juste après le remplacement": "after",
}


def _install_interruption(point: str, folder: Path, monkeypatch) -> None:
    """Arrange a Ctrl-C at ``point`` of the write-back of the workbook in ``folder``."""
    if point == "write":
        disk = Disk(folder, 0)
        disk.refuse = lambda: KeyboardInterrupt()  # type: ignore[assignment,method-assign]
        disk.install(monkeypatch)
    elif point == "verify":
        _interrupt(monkeypatch, CalamineWorkbook, "from_path", _named(".~relance"))
    elif point == "backup":
        _interrupt(monkeypatch, os, "link", lambda *a: True)
    elif point == "replace":
        _interrupt(monkeypatch, os, "replace", _onto_workbook)
    else:
        real = os.replace

        def replaced_then_interrupted(source, target, *args, **kwargs):
            real(source, target, *args, **kwargs)
            if _onto_workbook(source, target):
                raise KeyboardInterrupt

        monkeypatch.setattr(os, "replace", replaced_then_interrupted)


@pytest.mark.parametrize("moment", list(INTERRUPTIONS))
def test_ctrl_c_pendant_la_mise_a_jour(workbook, capsys, monkeypatch, moment):
    """Ctrl-C at any point of the write-back: exit 130 with a French line; the workbook is the
    old one or the complete new one, never half-written; no temporary file; when the workbook
    was replaced, the backup holds the old one."""
    before = workbook.read_bytes()
    _install_interruption(INTERRUPTIONS[moment], workbook.parent, monkeypatch)
    outcome: Outcome = run(["mettre-a-jour", workbook, "--date", DAY], capsys)
    monkeypatch.undo()
    assert outcome.code == 130
    assert outcome.err.strip() == "Erreur : interrompu par l'utilisateur."
    now = workbook.read_bytes()
    assert now == before or readable_workbook(workbook)
    assert leftovers(workbook.parent) == []
    if now != before:
        assert (workbook.parent / "Relances.bak.xlsx").read_bytes() == before
    if INTERRUPTIONS[moment] in ("write", "verify"):
        assert now == before


def test_apres_ctrl_c_la_commande_suivante_reussit(workbook, capsys, monkeypatch):
    """After an interrupted run, the next run writes normally (nothing stale in the way)."""
    _install_interruption("verify", workbook.parent, monkeypatch)
    run(["mettre-a-jour", workbook, "--date", DAY], capsys)
    monkeypatch.undo()
    outcome = run(["mettre-a-jour", workbook, "--date", DAY], capsys)
    assert outcome.code == 0, outcome.err
    assert readable_workbook(workbook)


def test_ctrl_c_pendant_les_courriers(letters_workbook, tmp_path, capsys, monkeypatch):
    """Ctrl-C in the middle of the letters batch: exit 130, no staging folder, no half letter."""
    from relance_xl.letters import bulk

    out = tmp_path / "Courriers"
    calls = {"n": 0}
    real = bulk._write_letters

    def second_letter_interrupted(tasks):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(tasks)

    monkeypatch.setattr(bulk, "_write_letters", second_letter_interrupted)
    outcome = run(["courriers", letters_workbook, "--date", DAY, "--sortie", out], capsys)
    assert outcome.code == 130
    assert leftovers(out) == []
    for letter in out.glob("*.docx"):
        WordDocument(str(letter))


# --- LibreOffice tué ou bloqué --------------------------------------------------------------------

PDF_MINIMAL = "%%PDF-1.4\\n1 0 obj<</Type/Catalog>>endobj\\ntrailer<</Root 1 0 R>>\\n%%%%EOF\\n"
SOFFICE_BEHAVIOURS = {
    "bloqué": 'echo $$ >> "$PIDFILE"; sleep 300 & echo $! >> "$PIDFILE"; wait',
    "tué après le premier courrier": (
        f"if [ $n -eq 1 ]; then printf '{PDF_MINIMAL}' > \"$outdir/$name.pdf\"; else kill -9 $$; fi"
    ),
}


@pytest.fixture
def fake_soffice(tmp_path, monkeypatch):
    """Put a fake ``soffice`` first on the PATH, behaving as asked."""

    def install(behaviour: str) -> Path:
        folder = tmp_path / "bin"
        folder.mkdir(exist_ok=True)
        script = folder / "soffice"
        script.write_text(
            "#!/bin/sh\n"
            'outdir=""; prev=""; n=0\n'
            'for arg in "$@"; do [ "$prev" = "--outdir" ] && outdir="$arg"; prev="$arg"; done\n'
            'for arg in "$@"; do\n'
            '  case "$arg" in *.docx)\n'
            '    n=$((n+1)); name=$(basename "$arg" .docx)\n'
            f"    {SOFFICE_BEHAVIOURS[behaviour]}\n"
            "  esac\n"
            "done\n"
        )
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
        monkeypatch.delenv(pdf.SOFFICE_ENV, raising=False)
        monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
        monkeypatch.setenv("PIDFILE", str(tmp_path / "soffice.pid"))
        return script

    return install


def alive(pid: int) -> bool:
    """The process runs (a zombie waiting to be reaped does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purpose
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_libreoffice_bloque_delai_depasse(letters_workbook, tmp_path, capsys, monkeypatch,
                                          fake_soffice):  # fmt: skip
    """A hanging LibreOffice is stopped at the time limit with all its processes; the Word
    letters and the summary stay, and the message says the time limit was hit."""
    fake_soffice("bloqué")
    monkeypatch.setitem(pdf.convert_to_pdf.__kwdefaults__, "timeout", 2.0)
    out = tmp_path / "Courriers"
    outcome = run(["courriers", letters_workbook, "--date", DAY, "--sortie", out, "--pdf"], capsys)
    message = french_error(outcome, "délai")
    assert "courriers Word restent disponibles" in message
    assert len(list(out.glob("*.docx"))) == len(EMAIL_CLIENTS)
    assert (out / "recapitulatif.csv").exists()
    pids = [int(line) for line in (tmp_path / "soffice.pid").read_text().split()]
    assert not any(alive(pid) for pid in pids)
    assert leftovers(out) == []


def test_libreoffice_tue_en_cours_de_lot(letters_workbook, tmp_path, capsys, fake_soffice):
    """LibreOffice killed after the first letter: the message names the missing PDF, the first
    PDF and every Word letter are there, no temporary folder."""
    fake_soffice("tué après le premier courrier")
    out = tmp_path / "Courriers"
    outcome = run(["courriers", letters_workbook, "--date", DAY, "--sortie", out, "--pdf"], capsys)
    message = french_error(outcome, "anormalement")
    assert "PDF manquant" in message
    assert len(list(out.glob("*.docx"))) == len(EMAIL_CLIENTS)
    assert leftovers(out) == []


def test_libreoffice_absent(letters_workbook, tmp_path, capsys, monkeypatch):
    """Without LibreOffice, --pdf explains how to install it; the Word letters are written."""
    monkeypatch.delenv(pdf.SOFFICE_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "vide"))
    monkeypatch.setattr(pdf, "INSTALL_PATHS", ())
    out = tmp_path / "Courriers"
    outcome = run(["courriers", letters_workbook, "--date", DAY, "--sortie", out, "--pdf"], capsys)
    french_error(outcome, "LibreOffice est introuvable")
    assert len(list(out.glob("*.docx"))) == len(EMAIL_CLIENTS)


# --- serveur SMTP qui refuse ou coupe -------------------------------------------------------------


@pytest.fixture
def smtp_server():
    """Start a real SMTP server on 127.0.0.1 with the given handler; returns its port."""
    controllers: list[Controller] = []

    def start(mailbox: Mailbox) -> int:
        port = free_port()
        controller = Controller(mailbox, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        return port

    yield start
    for controller in controllers:
        controller.stop()


def smtp_workbook(folder: Path, port: int) -> Path:
    """The four-email workbook with an SMTP server in Paramètres."""
    settings = {
        "Serveur SMTP": "127.0.0.1",
        "Port SMTP": port,
        "Sécurité SMTP": "aucune",
        "Expéditeur": "compta@menuiserie-exemple.fr",
    }
    return complete_workbook(folder / "Relances.xlsx", email_rows(), settings=settings)


def journal(out: Path) -> list[dict[str, str]]:
    """The sending journal of the letters folder, line by line."""
    path = out / "journal_envois.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_smtp_coupe_en_cours_de_lot_puis_reprise(tmp_path, capsys, smtp_server):
    """The server drops the line at the third email: the run stops in French saying how many
    went; the journal lists them; the next run sends only the others — nobody gets two."""
    mailbox = Mailbox(drop_at=2)
    workbook = smtp_workbook(tmp_path, smtp_server(mailbox))
    out = tmp_path / "Courriers"
    argv = ["courriers", workbook, "--date", DAY, "--sortie", out, "--envoyer"]
    message = french_error(run(argv, capsys), "envoi interrompu")
    assert "2 courriel(s) envoyé(s)" in message
    assert [entry["statut"] for entry in journal(out)] == ["envoyé", "envoyé"]
    assert len(mailbox.received) == 2
    outcome = run(argv, capsys)
    assert outcome.code == 0, outcome.err
    assert "2 courriel(s) envoyé(s), 2 déjà envoyé(s)" in outcome.out
    assert sorted(mailbox.recipients()) == sorted(f"client{n}@example.fr" for n in range(1, 5))
    assert [entry["statut"] for entry in journal(out)] == ["envoyé"] * 4


def test_smtp_refuse_un_destinataire_les_autres_partent(tmp_path, capsys, smtp_server):
    """A recipient refused by the server: the others go, exit 1, the journal and the terminal
    say which one was refused and why."""
    mailbox = Mailbox(refuse="client2@example.fr")
    workbook = smtp_workbook(tmp_path, smtp_server(mailbox))
    out = tmp_path / "Courriers"
    outcome = run(["courriers", workbook, "--date", DAY, "--sortie", out, "--envoyer"], capsys)
    assert outcome.code == 1
    assert "refusé" in outcome.err and "550" in outcome.err
    assert sorted(mailbox.recipients()) == ["client1@example.fr", "client3@example.fr",
                                            "client4@example.fr"]  # fmt: skip
    statuses = {entry["destinataire"]: entry["statut"] for entry in journal(out)}
    assert [s for d, s in statuses.items() if "client2@" in d] == ["refusé"]


def test_smtp_injoignable_rien_n_est_envoye(tmp_path, capsys):
    """No server listening: a French message, the .eml drafts are there, the journal records
    nothing sent."""
    workbook = smtp_workbook(tmp_path, free_port())
    out = tmp_path / "Courriers"
    message = french_error(
        run(["courriers", workbook, "--date", DAY, "--sortie", out, "--envoyer"], capsys)
    )
    assert "aucun courriel envoyé" in message
    assert len(list(out.glob("*.eml"))) == len(EMAIL_CLIENTS)
    assert not (out / "journal_envois.jsonl").exists() or journal(out) == []


def test_les_brouillons_sont_des_courriels_complets(tmp_path, capsys):
    """The .eml drafts written before any sending parse as complete messages (guards the
    drafts the user falls back on when the server fails)."""
    workbook = smtp_workbook(tmp_path, free_port())
    out = tmp_path / "Courriers"
    run(["courriers", workbook, "--date", DAY, "--sortie", out], capsys)
    for draft in out.glob("*.eml"):
        message = email.message_from_bytes(draft.read_bytes(), policy=email.policy.default)
        assert message["X-Unsent"] == "1" and message.get_content().strip()


def test_processus_soffice_jamais_orphelins_apres_ctrl_c(letters_workbook, tmp_path, capsys,
                                                         monkeypatch, fake_soffice):  # fmt: skip
    """Ctrl-C while LibreOffice converts: exit 130, and no LibreOffice process survives."""
    fake_soffice("bloqué")
    pid_file = tmp_path / "soffice.pid"
    real_wait = pdf.subprocess.Popen.wait

    def interrupted_wait(self, timeout=None):
        if timeout is None:  # the final reaping after the kill
            return real_wait(self)
        for _ in range(100):  # until the fake soffice and its child are running
            if pid_file.exists() and len(pid_file.read_text().split()) >= 2:
                break
            real_wait_short(self)
        raise KeyboardInterrupt

    def real_wait_short(process):
        with contextlib.suppress(pdf.subprocess.TimeoutExpired):
            real_wait(process, timeout=0.05)

    monkeypatch.setattr(pdf.subprocess.Popen, "wait", interrupted_wait)
    out = tmp_path / "Courriers"
    outcome = run(["courriers", letters_workbook, "--date", DAY, "--sortie", out, "--pdf"], capsys)
    assert outcome.code == 130
    pids = [int(line) for line in pid_file.read_text().split()]
    assert len(pids) >= 2 and not any(alive(pid) for pid in pids)
    assert leftovers(out) == []
