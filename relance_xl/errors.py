"""Fatal problems: a small exception tree with French messages, caught only at the edge.

Rows that cannot be read are *not* errors: they are :class:`relance_xl.model.Anomaly` values.
An error here means relance_xl could not work at all; the CLI prints ``Erreur : <message>`` on
stderr and exits with :attr:`RelanceError.exit_code`; the Excel buttons show it in a message box.
"""

from __future__ import annotations

import errno


class RelanceError(Exception):
    """Base of every fatal, user-facing error. ``str(error)`` is one French sentence."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(RelanceError):
    """The input file is missing, unreadable, or not an invoice workbook."""


class ConfigError(RelanceError):
    """A Paramètres table (procedures, rates, columns) is invalid; the message names the cell."""


class TemplateError(RelanceError):
    """A letter template is broken or unsafe; the message names the template and the variable."""


class OutputError(RelanceError):
    """An output (workbook, folder, PDF, email) could not be written."""


class WorkbookLockedError(OutputError):
    """The workbook is open in Excel or LibreOffice (a lock file is present)."""


_OS_REASONS = {
    errno.ENOSPC: "disque plein",
    errno.EROFS: "support en lecture seule",
    errno.EACCES: "accès refusé",
    errno.EPERM: "opération non permise",
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EISDIR: "c'est un dossier",
    errno.EEXIST: "un fichier existe déjà à cet emplacement",
    errno.ENAMETOOLONG: "nom de fichier trop long",
    getattr(errno, "EDQUOT", -1): "quota disque dépassé",
}


def describe_os_error(error: OSError) -> str:
    """An operating-system error in French for messages: disque plein, accès refusé…"""
    reason = _OS_REASONS.get(error.errno or 0)
    return reason or f"erreur du système ({error.strerror or type(error).__name__})"
