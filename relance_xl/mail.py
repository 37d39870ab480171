"""Emails: .eml drafts that Outlook opens ready to send, and SMTP sending with a journal.

A draft carries ``X-Unsent: 1``, so that Outlook (and Thunderbird) open it as a new message with the
Send button. ``send_all`` sends through the server of Paramètres and writes one line per message to
a JSON-lines journal *as soon as the server has accepted it*: a run cut short (connection dropped,
server refusing) stops cleanly and a second run sends only what is left. The SMTP password comes
from an environment variable and is never written anywhere.

Header injection: a line break in a display name (an Excel cell typed with Alt+Entrée) becomes a
space; whatever remains must be exactly one valid address, otherwise the field is refused with an
OutputError; the serialised headers are read back to prove it. Line breaks in the subject become
spaces.
"""

from __future__ import annotations

import copy
import datetime as dt
import email.policy
import email.utils
import errno
import json
import os
import re
import smtplib
import socket
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from relance_xl.errors import ConfigError, OutputError, describe_os_error
from relance_xl.model import SMTP_SECURITY, SmtpSettings
from relance_xl.pdf import save_atomically
from relance_xl.text import normalize

JOURNAL_NAME = "journal_envois.jsonl"
"""Default name of the sending journal, in the output folder."""

SUBJECT_PREFIX = "Rappel de facture"
MAX_SUBJECT_NUMBERS = 5
MAX_DISPLAY_NAME = 100
"""Longest display name put in an address header (longer ones are cut at a word): a 10 000-character
client name would otherwise take seconds to fold and make an unreadable header."""
SMTP_TIMEOUT = 30.0
"""Seconds to wait for the SMTP server at each step before giving up."""

SENT = "envoyé"
REFUSED = "refusé"

MIME_TYPES = {
    ".pdf": ("application", "pdf"),
    ".docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".doc": ("application", "msword"),
    ".odt": ("application", "vnd.oasis.opendocument.text"),
    ".txt": ("text", "plain"),
}

_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NAMED = re.compile(r"^(?P<name>[^<>]*)<(?P<address>[^<>]*)>$")
_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_NAME_UNSAFE = re.compile(r"[^\w &'+/-]")
_DOMAIN_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


@dataclass(frozen=True, slots=True)
class SendReport:
    """What one ``send_all`` run did.

    Attributes:
        sent: keys sent during this run, in order.
        skipped: keys not sent because the journal says they already were (or repeated keys).
        refused: (key, French reason) for messages the server refused (bad recipient…); they are
            tried again on the next run.
        journal: the journal file.
    """

    sent: tuple[str, ...]
    skipped: tuple[str, ...]
    refused: tuple[tuple[str, str], ...]
    journal: Path

    def summary(self) -> str:
        """``3 courriel(s) envoyé(s), 2 déjà envoyé(s), 1 refusé(s).``"""
        return (
            f"{len(self.sent)} courriel(s) envoyé(s), {len(self.skipped)} déjà envoyé(s), "
            f"{len(self.refused)} refusé(s)."
        )


def message_key(client: str, level: str, day: dt.date) -> str:
    """Stable id of one step for one client: ``2026-11-23|1|Dupont & Fils``."""
    return f"{day.isoformat()}|{level.strip()}|{client.strip()}"


def reminder_subject(numbers: Sequence[str]) -> str:
    """``Rappel de facture – N° F-001`` (``de factures – N° F-001, F-002`` for several)."""
    cleaned = [_one_line(number) for number in numbers if _one_line(number)]
    if len(cleaned) <= 1:
        return f"{SUBJECT_PREFIX} – N° {cleaned[0] if cleaned else ''}".rstrip()
    shown = ", ".join(cleaned[:MAX_SUBJECT_NUMBERS])
    rest = len(cleaned) - MAX_SUBJECT_NUMBERS
    more = f" et {rest} autre(s)" if rest > 0 else ""
    return f"{SUBJECT_PREFIX}s – N° {shown}{more}"


def parse_address(text: str, field: str = "destinataire") -> Address:
    """One address, ``Nom <adresse>`` or ``adresse``; OutputError naming ``field`` otherwise.

    The name keeps letters, digits, spaces and ``& ' + / -`` (line breaks and other signs become
    spaces, dots are dropped): the standard library folds long quoted names into several addresses,
    so no name is ever quoted. The address must be a plain ASCII local part, ``@``, and a domain
    with a dot (accented domains are encoded in IDNA). Several addresses in one field are refused.
    """
    flat = _one_line(text)
    match = _NAMED.match(flat)
    name, address = (match["name"], match["address"]) if match else ("", flat)
    address = address.strip()
    line_break = " (retour à la ligne dans le champ)" if _LINE_BREAKS.search(text) else ""
    several = address.count("@") > 1 or re.search(r"[,;]", address)
    if several or ("@" in name and re.search(r"[,;]", name)):
        raise OutputError(f"{field} « {flat} » : une seule adresse email par champ{line_break}.")
    local, _, domain = address.partition("@")
    ascii_domain = _ascii_domain(domain)
    if not _LOCAL_PART.match(local) or ascii_domain is None:
        raise OutputError(f"{field} « {flat} » : adresse email invalide{line_break}.")
    try:
        return Address(display_name=_display_name(name), username=local, domain=ascii_domain)
    except (ValueError, TypeError) as error:
        raise OutputError(f"{field} « {flat} » : adresse email invalide.") from error


def draft(
    *,
    sender: str,
    to: str,
    subject: str,
    body: str,
    attachments: Sequence[Path] = (),
    reply_to: str = "",
    when: dt.datetime | None = None,
) -> EmailMessage:
    """A ready-to-send email: UTF-8 text, French subject encoded, ``X-Unsent: 1``, attachments.

    ``when`` is the Date header (default: now, local time). Addresses go through
    :func:`parse_address`; an unreadable attachment raises OutputError.
    """
    from_address = parse_address(sender, "expéditeur")
    message = EmailMessage()
    message["From"] = from_address
    message["To"] = parse_address(to, "destinataire")
    if reply_to.strip():
        message["Reply-To"] = parse_address(reply_to, "adresse de réponse")
    clean_subject = _one_line(subject)
    if not clean_subject:
        raise OutputError("l'objet du courriel est vide.")
    message["Subject"] = clean_subject
    stamp = email.utils.localtime(when) if when else email.utils.localtime()
    message["Date"] = email.utils.format_datetime(stamp)
    message["Message-ID"] = email.utils.make_msgid("relance", domain=from_address.domain)
    message["X-Unsent"] = "1"
    message.set_content(body, charset="utf-8", cte="quoted-printable")
    _check_addresses(message)
    for path in attachments:
        _attach(message, Path(path))
    return message


def _check_addresses(message: EmailMessage) -> None:
    """Read the serialised headers back: each address field must give exactly its one address."""
    reread = email.message_from_bytes(
        message.as_bytes(policy=email.policy.SMTP), policy=email.policy.default
    )
    for header in ("From", "To", "Reply-To"):
        if header in message:
            expected = [address.addr_spec for address in message[header].addresses]
            if [address.addr_spec for address in reread[header].addresses] != expected:
                raise OutputError(
                    f"adresse « {message[header]} » mal relue après mise en forme : courriel "
                    "refusé par sécurité."
                )


def write_eml(message: EmailMessage, path: Path) -> Path:
    """Save the draft as an ``.eml`` file (CRLF line ends, as Outlook expects); atomic."""
    return save_atomically(Path(path), message.as_bytes(policy=email.policy.SMTP))


def sent_keys(journal: Path) -> frozenset[str]:
    """Keys the journal records as sent; a damaged line (cut by a crash) is ignored."""
    try:
        text = Path(journal).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return frozenset()
    except OSError as error:
        raise OutputError(
            f"journal des envois « {journal} » illisible : {describe_os_error(error)}."
        ) from error
    keys = set()
    for line in text.splitlines():
        with suppress(ValueError):
            entry = json.loads(line)
            if isinstance(entry, dict) and entry.get("statut") == SENT:
                keys.add(str(entry.get("cle")))
    return frozenset(keys)


def send_all(
    messages: Sequence[tuple[str, EmailMessage]],
    smtp: SmtpSettings,
    journal: Path,
    *,
    password: str | None = None,
) -> SendReport:
    """Send every (key, message) whose key the journal does not list as sent yet.

    Each accepted message is appended to the journal and flushed to disk before the next one. A
    refused recipient is reported and the batch goes on; a dropped connection, a full disk or a
    server refusing the sender stops the batch with an OutputError saying how many were sent.
    ``password`` defaults to ``os.environ[smtp.password_env]`` (only when ``smtp.user`` is set).
    """
    journal = Path(journal)
    seen = set(sent_keys(journal))
    pending: list[tuple[str, EmailMessage]] = []
    skipped: list[str] = []
    for key, message in messages:
        if key in seen:
            skipped.append(key)
        else:
            seen.add(key)
            pending.append((key, message))
    if not pending:
        return SendReport((), tuple(skipped), (), journal)
    security = _security(smtp)
    secret = _password(smtp, password)
    sent: list[str] = []
    refused: list[tuple[str, str]] = []
    with _journal(journal) as record, _connection(smtp, security, secret) as server:
        for key, message in pending:
            try:
                reason = _send_one(server, message, smtp.sender.strip())
            except (smtplib.SMTPException, OSError) as error:
                raise OutputError(_stopped(smtp, sent, pending, journal, error)) from error
            record(key, message, REFUSED if reason else SENT, reason)
            if reason:
                refused.append((key, reason))
            else:
                sent.append(key)
    return SendReport(tuple(sent), tuple(skipped), tuple(refused), journal)


class _Recorder(Protocol):
    def __call__(self, key: str, message: EmailMessage, status: str, reason: str) -> None: ...


@contextmanager
def _journal(journal: Path) -> Iterator[_Recorder]:
    """Open the journal for appending (before anything is sent) and yield its writer."""
    try:
        journal.parent.mkdir(parents=True, exist_ok=True)
        cut = _ends_mid_line(journal)
        stream = journal.open("a", encoding="utf-8", newline="\n")
        if cut:  # a line cut by a crash: start on a fresh line
            stream.write("\n")
            stream.flush()
    except OSError as error:
        raise OutputError(
            f"journal des envois « {journal} » impossible à écrire : {describe_os_error(error)} ; "
            "aucun courriel envoyé."
        ) from error

    def record(key: str, message: EmailMessage, status: str, reason: str) -> None:
        entry = {
            "cle": key,
            "statut": status,
            "horodatage": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "destinataire": str(message.get("To", "")),
            "objet": str(message.get("Subject", "")),
            "message_id": str(message.get("Message-ID", "")),
            "motif": reason,
        }
        try:
            stream.write(json.dumps(entry, ensure_ascii=False) + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        except OSError as error:
            raise OutputError(
                f"le courriel « {key} » est {status} mais le journal « {journal} » n'a pas pu "
                f"l'enregistrer : {describe_os_error(error)} ; envoi arrêté."
            ) from error

    with stream:
        yield record


def _ends_mid_line(journal: Path) -> bool:
    """True when the journal exists and its last byte is not a line end."""
    if not journal.exists() or journal.stat().st_size == 0:
        return False
    with journal.open("rb") as stream:
        stream.seek(-1, os.SEEK_END)
        return stream.read(1) != b"\n"


@contextmanager
def _connection(smtp: SmtpSettings, security: str, password: str | None) -> Iterator[smtplib.SMTP]:
    """Connected, secured and logged-in SMTP session; closed on the way out, even if broken."""
    where = f"{smtp.host}:{smtp.port}"
    try:
        if security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT)
    except (smtplib.SMTPException, OSError) as error:
        raise OutputError(
            f"impossible de joindre le serveur SMTP {where} ({_reason(error)}) ; aucun courriel "
            "envoyé."
        ) from error
    try:
        _open_session(server, smtp, security, password, where)
        yield server
    finally:
        _close(server)


def _open_session(
    server: smtplib.SMTP, smtp: SmtpSettings, security: str, password: str | None, where: str
) -> None:
    """STARTTLS when asked, then LOGIN when a user is set; OutputError saying which step failed."""
    step = "STARTTLS"
    try:
        if security == "starttls":
            server.starttls(context=ssl.create_default_context())
        step = "l'authentification"
        if smtp.user:
            server.login(smtp.user, password or "")
    except smtplib.SMTPAuthenticationError as error:
        raise OutputError(
            f"le serveur SMTP {where} a refusé l'identifiant « {smtp.user} » (mot de passe "
            "incorrect ?) ; aucun courriel envoyé."
        ) from error
    except smtplib.SMTPNotSupportedError as error:
        raise OutputError(
            f"le serveur SMTP {where} ne propose pas {step} : vérifiez la sécurité et "
            "l'utilisateur SMTP dans Paramètres ; aucun courriel envoyé."
        ) from error
    except (smtplib.SMTPException, OSError) as error:
        raise OutputError(
            f"connexion au serveur SMTP {where} impossible ({_reason(error)}) ; aucun courriel "
            "envoyé."
        ) from error


def _close(server: smtplib.SMTP) -> None:
    """QUIT politely when the connection still works; close the socket in every case."""
    with suppress(smtplib.SMTPException, OSError):
        server.quit()
    with suppress(OSError):
        server.close()


def _security(smtp: SmtpSettings) -> str:
    if not smtp.host.strip():
        raise ConfigError(
            "serveur SMTP non renseigné dans Paramètres : impossible d'envoyer les courriels "
            "(les brouillons .eml restent utilisables)."
        )
    security = SMTP_SECURITY.get(normalize(smtp.security))
    if security is None:
        raise ConfigError(
            f"sécurité SMTP « {smtp.security} » inconnue dans Paramètres : attendu starttls, ssl "
            "ou aucune."
        )
    return security


def _password(smtp: SmtpSettings, password: str | None) -> str | None:
    """The password when a user is set: given, else from the environment variable of settings."""
    if not smtp.user:
        return None
    secret = password if password is not None else os.environ.get(smtp.password_env)
    if not secret:
        raise ConfigError(
            f"mot de passe SMTP absent : définissez la variable d'environnement "
            f"{smtp.password_env} (il n'est jamais enregistré dans le classeur)."
        )
    return secret


def _send_one(server: smtplib.SMTP, message: EmailMessage, sender: str) -> str:
    """Send one message: "" when accepted, the server's reason when it refused this one only.

    Anything else (connection lost, sender refused, temporary 4xx answer) propagates: the batch
    must stop there.
    """
    try:
        server.send_message(_outgoing(message), from_addr=sender or None)
    except smtplib.SMTPRecipientsRefused as error:
        return "; ".join(_server_reply(*reply) for reply in error.recipients.values())
    except smtplib.SMTPDataError as error:
        if 500 <= error.smtp_code < 600:
            return _server_reply(error.smtp_code, error.smtp_error)
        raise
    return ""


def _outgoing(message: EmailMessage) -> EmailMessage:
    """The message as sent: a copy without ``X-Unsent`` (that header is for drafts only)."""
    outgoing = copy.deepcopy(message)
    del outgoing["X-Unsent"]
    return outgoing


def _stopped(
    smtp: SmtpSettings,
    sent: Sequence[str],
    pending: Sequence[tuple[str, EmailMessage]],
    journal: Path,
    error: BaseException,
) -> str:
    return (
        f"envoi interrompu par le serveur SMTP {smtp.host}:{smtp.port} ({_reason(error)}) : "
        f"{len(sent)} courriel(s) envoyé(s) sur {len(pending)}, notés dans « {journal} » ; "
        "relancez l'envoi : les courriels déjà envoyés ne partiront pas une seconde fois."
    )


def _reason(error: BaseException) -> str:
    """Why the SMTP exchange failed, in French (the server's own words kept when it gave some)."""
    if isinstance(error, smtplib.SMTPResponseException):
        return _server_reply(error.smtp_code, error.smtp_error)
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return "connexion fermée par le serveur"
    if isinstance(error, ssl.SSLCertVerificationError):
        return "certificat du serveur non reconnu"
    if isinstance(error, ssl.SSLError):
        return "échec de la connexion sécurisée"
    if isinstance(error, socket.gaierror):
        return "nom de serveur inconnu"
    if isinstance(error, TimeoutError):
        return "le serveur ne répond pas"
    if isinstance(error, OSError):
        network = {
            errno.ECONNREFUSED: "connexion refusée",
            errno.ECONNRESET: "connexion coupée par le serveur",
            errno.EPIPE: "connexion coupée par le serveur",
            errno.EHOSTUNREACH: "serveur injoignable",
            errno.ENETUNREACH: "réseau injoignable",
        }
        return network.get(error.errno or 0) or describe_os_error(error)
    return str(error)


def _server_reply(code: int, text: bytes | str) -> str:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"réponse {code} : {_one_line(message)}"


def _attach(message: EmailMessage, path: Path) -> None:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise OutputError(
            f"pièce jointe « {path.name} » illisible : {describe_os_error(error)}."
        ) from error
    maintype, subtype = MIME_TYPES.get(path.suffix.lower(), ("application", "octet-stream"))
    message.add_attachment(data, maintype=maintype, subtype=subtype, filename=path.name)


def _display_name(name: str) -> str:
    """``"Dupont, S.A. (Lyon)"`` → ``Dupont SA Lyon``: a name that never needs quoting, at most
    :data:`MAX_DISPLAY_NAME` characters."""
    words = _NAME_UNSAFE.sub(" ", name[: MAX_DISPLAY_NAME * 4].replace(".", "")).split()
    shown = " ".join(words)
    if len(shown) > MAX_DISPLAY_NAME:
        shown = shown[: MAX_DISPLAY_NAME + 1].rsplit(" ", 1)[0][:MAX_DISPLAY_NAME].rstrip()
    return shown


def _ascii_domain(domain: str) -> str | None:
    """``café.fr`` → ``xn--caf-dma.fr``; None when it is not a domain with at least one dot."""
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.match(label) for label in labels):
        return None
    return ascii_domain


def _one_line(text: str) -> str:
    """Line breaks and control characters become single spaces."""
    return " ".join(_CONTROL.sub(" ", _LINE_BREAKS.sub(" ", str(text))).split())
