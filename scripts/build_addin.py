"""Build ``relance_xl.xlam``, the Excel add-in with the « Relances » ribbon tab.

    python scripts/build_addin.py [--source QUICKSTART.xlam] [--sortie relance_xl.xlam]

Made from the ribbon add-in that xlwings ships (BSD licence):
``<site-packages>/xlwings/quickstart_addin_ribbon.xlam``, the file that
``xlwings quickstart NAME --addin --ribbon`` copies. What changes:

- ``customUI/customUI.xml``: a *Relances* tab with one button per entry of :data:`BUTTONS`
  (French labels, imageMso icons);
- VBA module ``RibbonMyAddin``: one ``Sub`` per button calling
  ``RunPython "import relance_xl.excel as x; x.<fonction>()"``, and one ``Function`` per worksheet
  function of ``relance_xl.excel.WORKSHEET_FUNCTIONS`` (the wrapper xlwings' « Import
  Functions » would write into a workbook, here in the add-in so that a plain .xlsx can use it);
- VBA module ``xlwings``: ``PROJECT_NAME = "xlwings"`` instead of ``"myaddin"``, so that the
  add-in reads the workbook's ``xlwings.conf`` sheet and the user's ``xlwings.conf`` file (where
  ``relance-xl excel installer`` writes the Python interpreter);
- the add-in's own settings sheet ``_myaddin.conf`` is renamed ``_xlwings.conf`` (inactive, as
  shipped); ``docProps/core.xml`` gets a title and the xlwings version of the VBA code.

The VBA project is rewritten by ``scripts/addin`` (MS-OVBA compression, dir stream, compound
file writer); Office recompiles it from the sources on first load. The zip gets fixed timestamps:
the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import inspect
import io
import os
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE / "addin"), str(ROOT)]

import vbaproject  # noqa: E402
import xlwings  # noqa: E402
from lxml import etree  # noqa: E402

from relance_xl import excel  # noqa: E402

QUICKSTART = Path(xlwings.__file__).resolve().parent / "quickstart_addin_ribbon.xlam"
OUTPUT = ROOT / "relance_xl.xlam"
RIBBON_MODULE = "RibbonMyAddin"
XLWINGS_MODULE = "xlwings"
CUSTOM_UI = "customUI/customUI.xml"
VBA_PART = "xl/vbaProject.bin"
WORKBOOK_PART = "xl/workbook.xml"
CORE_PART = "docProps/core.xml"
PROJECT_NAME_LINE = 'Public Const PROJECT_NAME As String = "{}"'
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Button:
    """One ribbon button: the VBA callback, the Python function it runs, what the user sees."""

    sub: str
    function: str
    label: str
    image: str
    tip: str


BUTTONS: tuple[Button, ...] = (
    Button("MettreAJour", "mettre_a_jour", "Mettre à jour", "RefreshAll",
           "Balance âgée, actions, anomalies et tableau de bord à la date du jour."),
    Button("GenererCourriers", "generer_courriers", "Générer les courriers",
           "EnvelopesAndLabelsDialog",
           "Courriers Word (et PDF), brouillons de courriels des actions à faire."),
    Button("EnregistrerRelances", "enregistrer_relances", "Enregistrer les relances", "FileSave",
           "Ajoute à l'Historique les actions marquées « oui » dans la colonne Fait."),
    Button("Aide", "aide", "Aide", "Help", "Ce que font les boutons de l'onglet Relances."),
)  # fmt: skip
"""The *Relances* tab, left to right."""


def custom_ui() -> str:
    """The ribbon XML: one group of buttons on a « Relances » tab."""
    buttons = "\n".join(
        f'          <button id="{button.sub}" label={quoteattr(button.label)} size="large" '
        f'imageMso="{button.image}" screentip={quoteattr(button.label)} '
        f'supertip={quoteattr(button.tip)} onAction="{RIBBON_MODULE}.{button.sub}"/>'
        for button in BUTTONS
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui">\n'
        "  <ribbon>\n    <tabs>\n"
        '      <tab id="relanceXlTab" label="Relances">\n'
        '        <group id="relanceXlGroup" label="Relances de factures">\n'
        f"{buttons}\n"
        "        </group>\n      </tab>\n    </tabs>\n  </ribbon>\n</customUI>\n"
    )


def ribbon_module() -> str:
    """VBA of the ribbon callbacks and of the worksheet-function wrappers."""
    lines = [
        f'Attribute VB_Name = "{RIBBON_MODULE}"',
        "' Relance XL : boutons de l'onglet Relances et fonctions de calcul.",
        "' Généré par scripts/build_addin.py depuis relance_xl.excel : ne pas modifier ici.",
        "Option Explicit",
        "",
    ]
    for button in BUTTONS:
        lines += [
            f"Sub {button.sub}(control As IRibbonControl)",
            f'    RunPython "import relance_xl.excel as x; x.{button.function}()"',
            "End Sub",
            "",
        ]
    for function in excel.WORKSHEET_FUNCTIONS:
        lines += udf_wrapper(function)
    return "\r\n".join(lines)


def udf_wrapper(function: object) -> list[str]:
    """The VBA Function that hands a worksheet function to xlwings' COM server (as xlwings'
    own generator writes it for an add-in: ActiveWorkbook, Application.Caller)."""
    name = function.__name__  # type: ignore[attr-defined]
    parameters = list(inspect.signature(function).parameters.values())  # type: ignore[arg-type]
    signature = ", ".join(
        p.name if p.default is inspect.Parameter.empty else f"Optional {p.name}" for p in parameters
    )
    arguments = ", ".join(p.name for p in parameters)
    return [
        f"Function {name}({signature})",
        "    #If Mac Then",
        f'        {name} = "Erreur : fonction disponible sous Windows seulement"',
        "    #Else",
        "        If TypeOf Application.Caller Is Range Then On Error GoTo failed",
        f'        {name} = XLPy.CallUDF("relance_xl.excel", "{name}", Array({arguments}), '
        "ActiveWorkbook, Application.Caller)",
        "        Exit Function",
        "failed:",
        f"        {name} = Err.Description",
        "    #End If",
        "End Function",
        "",
    ]


def xlwings_module(source: str) -> str:
    """The xlwings VBA module reading the ``xlwings.conf`` settings (sheet and file)."""
    shipped = PROJECT_NAME_LINE.format("myaddin")
    if shipped not in source:
        raise SystemExit(f"module {XLWINGS_MODULE} : ligne « {shipped} » introuvable")
    return source.replace(shipped, PROJECT_NAME_LINE.format("xlwings"))


def workbook_xml(data: bytes) -> bytes:
    """The add-in's settings sheet renamed after the project name."""
    if b'name="_myaddin.conf"' not in data:
        raise SystemExit("feuille « _myaddin.conf » introuvable dans l'add-in xlwings")
    return data.replace(b'name="_myaddin.conf"', b'name="_xlwings.conf"')


def core_xml(data: bytes) -> bytes:
    """Title « Relance XL » and keywords « xlwings VERSION » (read by the installer)."""
    root = etree.fromstring(data)
    names = {
        "title": "{http://purl.org/dc/elements/1.1/}title",
        "keywords": "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}keywords",
    }
    for key, text in (("title", "Relance XL"), ("keywords", f"xlwings {xlwings.__version__}")):
        element = root.find(names[key])
        if element is None:
            element = etree.SubElement(root, names[key])
        element.text = text
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def build(source: Path = QUICKSTART) -> bytes:
    """The add-in's bytes."""
    with zipfile.ZipFile(source) as shipped:
        parts = {info.filename: shipped.read(info) for info in shipped.infolist()}
    sources = vbaproject.module_sources(parts[VBA_PART])
    parts[VBA_PART] = vbaproject.replace_modules(
        parts[VBA_PART],
        {
            RIBBON_MODULE: ribbon_module(),
            XLWINGS_MODULE: xlwings_module(sources[XLWINGS_MODULE]),
        },
    )
    parts[CUSTOM_UI] = custom_ui().encode("utf-8")
    parts[WORKBOOK_PART] = workbook_xml(parts[WORKBOOK_PART])
    parts[CORE_PART] = core_xml(parts[CORE_PART])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            out.writestr(info, data)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Write the add-in (atomically) and say where."""
    parser = argparse.ArgumentParser(description="Construit l'add-in Excel relance_xl.xlam.")
    parser.add_argument("--source", type=Path, default=QUICKSTART, help="add-in ruban de xlwings")
    parser.add_argument("--sortie", type=Path, default=OUTPUT, help="fichier .xlam à écrire")
    args = parser.parse_args(argv)
    data = build(args.source)
    temporary = args.sortie.with_name(f".{args.sortie.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, args.sortie)
    print(f"{args.sortie} : {len(data)} octets (xlwings {xlwings.__version__}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
