"""Fatal problems: a small exception tree with French messages, caught only at the edge.

Rows that cannot be read are *not* errors: they are :class:`relance_xl.model.Anomaly` values.
An error here means relance_xl could not work at all; the CLI prints ``Erreur : <message>`` on
stderr and exits with :attr:`RelanceError.exit_code`; the Excel buttons show it in a message box.
"""

from __future__ import annotations


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
