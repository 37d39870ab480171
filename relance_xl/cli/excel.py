"""``relance-xl excel installer | desinstaller``: the *Relances* tab of Excel.

``installer`` copies the add-in ``relance_xl.xlam`` into Excel's start-up folder (Excel opens
it with every workbook) and writes, in xlwings' own settings file, the Python interpreter the
buttons run (this one, where relance_xl is installed), keeping the user's other settings.
``desinstaller`` removes the add-in and only the settings it wrote. Files and formats are those of
``xlwings addin install`` and ``xlwings config create``.
"""

from __future__ import annotations

import argparse
import locale
import os
import re
import shutil
import sys
import zipfile
from collections.abc import Mapping
from pathlib import Path

from relance_xl.assets import ADDIN, asset
from relance_xl.errors import OutputError, describe_os_error

MAC_STARTUP = (
    "Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel"
)
MAC_CONFIG = "Library/Containers/com.microsoft.Excel/Data/xlwings.conf"
MAC_SCRIPTS = "Library/Application Scripts/com.microsoft.Excel"
CONFIG = ".xlwings/xlwings.conf"
_LINE = re.compile(r'^\s*"([^"]*)"\s*,\s*"([^"]*)"')


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``excel`` sub-command and its two actions."""
    parser = subparsers.add_parser(
        "excel",
        help="installer ou retirer l'onglet Relances d'Excel (add-in)",
        description="Installe l'onglet « Relances » dans Excel (Windows, macOS) : l'add-in "
        "relance_xl.xlam va dans le dossier de démarrage d'Excel et le réglage xlwings de "
        "l'interpréteur Python pointe sur celui-ci. Redémarrez Excel ensuite.",
    )
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    for name, func, text in (
        ("installer", run_install, "installer l'add-in et régler l'interpréteur Python"),
        ("desinstaller", run_uninstall, "retirer l'add-in et les réglages qu'il a écrits"),
    ):
        action = actions.add_parser(name, help=text, description=text.capitalize() + ".")
        action.add_argument(
            "--dossier",
            metavar="DOSSIER",
            type=Path,
            help="dossier de l'add-in (défaut : dossier de démarrage d'Excel)",
        )
        action.set_defaults(func=func)


def run_install(args: argparse.Namespace) -> int:
    """Copy the add-in, write the interpreter setting; 1 when the add-in's xlwings differs."""
    folder = args.dossier or startup_folder()
    target = install_addin(asset(ADDIN), folder)
    settings = config_file()
    write_settings(settings, interpreter_settings())
    if sys.platform == "darwin":
        install_applescript(Path.home() / MAC_SCRIPTS)
    print(f"Add-in installé : « {target} ».")
    print(f"Interpréteur Python des boutons : {sys.executable} (réglage dans « {settings} »).")
    print("Redémarrez Excel : l'onglet « Relances » apparaît dans le ruban.")
    built, installed = addin_xlwings_version(target), installed_xlwings_version()
    if built and built != installed:
        print(
            f"Attention : l'add-in a été construit pour xlwings {built} et xlwings {installed} "
            f"est installé ; installez xlwings=={built} (pip install xlwings=={built}) ou "
            "reconstruisez l'add-in (python scripts/build_addin.py).",
            file=sys.stderr,
        )
        return 1
    return 0


def run_uninstall(args: argparse.Namespace) -> int:
    """Remove the add-in and the interpreter setting (when it is still ours)."""
    folder = args.dossier or startup_folder()
    target = folder / ADDIN
    try:
        target.unlink()
        print(f"Add-in retiré : « {target} ».")
    except FileNotFoundError:
        print(f"Aucun add-in à retirer dans « {folder} ».")
    except OSError as error:
        raise OutputError(_os_message(target, error)) from None
    settings = config_file()
    removed = remove_settings(settings, interpreter_settings())
    if removed:
        print(f"Réglage(s) retiré(s) de « {settings} » : {', '.join(removed)}.")
    return 0


def startup_folder(
    platform: str = sys.platform, environ: Mapping[str, str] = os.environ, home: Path | None = None
) -> Path:
    """Excel's start-up folder of the user (XLSTART on Windows, Startup.localized on macOS)."""
    home = home or Path.home()
    if platform == "win32":
        appdata = environ.get("APPDATA", "")
        if not appdata:
            raise OutputError("dossier de démarrage d'Excel introuvable (variable APPDATA vide).")
        return Path(appdata) / "Microsoft" / "Excel" / "XLSTART"
    if platform == "darwin":
        return home / MAC_STARTUP
    raise OutputError(
        "Excel n'est pas disponible sur ce système : l'onglet Relances s'installe sous Windows "
        "ou macOS (ou ailleurs avec --dossier DOSSIER) ; ici, utilisez les commandes relance-xl "
        "sur le fichier du classeur."
    )


def config_file(platform: str = sys.platform, home: Path | None = None) -> Path:
    """xlwings' settings file of the user (what ``xlwings config create`` writes)."""
    home = home or Path.home()
    return home / (MAC_CONFIG if platform == "darwin" else CONFIG)


def interpreter_settings(
    platform: str = sys.platform,
    executable: str = sys.executable,
    environ: Mapping[str, str] = os.environ,
) -> dict[str, str]:
    """The settings pointing the buttons at this Python, as ``xlwings config create`` makes
    them: the interpreter, or on Windows in a conda environment the conda path and environment."""
    conda_env, conda_exe = environ.get("CONDA_DEFAULT_ENV"), environ.get("CONDA_EXE")
    if platform == "win32" and conda_env and conda_exe:
        return {"CONDA PATH": str(Path(conda_exe).parent.parent), "CONDA ENV": conda_env}
    key = "INTERPRETER_MAC" if platform == "darwin" else "INTERPRETER_WIN"
    return {key: executable}


def install_addin(source: Path, folder: Path) -> Path:
    """Copy the add-in into ``folder`` (created if needed); the path written."""
    target = folder / ADDIN
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    except OSError as error:
        raise OutputError(_os_message(target, error)) from None
    return target


def install_applescript(folder: Path) -> None:
    """macOS: the AppleScript through which Excel starts Python (``xlwings runpython install``)."""
    import xlwings

    script = Path(xlwings.__file__).parent / f"xlwings-{xlwings.__version__}.applescript"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(script, folder)
    except OSError as error:
        raise OutputError(_os_message(folder / script.name, error)) from None


def read_settings(path: Path) -> list[str]:
    """The lines of xlwings' settings file ([] when absent), bytes kept as they are."""
    try:
        return path.read_text(encoding=_ENCODING, errors="surrogateescape").splitlines()
    except FileNotFoundError:
        return []
    except OSError as error:
        raise OutputError(_os_message(path, error)) from None


def write_settings(path: Path, settings: Mapping[str, str]) -> None:
    """Set ``settings`` in xlwings' file (``"KEY","VALUE"`` lines), other lines kept."""
    keys = {key.upper() for key in settings}
    lines = [line for line in read_settings(path) if _key(line) not in keys]
    lines += [f'"{key}","{value}"' for key, value in settings.items()]
    _save(path, lines)


def remove_settings(path: Path, settings: Mapping[str, str]) -> list[str]:
    """Remove the lines equal to ``settings`` (a key set to another value stays); the keys
    removed. The file is deleted when nothing is left in it."""
    wanted = {key.upper(): value for key, value in settings.items()}
    kept, removed = [], []
    for line in read_settings(path):
        match = _LINE.match(line)
        if match and wanted.get(match[1].upper()) == match[2]:
            removed.append(match[1])
        else:
            kept.append(line)
    if removed:
        if any(line.strip() for line in kept):
            _save(path, kept)
        else:
            path.unlink()
    return removed


def addin_xlwings_version(path: Path) -> str:
    """The xlwings version the add-in's VBA belongs to (docProps keywords), "" if unknown."""
    try:
        with zipfile.ZipFile(path) as addin:
            core = addin.read("docProps/core.xml").decode("utf-8")
    except (OSError, KeyError, zipfile.BadZipFile):
        return ""
    match = re.search(r"<cp:keywords>xlwings ([^<]+)</cp:keywords>", core)
    return match[1] if match else ""


def installed_xlwings_version() -> str:
    """The version of the xlwings Python package."""
    import xlwings

    return xlwings.__version__


_ENCODING = locale.getpreferredencoding(False)
"""xlwings' VBA reads its settings file in the system's encoding, as ``open()`` writes it."""


def _key(line: str) -> str | None:
    match = _LINE.match(line)
    return match[1].upper() if match else None


def _save(path: Path, lines: list[str]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = "".join(f"{line}\n" for line in lines)
        path.write_text(text, encoding=_ENCODING, errors="surrogateescape")
    except OSError as error:
        raise OutputError(_os_message(path, error)) from None


def _os_message(path: Path, error: OSError) -> str:
    return (
        f"impossible d'écrire ou de retirer « {path} » ({describe_os_error(error)}) : "
        "fermez Excel puis recommencez."
    )
