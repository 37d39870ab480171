"""The converters that turn the .docx letters into PDF: LibreOffice, or Microsoft Word on Windows.

A converter takes the letters and the output folder and returns the PDF paths in the order of
the letters, or raises OutputError (LibreOfficeMissing when LibreOffice is not installed);
:func:`relance_xl.letters.add_pdfs` calls one. The command line uses :func:`libreoffice_pdfs`;
the « Générer les courriers » button uses :func:`word_pdfs` on a Windows computer that has no
LibreOffice (:func:`available_converter`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from relance_xl import pdf
from relance_xl.errors import OutputError

Converter = Callable[[Sequence[Path], Path], list[Path]]
"""``convert(letters, folder) -> pdfs``, the PDFs in the order of the letters."""

WORKERS = 2
"""LibreOffice instances converting in parallel."""

WORD_PDF_FORMAT = 17
"""``wdExportFormatPDF`` of Word's ``ExportAsFixedFormat``."""


def libreoffice_pdfs(sources: Sequence[Path], folder: Path) -> list[Path]:
    """PDF of every letter through LibreOffice (:func:`relance_xl.pdf.convert_to_pdf`)."""
    return pdf.convert_to_pdf(sources, folder, workers=WORKERS)


def word_pdfs(sources: Sequence[Path], folder: Path) -> list[Path]:
    """PDF of every letter through Microsoft Word (Windows COM), for when LibreOffice is not
    installed; LibreOfficeMissing (with the installation hint) when Word cannot be started."""
    try:
        from win32com.client import DispatchEx

        word = DispatchEx("Word.Application")
    except Exception:
        raise pdf.LibreOfficeMissing(pdf.INSTALL_HINT) from None
    targets = []
    try:
        word.Visible = False
        word.DisplayAlerts = 0
        for source in sources:
            target = folder / f"{source.stem}.pdf"
            document = word.Documents.Open(str(source.resolve()), ReadOnly=True)
            try:
                document.ExportAsFixedFormat(str(target.resolve()), WORD_PDF_FORMAT)
            finally:
                document.Close(False)
            targets.append(target)
    except Exception as error:
        raise OutputError(f"conversion en PDF par Word impossible ({error}).") from error
    finally:
        word.Quit()
    return targets


def available_converter() -> Converter:
    """LibreOffice when it is installed or not on Windows (where its absence is then reported);
    Word on a Windows computer without LibreOffice."""
    if sys.platform == "win32" and pdf.find_soffice() is None:
        return word_pdfs
    return libreoffice_pdfs
