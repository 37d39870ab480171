"""Build the bundled letter templates (``letter_templates/*.docx``) from this script.

    python scripts/build_letter_templates.py [DOSSIER]

python-docx lays out each letter (A4, sender and recipient blocks, « Lyon, le … », Objet, the
table of invoices, totals, signature, footer with SIREN and page numbers); the Jinja tags are
plain text runs, which users can edit in Word like any text. The names the tags use are those of
relance_xl.letters.context. The output is reproducible byte for byte: fixed core properties,
fixed zip dates, no thumbnail.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

PROJECT = Path(__file__).resolve().parents[1]
OUTPUT = PROJECT / "letter_templates"
FIXED_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
ZIP_DATE = (2026, 1, 1, 0, 0, 0)
FONT = "Arial"
INK = RGBColor(0x1F, 0x2A, 0x37)
MUTED = RGBColor(0x59, 0x63, 0x6E)
ACCENT = RGBColor(0x1F, 0x4E, 0x79)
HEADER_FILL = "E7EDF3"
RULE = "A6B1BC"
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"

Chunk = str | tuple[str, str]
"""A run: plain text, or (style letters, text) with ``b`` bold, ``i`` italic, ``s`` small."""


# --- building blocks ----------------------------------------------------------------------------


class Letter:
    """A Word document being built: page setup, styles and helpers for paragraphs and tables."""

    def __init__(self, title: str) -> None:
        self.doc = Document()
        self.title = title
        self._page_setup()
        self._styles()

    def _page_setup(self) -> None:
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(1.7), Cm(1.8)
        section.left_margin, section.right_margin = Cm(2.2), Cm(2.0)
        section.header_distance, section.footer_distance = Cm(1.0), Cm(0.9)

    def _styles(self) -> None:
        defaults = self.doc.styles.element.find(qn("w:docDefaults"))
        run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        fonts = run_defaults.find(qn("w:rFonts"))
        for attribute in list(fonts.attrib):
            del fonts.attrib[attribute]
        for key in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(key), FONT)
        language = run_defaults.find(qn("w:lang"))
        language.set(qn("w:val"), "fr-FR")
        language.set(qn("w:eastAsia"), "fr-FR")
        normal = self.doc.styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(10)
        normal.font.color.rgb = INK
        normal.paragraph_format.space_after = Pt(5)
        normal.paragraph_format.line_spacing = 1.12
        for name in ("Header", "Footer"):
            style = self.doc.styles[name]
            style.font.size = Pt(7.5)
            style.font.color.rgb = MUTED

    def p(
        self,
        *chunks: Chunk,
        container: object = None,
        align: WD_ALIGN_PARAGRAPH | None = None,
        size: float | None = None,
        after: float | None = None,
        before: float | None = None,
        indent: float | None = None,
        keep: bool = False,
        color: RGBColor | None = None,
    ) -> Paragraph:
        """A paragraph of runs; ``container`` is the document (default), a cell or a footer."""
        target = container if container is not None else self.doc
        paragraph = target.add_paragraph()
        fmt = paragraph.paragraph_format
        if align is not None:
            paragraph.alignment = align
        if after is not None:
            fmt.space_after = Pt(after)
        if before is not None:
            fmt.space_before = Pt(before)
        if indent is not None:
            fmt.left_indent = Cm(indent)
        if keep:
            fmt.keep_with_next = True
        for chunk in chunks:
            kind, text = chunk if isinstance(chunk, tuple) else ("", chunk)
            run = paragraph.add_run(text)
            run.bold = "b" in kind or None
            run.italic = "i" in kind or None
            if "s" in kind:
                run.font.size = Pt(8.5)
            if size:
                run.font.size = Pt(size)
            if color is not None:
                run.font.color.rgb = color
        return paragraph

    def tag(self, text: str, container: object = None) -> Paragraph:
        """A paragraph holding only a docxtpl paragraph tag (``{%p if … %}``): removed when
        rendered."""
        return self.p(text, container=container, after=0, color=MUTED, size=8)

    def heading(self, text: str) -> Paragraph:
        """A section heading of the dossier: bold, accent colour, rule below."""
        paragraph = self.p(("b", text), size=11.5, before=12, after=5, keep=True, color=ACCENT)
        _paragraph_border(paragraph, "bottom", RULE)
        return paragraph

    def table(self, widths: list[float], rows: int, *, header: bool = True) -> Table:
        """A table with fixed column widths (cm), thin horizontal rules, shaded header row."""
        table = self.doc.add_table(rows=rows, cols=len(widths))
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        table.autofit = False
        _table_borders(table)
        for row in table.rows:
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a row stays whole
            for index, cell in enumerate(row.cells):
                cell.width = Cm(widths[index])
                cell.paragraphs[0].paragraph_format.space_after = Pt(0)
        grid = table._tbl.tblGrid
        for column, width in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
            column.set(qn("w:w"), str(int(Cm(width).twips)))
        if header:
            for cell in table.rows[0].cells:
                _shade(cell, HEADER_FILL)
            _repeat_header(table.rows[0])
        return table

    def footer(self) -> None:
        """Creditor's identity and « Page n sur N » at the bottom of every page."""
        footer = self.doc.sections[0].footer
        first = footer.paragraphs[0]
        first.style = self.doc.styles["Footer"]
        first.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _paragraph_border(first, "top", RULE)
        first.add_run(
            "{{ creancier.nom }}{% if creancier.siren %} – SIREN {{ creancier.siren }}{% endif %}"
            "{% if creancier.ville %} – {{ creancier.code_postal }} {{ creancier.ville }}"
            "{% endif %}{% if creancier.telephone %} – {{ creancier.telephone }}{% endif %}"
            "{% if creancier.email %} – {{ creancier.email }}{% endif %}"
        )
        pages = footer.add_paragraph(style=self.doc.styles["Footer"])
        pages.alignment = WD_ALIGN_PARAGRAPH.CENTER
        pages.add_run("Page ")
        _field(pages, "PAGE", "1")
        pages.add_run(" sur ")
        _field(pages, "NUMPAGES", "1")

    def save(self, path: Path) -> None:
        """Write the .docx with fixed metadata and zip dates (same bytes at every build)."""
        properties = self.doc.core_properties
        properties.title = self.title
        properties.subject = "Modèle de courrier relance_xl (balises docxtpl / Jinja)"
        properties.author = properties.last_modified_by = "relance_xl"
        properties.keywords = "relance, facture, modèle"
        properties.comments = "Modèle modifiable dans Word ; voir la liste des variables."
        properties.created = properties.modified = properties.last_printed = FIXED_DATE
        properties.revision = 1
        properties.language = "fr-FR"
        _drop_relationship(self.doc.part.package, RT.THUMBNAIL)
        _drop_relationship(self.doc.part, STYLES_WITH_EFFECTS)
        buffer = io.BytesIO()
        self.doc.save(buffer)
        path.write_bytes(_normalized_zip(buffer.getvalue()))


def _paragraph_border(paragraph: Paragraph, side: str, color: str) -> None:
    borders = OxmlElement("w:pBdr")
    line = OxmlElement(f"w:{side}")
    for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "3"), ("w:color", color)):
        line.set(qn(key), value)
    borders.append(line)
    properties = paragraph._p.get_or_add_pPr()
    properties.insert_element_before(
        borders, "w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc", "w:rPr"
    )


def _table_borders(table: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{side}")
        visible = side in ("top", "bottom", "insideH")
        line.set(qn("w:val"), "single" if visible else "nil")
        if visible:
            line.set(qn("w:sz"), "4")
            line.set(qn("w:color"), RULE)
        borders.append(line)
    margins = OxmlElement("w:tblCellMar")
    for side, width in (("top", 40), ("bottom", 40), ("left", 80), ("right", 80)):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(width))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    properties = table._tbl.tblPr
    properties.append(borders)
    properties.append(margins)


def _no_borders(table: Table) -> None:
    properties = table._tbl.tblPr
    for old in properties.findall(qn("w:tblBorders")):
        properties.remove(old)
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{side}")
        line.set(qn("w:val"), "nil")
        borders.append(line)
    properties.append(borders)


def _shade(cell: _Cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(row: _Row) -> None:
    marker = OxmlElement("w:tblHeader")
    row._tr.get_or_add_trPr().append(marker)


def _field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = shown
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _drop_relationship(source, reltype: str) -> None:
    for key, relationship in list(source.rels.items()):
        if relationship.reltype == reltype:
            del source.rels[key]


def _normalized_zip(data: bytes) -> bytes:
    """Same entries, same order, fixed dates and attributes: reproducible bytes."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info))
    return output.getvalue()


def _set_cell(letter: Letter, cell: _Cell, *chunks: Chunk, align=None, size: float = 8.5) -> None:
    """Replace a cell's first paragraph text with runs."""
    paragraph = cell.paragraphs[0]
    if align is not None:
        paragraph.alignment = align
    for chunk in chunks:
        kind, text = chunk if isinstance(chunk, tuple) else ("", chunk)
        run = paragraph.add_run(text)
        run.bold = "b" in kind or None
        run.font.size = Pt(size)


RIGHT = WD_ALIGN_PARAGRAPH.RIGHT
CENTER = WD_ALIGN_PARAGRAPH.CENTER
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY


# --- shared blocks ------------------------------------------------------------------------------


def address_blocks(letter: Letter, registered: bool = False) -> None:
    """Sender (left, with SIREN) and recipient (right, where a window envelope shows it)."""
    table = letter.doc.add_table(rows=1, cols=2)
    table.autofit = False
    _no_borders(table)
    left, right = table.rows[0].cells
    left.width, right.width = Cm(8.8), Cm(8.0)
    grid = table._tbl.tblGrid.findall(qn("w:gridCol"))
    grid[0].set(qn("w:w"), str(int(Cm(8.8).twips)))
    grid[1].set(qn("w:w"), str(int(Cm(8.0).twips)))
    sender = left.paragraphs[0]
    sender.paragraph_format.space_after = Pt(1)
    sender.add_run("{{ creancier.nom }}").bold = True
    sender.runs[0].font.size = Pt(12)
    sender.runs[0].font.color.rgb = ACCENT
    for text in (
        "{{ creancier.adresse }}",
        "{{ creancier.code_postal }} {{ creancier.ville }}",
        "{% if creancier.siren %}SIREN {{ creancier.siren }}{% endif %}",
        "{% if creancier.telephone %}Tél. {{ creancier.telephone }}{% endif %}",
        "{{ creancier.email }}",
    ):
        letter.p(text, container=left, after=0, size=9, color=MUTED)
    first = right.paragraphs[0]
    first.paragraph_format.space_before = Pt(54)
    first.paragraph_format.space_after = Pt(4)
    if registered:
        run = first.add_run("Lettre recommandée avec accusé de réception")
        run.bold = True
        run.font.size = Pt(8.5)
    letter.p(("b", "{{ client.nom }}"), container=right, after=0)
    letter.tag("{%p if client.contact %}", container=right)
    letter.p("À l'attention de {{ client.contact }}", container=right, after=0)
    letter.tag("{%p endif %}", container=right)
    letter.p("{{ client.adresse }}", container=right, after=0)
    letter.p("{{ client.code_postal }} {{ client.ville }}", container=right, after=0)


def place_and_date(letter: Letter) -> None:
    """« Lyon, le 23 novembre 2026 », right-aligned."""
    letter.p(
        "{% if lieu %}{{ lieu }}, le{% else %}Le{% endif %} {{ date|date_longue }}",
        align=RIGHT,
        before=22,
        after=14,
    )


def subject(letter: Letter, text: str) -> None:
    """« Objet : … » and the invoice references."""
    letter.p(("b", "Objet : "), ("b", text), after=2)
    letter.p(
        ("s", "Réf. : facture{% if factures|length > 1 %}s{% endif %} n° {{ numeros }}"),
        after=14,
        color=MUTED,
    )


def salutation(letter: Letter) -> None:
    letter.p("Madame, Monsieur,")


def invoice_table(letter: Letter) -> None:
    """N°, date, échéance, montant, déjà réglé, reste dû, jours de retard; total of reste dû."""
    widths = [2.9, 2.0, 2.0, 2.5, 2.4, 2.5, 1.8]
    table = letter.table(widths, rows=5)
    titles = ["N° facture", "Date", "Échéance", "Montant TTC", "Déjà réglé", "Reste dû", "Retard"]
    for index, (cell, title) in enumerate(zip(table.rows[0].cells, titles, strict=True)):
        _set_cell(letter, cell, ("b", title), align=RIGHT if index >= 3 else None)
    _set_cell(letter, table.rows[1].cells[0], "{%tr for f in factures %}")
    values = [
        "{{ f.numero }}",
        "{{ f.date|date_courte }}",
        "{{ f.echeance|date_courte }}",
        "{{ f.montant|montant }}",
        "{{ f.deja_regle|montant }}",
        "{{ f.reste_du|montant }}",
        "{% if f.jours_retard > 0 %}{{ f.jours_retard }} j{% endif %}",
    ]
    for index, (cell, value) in enumerate(zip(table.rows[2].cells, values, strict=True)):
        _set_cell(letter, cell, value, align=RIGHT if index >= 3 else None)
    _set_cell(letter, table.rows[3].cells[0], "{%tr endfor %}")
    total = table.rows[4].cells
    label = total[0].merge(total[4])
    _set_cell(letter, label, ("b", "Total restant dû"), align=RIGHT)
    _set_cell(letter, total[5], ("b", "{{ montant_du|montant }}"), align=RIGHT)
    letter.p("", after=4)


def amounts_table(letter: Letter) -> None:
    """Principal, interest and fee shown separately, then the total to pay."""
    letter.p(("b", "Décompte des sommes dues au {{ date|date_longue }}"), keep=True, after=3)
    table = letter.table([10.6, 3.0], rows=8, header=False)
    rows = table.rows
    _set_cell(letter, rows[0].cells[0], "Principal (reste dû sur les factures)", size=9)
    _set_cell(letter, rows[0].cells[1], "{{ montant_du|montant }}", align=RIGHT, size=9)
    _set_cell(letter, rows[1].cells[0], "{%tr if interets %}")
    _set_cell(
        letter,
        rows[2].cells[0],
        "{% if client.administration %}Intérêts moratoires (art. R2192-31 du Code de la "
        "commande publique){% elif client.particulier %}Intérêts au taux légal (art. 1231-6 du "
        "Code civil){% else %}Pénalités de retard (art. L441-10 du Code de commerce)"
        "{% endif %}",
        size=9,
    )
    _set_cell(letter, rows[2].cells[1], "{{ interets|montant }}", align=RIGHT, size=9)
    _set_cell(letter, rows[3].cells[0], "{%tr endif %}")
    _set_cell(letter, rows[4].cells[0], "{%tr if indemnite %}")
    _set_cell(
        letter,
        rows[5].cells[0],
        "Indemnité forfaitaire pour frais de recouvrement, 40 € par facture (art. "
        "{% if client.administration %}D2192-35 du Code de la commande publique{% else %}"
        "D441-5 du Code de commerce{% endif %})",
        size=9,
    )
    _set_cell(letter, rows[5].cells[1], "{{ indemnite|montant }}", align=RIGHT, size=9)
    _set_cell(letter, rows[6].cells[0], "{%tr endif %}")
    _set_cell(letter, rows[7].cells[0], ("b", "Total à régler"), size=9.5)
    _set_cell(letter, rows[7].cells[1], ("b", "{{ total|montant }}"), align=RIGHT, size=9.5)
    _shade(rows[7].cells[0], HEADER_FILL)
    _shade(rows[7].cells[1], HEADER_FILL)
    letter.p("", after=4)


def penalties_notice(letter: Letter, registered: bool = False) -> None:
    """The legal basis of interest and fee, by type of debtor (legal_fr.md §2–4)."""
    letter.tag("{%p if client.professionnel %}")
    letter.p(
        "Conformément à l'article L441-10 du Code de commerce, tout retard de paiement rend "
        "exigibles de plein droit, sans qu'un rappel soit nécessaire, des pénalités de retard "
        "{% if taux_contractuel %}au taux contractuel de {{ taux_contractuel|pourcentage }} "
        "l'an{% else %}au taux de refinancement de la Banque centrale européenne majoré de "
        "10 points{% endif %}, ainsi qu'une indemnité forfaitaire pour frais de recouvrement "
        "de 40 € par facture (article D441-5 du même code).",
        align=JUSTIFY,
    )
    letter.tag("{%p elif client.administration %}")
    letter.p(
        "Conformément aux articles L2192-13, R2192-31 et D2192-35 du Code de la commande "
        "publique, le dépassement du délai de paiement fait courir de plein droit des intérêts "
        "moratoires au taux de la Banque centrale européenne majoré de 8 points, ainsi qu'une "
        "indemnité forfaitaire pour frais de recouvrement de 40 €. Ces factures ont été "
        "déposées sur le portail Chorus Pro.",
        align=JUSTIFY,
    )
    if registered:
        letter.tag("{%p elif client.particulier %}")
        letter.p(
            "À défaut de règlement, les sommes dues porteront intérêts au taux légal à compter "
            "de la présente mise en demeure (articles 1231-6 et 1344-1 du Code civil).",
            align=JUSTIFY,
        )
    letter.tag("{%p endif %}")


def payment_details(letter: Letter) -> None:
    letter.tag("{%p if creancier.iban %}")
    letter.p(
        "Règlement par virement sur notre compte ",
        ("b", "IBAN {{ creancier.iban }}"),
        "{% if creancier.bic %} (BIC {{ creancier.bic }}){% endif %}, en indiquant en "
        "référence le{% if factures|length > 1 %}s{% endif %} numéro"
        "{% if factures|length > 1 %}s{% endif %} de facture.",
        align=JUSTIFY,
    )
    letter.tag("{%p endif %}")


def signature(letter: Letter, closing: str) -> None:
    letter.p(closing, align=JUSTIFY, after=18)
    letter.p(("b", "{{ creancier.signataire }}"), indent=9.5, after=0, keep=True)
    letter.p("{{ creancier.nom }}", indent=9.5, after=0, color=MUTED)


def history_list(letter: Letter, title: str) -> None:
    """Dated facts of the file (order, invoice, due date, every step done), one per line."""
    letter.p(("b", title), keep=True, after=2)
    letter.tag("{%p for e in chronologie %}")
    letter.p(
        "{{ e.date|date_courte }} – {{ e.libelle }}",
        after=0,
        indent=0.5,
        size=9,
    )
    letter.tag("{%p endfor %}")
    letter.p("", after=2)


COURTEOUS = (
    "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées."
)
SETTLED = (
    "Si votre règlement a été effectué entre-temps, nous vous remercions de ne pas tenir compte "
    "de ce courrier."
)


# --- the letters --------------------------------------------------------------------------------


def relance_amiable() -> Letter:
    """Relance amiable (level 1), the printed variant of the email."""
    letter = Letter("Relance amiable")
    address_blocks(letter)
    place_and_date(letter)
    subject(
        letter,
        "Rappel – facture{% if factures|length > 1 %}s{% endif %} arrivée"
        "{% if factures|length > 1 %}s{% endif %} à échéance",
    )
    salutation(letter)
    letter.p(
        "Sauf erreur ou omission de notre part, nous n'avons pas encore reçu le règlement "
        "{% if factures|length > 1 %}des factures suivantes, arrivées{% else %}de la facture "
        "suivante, arrivée{% endif %} à échéance{% if prestations %} ({{ prestations }})"
        "{% endif %} :",
        align=JUSTIFY,
    )
    invoice_table(letter)
    letter.p(
        "Il s'agit probablement d'un simple oubli. Nous vous remercions de bien vouloir "
        "procéder au règlement de {{ montant_du|montant }} dans les meilleurs délais"
        "{% if client.administration %}, les factures ayant été déposées sur le portail "
        "Chorus Pro{% endif %}.",
        align=JUSTIFY,
    )
    payment_details(letter)
    letter.p(SETTLED, align=JUSTIFY)
    letter.p(
        "Nous restons à votre disposition pour toute question"
        "{% if creancier.telephone %} au {{ creancier.telephone }}{% endif %}.",
        align=JUSTIFY,
    )
    signature(letter, COURTEOUS)
    letter.footer()
    return letter


def lettre_relance_1() -> Letter:
    """1re lettre de relance: objective reminder, history, amount + interest + 40 €."""
    letter = Letter("Lettre de relance")
    address_blocks(letter)
    place_and_date(letter)
    subject(
        letter,
        "Relance – facture{% if factures|length > 1 %}s{% endif %} impayée"
        "{% if factures|length > 1 %}s{% endif %}",
    )
    salutation(letter)
    letter.p(
        "{% if historique %}Malgré notre précédent rappel du "
        "{{ (historique|last).date|date_longue }}, nous{% else %}Sauf erreur de notre part, "
        "nous{% endif %} constatons que {% if factures|length > 1 %}les factures ci-dessous "
        "restent impayées{% else %}la facture ci-dessous reste impayée{% endif %}"
        "{% if prestations %}, pour : {{ prestations }}{% endif %}.",
        align=JUSTIFY,
    )
    invoice_table(letter)
    history_list(letter, "Rappel des faits")
    amounts_table(letter)
    penalties_notice(letter)
    letter.p(
        "Nous vous remercions de bien vouloir nous adresser votre règlement de "
        "{{ total|montant }} dès réception de ce courrier, ou de nous faire connaître sans "
        "tarder toute difficulté ou contestation.",
        align=JUSTIFY,
    )
    payment_details(letter)
    letter.p(SETTLED, align=JUSTIFY)
    signature(letter, COURTEOUS)
    letter.footer()
    return letter


def lettre_relance_2() -> Letter:
    """2e lettre, avertissement: payment within eight days, or the file goes to a third party."""
    letter = Letter("Lettre de relance – avertissement")
    address_blocks(letter)
    place_and_date(letter)
    subject(letter, "Dernier rappel avant transmission du dossier")
    salutation(letter)
    letter.p(
        "Malgré nos relances{% if historique %} des "
        "{% for e in historique %}{{ e.date|date_courte }}{% if not loop.last %}, "
        "{% endif %}{% endfor %}{% endif %}, {% if factures|length > 1 %}les factures "
        "suivantes restent impayées{% else %}la facture suivante reste impayée{% endif %} :",
        align=JUSTIFY,
    )
    invoice_table(letter)
    amounts_table(letter)
    penalties_notice(letter)
    letter.p(
        (
            "b",
            "Sans règlement de votre part sous huitaine, soit au plus tard le "
            "{{ date_butoir|date_longue }}, nous transmettrons ce dossier à un tiers "
            "(société de recouvrement, commissaire de justice ou avocat)",
        ),
        ", sans autre avis. Les frais qui en résulteront pourront vous être réclamés dans "
        "les limites prévues par la loi.",
        align=JUSTIFY,
    )
    letter.p(
        "Nous préférerions régler cette situation à l'amiable : si vous rencontrez une "
        "difficulté, contactez-nous avant cette date afin de convenir d'un échéancier.",
        align=JUSTIFY,
    )
    payment_details(letter)
    signature(letter, COURTEOUS)
    letter.footer()
    return letter


def mise_en_demeure() -> Letter:
    """Mise en demeure (C. civ. 1344): the words in subject and body, full history, principal
    / interest / fee separately, deadline = send date + 8 days, consequences, LRAR."""
    letter = Letter("Mise en demeure")
    address_blocks(letter, registered=True)
    place_and_date(letter)
    subject(letter, "MISE EN DEMEURE DE PAYER")
    salutation(letter)
    letter.p(
        "Nous constatons que, malgré nos relances, {% if factures|length > 1 %}les factures "
        "ci-dessous, échues, restent impayées{% else %}la facture ci-dessous, échue, reste "
        "impayée{% endif %}.",
        align=JUSTIFY,
    )
    invoice_table(letter)
    history_list(letter, "Historique du dossier")
    amounts_table(letter)
    letter.p(
        "Par la présente, nous vous ",
        ("b", "mettons en demeure"),
        " de nous régler la somme de ",
        ("b", "{{ total|montant }}"),
        " ({{ total|en_lettres }}) au plus tard le ",
        ("b", "{{ date_butoir|date_longue }}"),
        ".",
        align=JUSTIFY,
    )
    penalties_notice(letter, registered=True)
    letter.p(
        "À défaut de paiement dans ce délai, nous engagerons sans autre avis une procédure de "
        "recouvrement judiciaire{% if client.administration %} devant le tribunal "
        "administratif{% else %}, notamment une requête en injonction de payer{% endif %}, "
        "dont les frais s'ajouteront aux sommes dues.",
        align=JUSTIFY,
    )
    letter.p(
        "La présente lettre, adressée en recommandé avec accusé de réception, vaut mise en "
        "demeure au sens de l'article 1344 du Code civil.",
        align=JUSTIFY,
    )
    payment_details(letter)
    signature(letter, COURTEOUS)
    letter.footer()
    return letter


def proposition_echeancier() -> Letter:
    """Formalises an agreed payment plan: instalment table, consequences of a missed one,
    acknowledgment of the debt, signatures of both parties."""
    letter = Letter("Proposition d'échéancier")
    address_blocks(letter)
    place_and_date(letter)
    subject(letter, "Échéancier de paiement")
    salutation(letter)
    letter.p(
        "Suite à notre échange, nous vous confirmons notre accord pour un règlement échelonné "
        "de {% if factures|length > 1 %}vos factures{% else %}votre facture{% endif %} "
        "n° {{ numeros }}, pour un montant total de {{ echeancier_total|montant }}, selon "
        "l'échéancier suivant (reste dû à ce jour : {{ montant_du|montant }}) :",
        align=JUSTIFY,
    )
    table = letter.table([1.6, 4.0, 4.0, 3.4], rows=5)
    for index, (cell, title) in enumerate(
        zip(table.rows[0].cells, ["N°", "Date", "Facture", "Montant"], strict=True)
    ):
        _set_cell(letter, cell, ("b", title), align=RIGHT if index == 3 else None)
    _set_cell(letter, table.rows[1].cells[0], "{%tr for e in echeancier %}")
    for index, (cell, value) in enumerate(
        zip(
            table.rows[2].cells,
            [
                "{{ loop.index }}",
                "{{ e.date|date_longue }}",
                "{{ e.facture }}",
                "{{ e.montant|montant }}",
            ],
            strict=True,
        )
    ):
        _set_cell(letter, cell, value, align=RIGHT if index == 3 else None)
    _set_cell(letter, table.rows[3].cells[0], "{%tr endfor %}")
    total = table.rows[4].cells
    _set_cell(letter, total[0].merge(total[2]), ("b", "Total"), align=RIGHT)
    _set_cell(letter, total[3], ("b", "{{ echeancier_total|montant }}"), align=RIGHT)
    letter.p("", after=4)
    letter.p(
        "Tant que les échéances sont respectées, nous suspendons toute relance. Le défaut de "
        "paiement d'une seule échéance à sa date rendra immédiatement exigible la totalité du "
        "solde restant dû, sans autre formalité{% if client.professionnel %}, majoré des "
        "pénalités de retard et de l'indemnité forfaitaire de 40 € par facture prévues aux "
        "articles L441-10 et D441-5 du Code de commerce{% endif %}.",
        align=JUSTIFY,
    )
    payment_details(letter)
    letter.p(
        "Nous vous remercions de nous retourner un exemplaire de ce courrier daté et signé, "
        "précédé de la mention « Bon pour accord ». Votre signature vaut reconnaissance de "
        "la dette (article 2240 du Code civil).",
        align=JUSTIFY,
    )
    letter.p(COURTEOUS, align=JUSTIFY, after=12)
    signatures = letter.doc.add_table(rows=1, cols=2)
    _no_borders(signatures)
    creditor, debtor = signatures.rows[0].cells
    _set_cell(letter, creditor, ("b", "Pour {{ creancier.nom }}"), size=9.5)
    letter.p("{{ creancier.signataire }}", container=creditor, after=40, size=9.5)
    _set_cell(letter, debtor, ("b", "Pour {{ client.nom }}"), size=9.5)
    letter.p("Date, signature et « Bon pour accord »", container=debtor, size=9, color=MUTED)
    letter.footer()
    return letter


def dossier_contentieux() -> Letter:
    """Everything a lawyer, a commissaire de justice or an injonction de payer needs."""
    letter = Letter("Dossier de recouvrement")
    letter.p(("b", "Dossier de recouvrement"), size=17, after=2, color=ACCENT)
    letter.p(
        ("b", "{{ client.nom }}"),
        " – créance de {{ total|montant }} au {{ date|date_longue }}",
        size=11,
        after=2,
    )
    letter.p(
        (
            "s",
            "Établi par {{ creancier.nom }}{% if lieu %} à {{ lieu }}{% endif %} le "
            "{{ date|date_longue }} ; factures n° {{ numeros }}",
        ),
        after=8,
        color=MUTED,
    )

    letter.heading("1. Les parties")
    parties = letter.table([8.4, 8.4], rows=2)
    _set_cell(letter, parties.rows[0].cells[0], ("b", "Créancier"))
    _set_cell(letter, parties.rows[0].cells[1], ("b", "Débiteur ({{ client.type }})"))
    creditor, debtor = parties.rows[1].cells
    _set_cell(letter, creditor, ("b", "{{ creancier.nom }}"), size=9)
    for text in (
        "{{ creancier.adresse }}",
        "{{ creancier.code_postal }} {{ creancier.ville }}",
        "SIREN : {{ creancier.siren }}",
        "Contact : {{ creancier.signataire }}",
        "{{ creancier.telephone }} {{ creancier.email }}",
        "{% if creancier.iban %}IBAN : {{ creancier.iban }}{% endif %}",
    ):
        letter.p(text, container=creditor, after=0, size=9)
    _set_cell(letter, debtor, ("b", "{{ client.nom }}"), size=9)
    for text in (
        "{{ client.adresse }}",
        "{{ client.code_postal }} {{ client.ville }}",
        "{% if client.contact %}Contact : {{ client.contact }}{% endif %}",
        "{{ client.telephone }} {{ client.email }}",
    ):
        letter.p(text, container=debtor, after=0, size=9)
    letter.p("", after=2)

    letter.heading("2. La créance")
    invoice_table(letter)
    nature = letter.table([2.9, 8.4, 5.5], rows=4)
    for cell, title in zip(
        nature.rows[0].cells,
        ["N° facture", "Nature des biens ou services", "Devis / commande"],
        strict=True,
    ):
        _set_cell(letter, cell, ("b", title))
    _set_cell(letter, nature.rows[1].cells[0], "{%tr for f in factures %}")
    for cell, value in zip(
        nature.rows[2].cells,
        [
            "{{ f.numero }}",
            "{{ f.objet }}",
            "{% if f.ref_commande %}n° {{ f.ref_commande }}{% endif %}"
            "{% if f.date_commande %} du {{ f.date_commande|date_courte }}{% endif %}",
        ],
        strict=True,
    ):
        _set_cell(letter, cell, value)
    _set_cell(letter, nature.rows[3].cells[0], "{%tr endfor %}")
    letter.p("", after=4)
    amounts_table(letter)
    penalties_notice(letter, registered=True)

    letter.heading("3. Démarches effectuées")
    steps = letter.table([2.3, 5.2, 2.8, 3.0, 3.5], rows=6)
    for cell, title in zip(
        steps.rows[0].cells, ["Date", "Démarche", "Canal", "Factures", "Document"], strict=True
    ):
        _set_cell(letter, cell, ("b", title))
    _set_cell(letter, steps.rows[1].cells[0], "{%tr for e in historique %}")
    for cell, value in zip(
        steps.rows[2].cells,
        [
            "{{ e.date|date_courte }}",
            "{{ e.action }}{% if e.note %} – {{ e.note }}{% endif %}",
            "{{ e.canal }}",
            "{{ e.factures }}",
            "{{ e.fichier }}",
        ],
        strict=True,
    ):
        _set_cell(letter, cell, value)
    _set_cell(letter, steps.rows[3].cells[0], "{%tr else %}")
    empty = steps.rows[4].cells
    _set_cell(letter, empty[0].merge(empty[4]), "Aucune démarche enregistrée dans l'historique.")
    _set_cell(letter, steps.rows[5].cells[0], "{%tr endfor %}")
    letter.p("", after=2)
    history_list(letter, "Chronologie complète")

    letter.heading("4. Pièces à joindre")
    letter.tag("{%p for piece in pieces %}")
    letter.p("☐  {{ piece }}", after=1, indent=0.3, size=9.5)
    letter.tag("{%p endfor %}")
    letter.p("☐  Le présent dossier et le décompte des sommes dues", after=1, indent=0.3, size=9.5)

    letter.heading("5. Suite envisagée")
    letter.tag("{%p if client.administration %}")
    letter.p(
        "Débiteur public : saisine du tribunal administratif (demande de provision), après "
        "vérification du dépôt des factures sur Chorus Pro ; les intérêts moratoires et "
        "l'indemnité de 40 € sont dus de plein droit.",
        align=JUSTIFY,
    )
    letter.tag("{%p else %}")
    letter.p(
        "Requête en injonction de payer auprès du "
        "{% if client.professionnel %}président du tribunal de commerce (ou du tribunal des "
        "activités économiques) du siège du débiteur – formulaire Cerfa n° 12946"
        "{% else %}tribunal judiciaire du domicile du débiteur – formulaire Cerfa n° 12948"
        "{% endif %}, accompagnée des pièces ci-dessus.",
        align=JUSTIFY,
    )
    letter.tag("{%p if total <= 5000 %}")
    letter.p(
        "La créance n'excède pas 5 000 € : la procédure simplifiée de recouvrement des petites "
        "créances par un commissaire de justice est possible, avec l'accord du débiteur "
        "(article L125-1 du Code des procédures civiles d'exécution).",
        align=JUSTIFY,
    )
    letter.tag("{%p endif %}")
    letter.tag("{%p endif %}")
    letter.footer()
    return letter


LETTERS: dict[str, Callable[[], Letter]] = {
    "relance_amiable": relance_amiable,
    "lettre_relance_1": lettre_relance_1,
    "lettre_relance_2": lettre_relance_2,
    "mise_en_demeure": mise_en_demeure,
    "proposition_echeancier": proposition_echeancier,
    "dossier_contentieux": dossier_contentieux,
}

EMAIL_TEXT = """\
Madame, Monsieur,

Sauf erreur ou omission de notre part, nous n'avons pas encore reçu le règlement \
{% if factures|length > 1 %}des factures suivantes, arrivées{% else %}de la facture suivante, \
arrivée{% endif %} à échéance :

{% for f in factures %}
- facture n° {{ f.numero }}{% if f.date %} du {{ f.date|date_courte }}{% endif %}, \
échéance le {{ f.echeance|date_courte }} : reste dû {{ f.reste_du|montant }}
{% endfor %}

Total restant dû : {{ montant_du|montant }}

Il s'agit probablement d'un simple oubli : nous vous remercions de bien vouloir procéder au \
règlement dans les meilleurs délais{% if client.administration %} (factures déposées sur le \
portail Chorus Pro){% endif %}.

{% if creancier.iban %}
Règlement par virement : IBAN {{ creancier.iban }}{% if creancier.bic %}, BIC \
{{ creancier.bic }}{% endif %}, en indiquant le numéro de facture en référence.

{% endif %}
Si votre règlement a été effectué entre-temps, merci de ne pas tenir compte de ce message.

Bien cordialement,

{{ creancier.signataire }}
{{ creancier.nom }}
{% if creancier.telephone %}Tél. {{ creancier.telephone }}
{% endif %}
"""
"""Body of the relance amiable email (a Jinja text template; no escaping in plain text)."""


def build(folder: Path) -> list[Path]:
    """Write every template into ``folder``; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in LETTERS.items():
        path = folder / f"{name}.docx"
        make().save(path)
        written.append(path)
    text = folder / "relance_amiable.txt"
    text.write_text(EMAIL_TEXT, encoding="utf-8", newline="\n")
    written.append(text)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Construit les modèles de courriers fournis.")
    parser.add_argument("dossier", nargs="?", type=Path, default=OUTPUT, help="dossier de sortie")
    args = parser.parse_args(argv)
    for path in build(args.dossier):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
