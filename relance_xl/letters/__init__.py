"""Letters and email drafts for the actions of the day: what the CLI and the Excel button call.

:func:`generate` turns the ``à faire`` actions (and the ``à transmettre`` files) into documents:
a .docx letter per client and step from the step's template (:mod:`.bulk`, fast and checked
before anything is written), an .eml draft for email steps (:mod:`relance_xl.mail`);
:func:`plan_actions` the letter formalising a client's agreed payment plan (échéancier), outside
the procedure; :func:`add_pdfs` the PDF of every letter and the print file of the letters to
post (converters: :mod:`.pdfs`), :func:`write_summary` the ``recapitulatif.csv`` of the batch,
:func:`describe` the line that tells the user what was written for one action. Template names a
user may use: :mod:`.context`; filters and sandbox: :mod:`.render`; file names: :mod:`.filenames`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

from relance_xl import fr, mail, pdf
from relance_xl.errors import InputError, OutputError
from relance_xl.escalation import A_FAIRE as TO_DO
from relance_xl.escalation import A_TRANSMETTRE as TO_HAND_OVER
from relance_xl.escalation import invoice_lines
from relance_xl.letters.bulk import LetterJob
from relance_xl.letters.bulk import generate as generate_letters
from relance_xl.letters.context import (
    EMAIL,
    PHONE,
    POST,
    REGISTERED,
    build_context,
    channel_kind,
    documentation,
)
from relance_xl.letters.filenames import letter_name, unique_path
from relance_xl.letters.pdfs import Converter, libreoffice_pdfs
from relance_xl.letters.render import DOCX_SUFFIX, TEXT_SUFFIX, find_template, render_text
from relance_xl.model import Action, Client, Ledger
from relance_xl.money import quantize
from relance_xl.text import normalize

__all__ = [
    "Document",
    "PdfBatch",
    "add_pdfs",
    "channel_kind",
    "describe",
    "documentation",
    "generate",
    "output_folder",
    "plan_actions",
    "templates_folder",
    "with_files",
    "write_summary",
]

LITIGATION_TEMPLATE = "dossier_contentieux"
"""Template of the file handed to a lawyer once the last level is passed (« à transmettre »)."""
EMAIL_TEMPLATE = "relance_amiable"
PLAN_TEMPLATE = "proposition_echeancier"
"""Template of the letter formalising an agreed payment plan (échéancier), to sign and return."""
PLAN_ACTION = "proposition d'échéancier"
SUMMARY_NAME = "recapitulatif.csv"
SUMMARY_HEADER = (
    "Client", "Niveau", "Action", "Canal", "État", "Fichiers", "Principal", "Intérêts",
    "Indemnités", "Total", "Remarque",
)  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@")


@dataclass(frozen=True, slots=True)
class Document:
    """What was produced for one action.

    Attributes:
        action: the action.
        files: documents written (.docx, .eml; .pdf added by the caller), may be empty.
        message: the email draft of an email step, for sending (None otherwise).
        note: French remark for the user (why no document, why a letter instead of an email).
        warning: the note asks the user to check something (exit code 1).
    """

    action: Action
    files: tuple[Path, ...] = ()
    message: EmailMessage | None = None
    note: str = ""
    warning: bool = False


@dataclass(frozen=True, slots=True)
class PdfBatch:
    """What :func:`add_pdfs` made.

    Attributes:
        documents: the documents, each with the PDF of its letter added to its files.
        made: how many PDFs were made (0 when there was no letter).
        print_file: ``a_imprimer_AAAA-MM-JJ.pdf``, the letters to post in one file; None when
            no letter goes by post.
    """

    documents: list[Document]
    made: int = 0
    print_file: Path | None = None


def output_folder(ledger: Ledger, workbook: Path, explicit: Path | None = None) -> Path:
    """``--sortie``, else Paramètres « Dossier des courriers » (relative to the workbook), else
    a ``Courriers`` folder beside the workbook."""
    if explicit is not None:
        return Path(explicit)
    folder = workbook.parent
    configured = ledger.settings.output_folder.strip()
    return folder / configured if configured else folder / "Courriers"


def templates_folder(ledger: Ledger, workbook: Path) -> Path | None:
    """Paramètres « Dossier des modèles » (relative to the workbook), or None: bundled ones."""
    configured = ledger.settings.templates_folder.strip()
    return workbook.parent / configured if configured else None


def plan_actions(ledger: Ledger, as_of: dt.date, clients: Sequence[str]) -> list[Action]:
    """The *proposition d'échéancier* of each named client (compared without case or accents),
    as an ``à faire`` postal action outside the procedure: the invoices of its plan in the
    Échéanciers sheet with their outstanding amounts and penalties at ``as_of``, as in any
    letter. The client's signature acknowledges the debt (reconnaissance de dette, art. 2240
    C. civ.: it interrupts the limitation period). InputError for a client that is unknown, has
    no plan, or whose plan covers no invoice still due, before anything is written."""
    keys = {normalize(key): key for key in ledger.clients}
    actions: list[Action] = []
    for name in dict.fromkeys(clients):
        key = keys.get(normalize(name))
        if key is None:
            raise InputError(
                f"client « {name} » introuvable dans les feuilles Factures et Clients."
            )
        if any(action.client == key for action in actions):
            continue
        numbers = {i.invoice for i in ledger.instalments if i.client == key}
        if not numbers:
            raise InputError(
                f"le client « {key} » n'a pas d'échéancier : saisissez ses échéances dans la "
                "feuille Échéanciers."
            )
        lines = invoice_lines(ledger, as_of, key, numbers)
        if not lines:
            raise InputError(
                f"l'échéancier du client « {key} » ne porte sur aucune facture restant due au "
                f"{fr.date_short(as_of)}."
            )
        client = ledger.clients[key]
        actions.append(
            Action(
                client=key,
                level="",
                action=PLAN_ACTION,
                channel=POST,
                planned_date=as_of,
                state=TO_DO,
                invoices=lines,
                amount_due=sum((line.outstanding for line in lines), Decimal("0.00")),
                interest=sum((line.interest for line in lines), Decimal("0.00")),
                fee=sum((line.fee for line in lines), Decimal("0.00")),
                template=PLAN_TEMPLATE,
                email=client.email,
                phone=client.phone,
                ap_contact=client.ap_contact,
            )
        )
    return actions


def generate(
    ledger: Ledger,
    actions: Iterable[Action],
    as_of: dt.date,
    out_dir: Path,
    *,
    user_templates: Path | None = None,
    clients: Sequence[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Document]:
    """Documents for the ``à faire`` actions and the ``à transmettre`` files (of ``clients``
    only, compared without case or accents, when given), written into ``out_dir``.

    Every template and every email is prepared in memory first: a broken template or an
    unknown variable raises TemplateError before any file is written. Existing files are never
    replaced (``-2``, ``-3``… suffixes).
    """
    wanted = None if clients is None else {normalize(name) for name in clients}
    chosen = [
        action
        for action in actions
        if action.state in (TO_DO, TO_HAND_OVER)
        and (wanted is None or normalize(action.client) in wanted)
    ]
    documents: list[Document] = []
    jobs: list[LetterJob] = []
    job_owner: list[int] = []
    drafts: list[tuple[int, str]] = []
    for action in chosen:
        client = ledger.clients.get(action.client) or Client(action.client)
        context = build_context(
            action,
            client,
            ledger.settings.creditor,
            ledger.history,
            as_of,
            ledger.instalments,
            ledger.settings.contract_rate,
        )
        note = ""
        kind = channel_kind(action.channel)
        if kind == PHONE and action.state == TO_DO:
            documents.append(Document(action, note="appel téléphonique : aucun document"))
            continue
        if kind == EMAIL and action.state == TO_DO:
            message, note = _email(ledger, action, client, context, user_templates)
            if message is not None:
                name = letter_name(as_of, client.key, action.template or EMAIL_TEMPLATE, ".eml")
                drafts.append((len(documents), name))
                documents.append(Document(action, message=message))
                continue
        template = LITIGATION_TEMPLATE if action.state == TO_HAND_OVER else action.template
        if not template:
            note = "aucun modèle de courrier pour ce niveau dans Paramètres"
            documents.append(Document(action, note=note, warning=True))
            continue
        path = find_template(template, DOCX_SUFFIX, user_templates)
        target = out_dir / letter_name(as_of, client.key, template)
        jobs.append(LetterJob(path, context, target))
        job_owner.append(len(documents))
        documents.append(Document(action, note=note, warning=bool(note)))
    written = generate_letters(jobs, progress)
    for index, path in zip(job_owner, written, strict=True):
        documents[index] = with_files(documents[index], [path])
    taken: set[str] = {path.name.lower() for path in written}
    for index, name in drafts:
        path = unique_path(out_dir, name, taken)
        mail.write_eml(documents[index].message, path)
        taken.add(path.name.lower())
        documents[index] = with_files(documents[index], [path])
    return documents


def with_files(document: Document, paths: Iterable[Path]) -> Document:
    """The same document with more files (the PDF made from its letter…)."""
    return replace(document, files=(*document.files, *paths))


def add_pdfs(
    documents: Sequence[Document],
    folder: Path,
    as_of: dt.date,
    convert: Converter = libreoffice_pdfs,
) -> PdfBatch:
    """The PDF of every .docx letter (one ``convert`` call for the batch) beside it in
    ``folder``, and the print file of the letters to post (courrier, recommandé AR) in client
    order. OutputError (LibreOfficeMissing among them) when a PDF cannot be made: the .docx
    letters are left as they are."""
    sources = [path for document in documents for path in document.files]
    sources = [path for path in sources if path.suffix == DOCX_SUFFIX]
    if not sources:
        return PdfBatch(list(documents))
    pdfs = dict(zip(sources, convert(sources, folder), strict=True))
    updated = [
        with_files(document, [pdfs[path] for path in document.files if path in pdfs])
        for document in documents
    ]
    to_post = [
        pdfs[path]
        for document in documents
        if channel_kind(document.action.channel) in (POST, REGISTERED)
        for path in document.files
        if path in pdfs
    ]
    target = pdf.merge_pdfs(to_post, folder / pdf.print_file_name(as_of)) if to_post else None
    return PdfBatch(updated, len(pdfs), target)


def describe(document: Document) -> str:
    """``Client – action : fichiers (remarque)``: what was written for one action."""
    names = ", ".join(path.name for path in document.files) or "aucun fichier"
    note = f" ({document.note})" if document.note else ""
    return f"{document.action.client} – {document.action.action} : {names}{note}"


def _email(
    ledger: Ledger,
    action: Action,
    client: Client,
    context: dict[str, object],
    user_templates: Path | None,
) -> tuple[EmailMessage | None, str]:
    """The draft of an email step, or (None, why) when it cannot be an email: then the step
    goes out as a letter from the docx variant of the template."""
    creditor = ledger.settings.creditor
    recipient = action.email or client.email
    sender = ledger.settings.smtp.sender or creditor.email
    if not recipient:
        return None, "pas d'adresse email pour ce client : courrier à la place"
    if not sender:
        return None, "pas d'adresse email d'expéditeur dans Paramètres : courrier à la place"
    template = find_template(action.template or EMAIL_TEMPLATE, TEXT_SUFFIX, user_templates)
    body = render_text(template, context)
    try:
        message = mail.draft(
            sender=_named(creditor.name, sender),
            to=_named(client.display_name, recipient),
            subject=mail.reminder_subject([line.number for line in action.invoices]),
            body=body,
            reply_to=creditor.email if creditor.email and creditor.email != sender else "",
        )
    except OutputError as error:
        return None, f"{error.message.rstrip('.')} : courrier à la place"
    return message, ""


def _named(name: str, address: str) -> str:
    """``Nom <adresse>`` (chevrons of the name dropped: « Dupont & Fils SARL »), unless the cell
    already says ``Nom <adresse>``."""
    display = " ".join(name.replace("<", " ").replace(">", " ").split())
    return f"{display} <{address}>" if display and "<" not in address else address


def write_summary(documents: Sequence[Document], folder: Path) -> Path:
    """``recapitulatif.csv`` (``-2``… if it exists): one row per action, ``;``-separated,
    UTF-8 with BOM for French Excel, amounts with a decimal comma, formula injection defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(SUMMARY_HEADER)
    for document in documents:
        action = document.action
        row = (
            action.client,
            action.level,
            action.action,
            action.channel,
            action.state,
            ", ".join(path.name for path in document.files),
            _decimal_comma(action.amount_due),
            _decimal_comma(action.interest),
            _decimal_comma(action.fee),
            _decimal_comma(action.total),
            document.note,
        )
        writer.writerow([_defused(cell) for cell in row])
    text = "\ufeff" + buffer.getvalue()
    return pdf.save_atomically(unique_path(folder, SUMMARY_NAME), text.encode("utf-8"))


def _decimal_comma(value: Decimal) -> str:
    """``1234,50``: what French Excel reads as a number (no grouping, decimal comma)."""
    return f"{quantize(value):.2f}".replace(".", ",")


def _defused(cell: str) -> str:
    """A cell Excel would read as a formula (``=``, ``+``, ``-``, ``@``) gets a leading ``'``."""
    return f"'{cell}" if cell.startswith(_FORMULA_START) else cell
