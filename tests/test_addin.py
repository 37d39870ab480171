"""The Excel add-in relance_xl.xlam and the tools that build it (scripts/build_addin.py,
scripts/addin: MS-OVBA compression and dir records, compound-file writer, VBA module rewrite)."""

from __future__ import annotations

import importlib.util
import inspect
import io
import os
import random
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import olefile
import pytest
import xlwings
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from oletools.olevba import VBA_Parser, decompress_stream

from relance_xl import excel

PROJECT = Path(__file__).resolve().parents[1]
ADDIN = PROJECT / "relance_xl.xlam"
sys.path.insert(0, str(PROJECT / "scripts" / "addin"))

import cfb  # noqa: E402
import ovba  # noqa: E402
import vbaproject  # noqa: E402


def _load_build_script():
    spec = importlib.util.spec_from_file_location("build_addin", PROJECT / "scripts/build_addin.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


build_addin = _load_build_script()
QUICKSTART = build_addin.QUICKSTART
CUSTOM_UI_NS = "{http://schemas.microsoft.com/office/2006/01/customui}"
needs_quickstart = pytest.mark.skipif(
    not QUICKSTART.exists(), reason=f"add-in ruban de xlwings absent : {QUICKSTART}"
)


def _vba_modules(data: bytes) -> dict[str, str]:
    """Module name → source, as oletools decodes them (an independent reader)."""
    parser = VBA_Parser("addin.xlam", data=data)
    try:
        return {
            Path(vba_name).stem: code
            for _, _, vba_name, code in parser.extract_macros()
            if isinstance(code, str)
        }
    finally:
        parser.close()


def _procedures(source: str, kind: str) -> dict[str, str]:
    """Sub or Function name → its body, from VBA source."""
    pattern = rf"^{kind} (\w+)\((.*?)\)\s*$(.*?)^End {kind}"
    return {m[1]: m[2] + "\n" + m[3] for m in re.finditer(pattern, source, re.M | re.S)}


@pytest.fixture(scope="module")
def addin_bytes() -> bytes:
    """The committed add-in."""
    return ADDIN.read_bytes()


@pytest.fixture(scope="module")
def modules(addin_bytes: bytes) -> dict[str, str]:
    """VBA modules of the committed add-in."""
    return _vba_modules(addin_bytes)


@pytest.fixture(scope="module")
def ribbon(addin_bytes: bytes) -> etree._Element:
    """customUI of the committed add-in."""
    with zipfile.ZipFile(io.BytesIO(addin_bytes)) as addin:
        return etree.fromstring(addin.read("customUI/customUI.xml"))


# --- MS-OVBA compression ---------------------------------------------------------------------

VBA_LIKE = 'Sub Bouton(control As IRibbonControl)\r\n    RunPython "import x; x.f()"\r\nEnd Sub\r\n'


@pytest.mark.parametrize(
    "donnees",
    [
        b"",
        b"a",
        b"abc",
        b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        b"abcdefghijklmnop" * 300,
        VBA_LIKE.encode() * 200,
        random.Random(7).randbytes(4096),
        random.Random(7).randbytes(4096) + b"fin du texte " * 40,
        bytes(range(256)) * 48,
    ],
    ids=["vide", "un octet", "trois octets", "repetition", "motif 4800 octets",
         "source VBA 14 Ko", "bloc brut 4096", "bloc brut puis texte", "octets 0-255 x48"],
)  # fmt: skip
def test_compression_relue_par_oletools(donnees):
    """Ce que compress écrit, oletools le décompresse à l'identique, et decompress aussi."""
    compressed = ovba.compress(donnees)
    assert decompress_stream(bytearray(compressed)) == donnees
    assert ovba.decompress(compressed) == donnees


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list('Sub End()\r\n"x.=_ 0123aeiouRunPython')), max_size=9000)
)
def test_compression_aller_retour_sur_du_texte(texte):
    """Tout texte de code se compresse et se relit à l'identique (oletools et notre lecteur)."""
    data = texte.encode("cp1252")
    compressed = ovba.compress(data)
    assert decompress_stream(bytearray(compressed)) == data
    assert ovba.decompress(compressed) == data


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=3000))
def test_compression_aller_retour_sur_des_octets(data):
    """Des octets quelconques (dernier bloc court) se relisent à l'identique."""
    assert decompress_stream(bytearray(ovba.compress(data))) == data


def test_dernier_bloc_incompressible_refuse():
    """Un dernier bloc court incompressible serait complété de zéros : il est refusé."""
    with pytest.raises(ovba.OvbaError, match="incompressible"):
        ovba.compress(random.Random(1).randbytes(4000))


def test_compression_plus_petite_que_le_texte():
    """Un module VBA se compresse (le texte répétitif prend moins de place)."""
    data = VBA_LIKE.encode() * 50
    assert len(ovba.compress(data)) < len(data) // 5


@needs_quickstart
def test_decompression_identique_a_oletools_sur_le_projet_de_xlwings():
    """Notre lecteur décompresse dir et chaque module du projet xlwings comme oletools."""
    with zipfile.ZipFile(QUICKSTART) as shipped:
        streams, _ = vbaproject.read_streams(shipped.read("xl/vbaProject.bin"))
    records = ovba.parse_dir(ovba.decompress(streams["VBA/dir"]))
    assert ovba.decompress(streams["VBA/dir"]) == decompress_stream(bytearray(streams["VBA/dir"]))
    for module in ovba.modules(records):
        raw = streams[f"VBA/{module.stream}"][module.offset :]
        assert ovba.decompress(raw) == decompress_stream(bytearray(raw)), module.name


# --- dir records -----------------------------------------------------------------------------


@needs_quickstart
def test_enregistrements_dir_reconstruits_a_l_octet_pres():
    """Lire puis réécrire les enregistrements de VBA/dir redonne les mêmes octets."""
    with zipfile.ZipFile(QUICKSTART) as shipped:
        streams, _ = vbaproject.read_streams(shipped.read("xl/vbaProject.bin"))
    data = ovba.decompress(streams["VBA/dir"])
    records = ovba.parse_dir(data)
    assert ovba.build_dir(records) == data
    assert [m.name for m in ovba.modules(records)] == [
        "ThisWorkbook", "Dictionary", "RibbonMyAddin", "Sheet2", "xlwings",
    ]  # fmt: skip
    assert ovba.codepage(records) == "cp1252"


@needs_quickstart
def test_decalage_du_module_remis_a_zero():
    """with_offset ne change que le MODULEOFFSET du module visé."""
    with zipfile.ZipFile(QUICKSTART) as shipped:
        streams, _ = vbaproject.read_streams(shipped.read("xl/vbaProject.bin"))
    records = ovba.parse_dir(ovba.decompress(streams["VBA/dir"]))
    patched = ovba.modules(ovba.with_offset(records, "RibbonMyAddin", 0))
    before = {m.name: m.offset for m in ovba.modules(records)}
    after = {m.name: m.offset for m in patched}
    assert before["RibbonMyAddin"] > 0 and after["RibbonMyAddin"] == 0
    assert {k: v for k, v in after.items() if k != "RibbonMyAddin"} == {
        k: v for k, v in before.items() if k != "RibbonMyAddin"
    }
    with pytest.raises(ovba.OvbaError):
        ovba.with_offset(records, "Inconnu", 0)


def test_dir_tronque_refuse():
    """Un flux dir coupé au milieu d'un enregistrement est refusé."""
    with pytest.raises(ovba.OvbaError):
        ovba.parse_dir(b"\x01\x00\x04\x00\x00\x00\x01")


# --- compound file writer ------------------------------------------------------------------------


def _reread(data: bytes) -> dict[str, bytes]:
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        return {
            "/".join(p): ole.openstream(p).read() for p in ole.listdir(streams=True, storages=False)
        }


@pytest.mark.parametrize(
    "flux",
    [
        {"PROJECT": b"ID=1\r\n"},
        {"a": b"x" * 4095, "b": b"y" * 4096, "c": b"z" * 4097},
        {"VBA/dir": b"d" * 700, "VBA/Module1": b"m" * 9000, "PROJECT": b"p" * 10},
        {f"S{i}/flux{j}": bytes([i, j]) * (i * 300 + j) for i in range(4) for j in range(5)},
        {"a/b/c/d": b"profond", "a/b/e": b"", "vide": b""},
        {f"flux{i:02}": os.urandom(50) for i in range(40)},
    ],
    ids=["un flux", "autour du seuil 4096", "projet VBA", "vingt flux", "profond et vides",
         "quarante flux"],
)  # fmt: skip
def test_fichier_compose_relu_par_olefile(flux):
    """olefile relit chaque flux écrit, à l'octet près."""
    assert _reread(cfb.compound_file(flux)) == flux


def test_arbre_du_repertoire_trie_dans_l_ordre_cfb():
    """Les frères forment un arbre de recherche dans l'ordre CFB (longueur, puis majuscules)."""
    names = ["PROJECTwm", "VBA", "PROJECT", "b", "Ab", "aa", "_VBA_PROJECT", "dir", "Zz"]
    data = cfb.compound_file({name: b"." for name in names})
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        entries = ole.direntries

        def in_order(sid: int) -> list[str]:
            if sid == cfb.NOSTREAM:
                return []
            entry = entries[sid]
            return [*in_order(entry.sid_left), entry.name, *in_order(entry.sid_right)]

        assert in_order(entries[0].sid_child) == sorted(names, key=cfb.name_key)
        assert all(entry.color == cfb.BLACK for entry in entries if entry is not None)


def test_clsid_des_stockages_conserve():
    """Le CLSID de la racine et des stockages est écrit tel quel."""
    clsid = bytes(range(16))
    data = cfb.compound_file({"VBA/dir": b"x"}, {"": clsid, "VBA": clsid[::-1]})
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        assert vbaproject._clsid(ole.root.clsid) == clsid
        assert vbaproject._clsid(ole.getclsid("VBA")) == clsid[::-1]


def test_meme_contenu_memes_octets():
    """Deux écritures des mêmes flux donnent les mêmes octets (construction reproductible)."""
    flux = {"VBA/dir": b"x" * 5000, "PROJECT": b"p"}
    assert cfb.compound_file(flux) == cfb.compound_file(dict(reversed(flux.items())))


@pytest.mark.parametrize(
    "flux", [{"": b"x"}, {"a" * 32: b"x"}, {"a": b"x", "a/b": b"y"}],
    ids=["nom vide", "nom de 32 caractères", "flux et stockage"],
)  # fmt: skip
def test_chemins_invalides_refuses(flux):
    """Un nom vide, trop long, ou à la fois flux et stockage est refusé."""
    with pytest.raises(cfb.CfbError):
        cfb.compound_file(flux)


# --- rewriting VBA modules ---------------------------------------------------------------------


@needs_quickstart
def test_remplacement_d_un_module_et_du_cache():
    """Le module remplacé a le nouveau code, les autres gardent le leur, le cache est invalidé."""
    with zipfile.ZipFile(QUICKSTART) as shipped:
        original = shipped.read("xl/vbaProject.bin")
    streams, clsids = vbaproject.read_streams(original)
    streams["VBA/__SRP_0"] = b"cache"
    with_cache = cfb.compound_file(streams, clsids)
    source = (
        'Attribute VB_Name = "RibbonMyAddin"\r\nSub Essai(control As IRibbonControl)\r\nEnd Sub\r\n'
    )
    rewritten = vbaproject.replace_modules(with_cache, {"RibbonMyAddin": source})
    before, after = vbaproject.module_sources(original), vbaproject.module_sources(rewritten)
    assert after["RibbonMyAddin"] == source
    assert {k: v for k, v in after.items() if k != "RibbonMyAddin"} == {
        k: v for k, v in before.items() if k != "RibbonMyAddin"
    }
    streams_after = _reread(rewritten)
    assert streams_after["VBA/_VBA_PROJECT"] == bytes.fromhex("CC61FFFF000000")
    assert not any("__SRP_" in name for name in streams_after)
    assert streams_after["PROJECT"] == streams["PROJECT"]


@needs_quickstart
def test_module_inconnu_refuse():
    """Remplacer un module absent du projet est refusé."""
    with zipfile.ZipFile(QUICKSTART) as shipped:
        original = shipped.read("xl/vbaProject.bin")
    with pytest.raises(ovba.OvbaError, match="Inconnu"):
        vbaproject.replace_modules(original, {"Inconnu": "Sub A()\r\nEnd Sub"})


# --- the committed add-in ------------------------------------------------------------------------


def test_add_in_est_un_paquet_valide(addin_bytes):
    """Un zip intègre de type add-in Excel avec macros, qui déclare son ruban."""
    with zipfile.ZipFile(io.BytesIO(addin_bytes)) as addin:
        assert addin.testzip() is None
        types = addin.read("[Content_Types].xml").decode()
        rels = addin.read("_rels/.rels").decode()
        assert "application/vnd.ms-excel.addin.macroEnabled.main+xml" in types
        assert 'Target="customUI/customUI.xml"' in rels
        assert "xl/vbaProject.bin" in addin.namelist()


def test_onglet_relances_en_francais(ribbon):
    """L'onglet « Relances » porte les quatre boutons, libellés en français, avec icônes."""
    tab = ribbon.find(f".//{CUSTOM_UI_NS}tab")
    buttons = ribbon.findall(f".//{CUSTOM_UI_NS}button")
    assert tab.get("label") == "Relances"
    assert [b.get("label") for b in buttons] == [
        "Mettre à jour", "Générer les courriers", "Enregistrer les relances", "Aide",
    ]  # fmt: skip
    assert all(b.get("imageMso") for b in buttons)


def test_chaque_bouton_appelle_une_sub_existante(ribbon, modules):
    """Chaque onAction du ruban nomme une Sub du module, et le module n'a que ces Sub."""
    actions = [b.get("onAction") for b in ribbon.findall(f".//{CUSTOM_UI_NS}button")]
    assert all(action.startswith("RibbonMyAddin.") for action in actions)
    subs = _procedures(modules["RibbonMyAddin"], "Sub")
    assert sorted(subs) == sorted(action.split(".", 1)[1] for action in actions)
    assert all("control As IRibbonControl" in body for body in subs.values())


def test_chaque_sub_lance_une_fonction_de_relance_xl_excel(modules):
    """Chaque Sub appelle RunPython sur une fonction de relance_xl.excel appelable sans argument."""
    subs = _procedures(modules["RibbonMyAddin"], "Sub")
    called = []
    for body in subs.values():
        match = re.search(r'RunPython "import relance_xl\.excel as x; x\.(\w+)\(\)"', body)
        assert match, body
        called.append(match[1])
        function = getattr(excel, match[1])
        assert all(
            p.default is not inspect.Parameter.empty
            for p in inspect.signature(function).parameters.values()
        )
    assert sorted(called) == ["aide", "enregistrer_relances", "generer_courriers", "mettre_a_jour"]


def test_fonctions_de_calcul_de_l_add_in_et_du_module(modules):
    """Les Function VBA sont exactement les fonctions de calcul de relance_xl.excel, mêmes
    paramètres (optionnels compris), appelées par xlwings."""
    functions = _procedures(modules["RibbonMyAddin"], "Function")
    assert sorted(functions) == sorted(f.__name__ for f in excel.WORKSHEET_FUNCTIONS)
    source = modules["RibbonMyAddin"]
    for function in excel.WORKSHEET_FUNCTIONS:
        expected = ", ".join(
            p.name if p.default is inspect.Parameter.empty else f"Optional {p.name}"
            for p in inspect.signature(function).parameters.values()
        )
        assert f"Function {function.__name__}({expected})" in source
        assert f'XLPy.CallUDF("relance_xl.excel", "{function.__name__}"' in source


def test_module_xlwings_lit_xlwings_conf(modules):
    """Le module xlwings de l'add-in lit la feuille et le fichier xlwings.conf."""
    assert 'Public Const PROJECT_NAME As String = "xlwings"' in modules["xlwings"]
    assert "myaddin" not in modules["xlwings"]
    assert modules["xlwings"].count("RunPython") >= 1


def test_cache_de_compilation_invalide(addin_bytes):
    """Office recompile depuis les sources : _VBA_PROJECT sans cache, aucun flux __SRP_."""
    with zipfile.ZipFile(io.BytesIO(addin_bytes)) as addin:
        streams = _reread(addin.read("xl/vbaProject.bin"))
    assert streams["VBA/_VBA_PROJECT"] == bytes.fromhex("CC61FFFF000000")
    assert not any("__SRP_" in name for name in streams)


def test_boutons_du_script_et_fonctions_du_module():
    """Chaque bouton du script de construction vise une fonction de relance_xl.excel."""
    for button in build_addin.BUTTONS:
        assert callable(getattr(excel, button.function)), button


@needs_quickstart
def test_add_in_a_jour_avec_le_script(addin_bytes):
    """Le fichier versionné est exactement ce que produit scripts/build_addin.py."""
    keywords = re.search(rb"<cp:keywords>xlwings ([^<]+)</cp:keywords>", _core(addin_bytes))
    if keywords is None or keywords[1].decode() != xlwings.__version__:
        pytest.skip(f"add-in construit pour une autre version de xlwings que {xlwings.__version__}")
    assert build_addin.build() == addin_bytes


def _core(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as addin:
        return addin.read("docProps/core.xml")


@pytest.mark.libreoffice
def test_libreoffice_relit_le_projet_vba(addin_bytes, tmp_path):
    """LibreOffice, lecteur indépendant, retrouve nos Sub dans le projet VBA de l'add-in."""
    from relance_xl.pdf import find_soffice

    soffice = find_soffice()
    if soffice is None:
        pytest.skip("LibreOffice (soffice) absent : « apt-get install libreoffice-writer-nogui »")
    workbook = tmp_path / "addin.xlsm"  # LibreOffice n'ouvre pas les .xlam : même paquet, classeur
    with zipfile.ZipFile(io.BytesIO(addin_bytes)) as addin, zipfile.ZipFile(workbook, "w") as out:
        for info in addin.infolist():
            data = addin.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"ms-excel.addin.macroEnabled", b"ms-excel.sheet.macroEnabled")
            out.writestr(info.filename, data)
    subprocess.run(
        [str(soffice), "--headless", f"-env:UserInstallation={(tmp_path / 'p').as_uri()}",
         "--convert-to", "ods", "--outdir", str(tmp_path), str(workbook)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    with zipfile.ZipFile(tmp_path / "addin.ods") as converted:
        basic = converted.read("Basic/MyAddin/RibbonMyAddin.xml").decode()
    for button in build_addin.BUTTONS:
        assert f"Sub {button.sub}(control As IRibbonControl)" in basic
    shutil.rmtree(tmp_path / "p", ignore_errors=True)
