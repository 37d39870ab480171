"""The fast path: docxtpl's output, all-or-nothing batches, never an existing file replaced."""

from __future__ import annotations

import io
import re
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from docxtpl import DocxTemplate, RichText
from test_letters_context import NAME, sample_context

from relance_xl.errors import TemplateError
from relance_xl.letters import bulk
from relance_xl.letters.bulk import LetterJob, PreparedTemplate, generate
from relance_xl.letters.context import VARIABLES
from relance_xl.letters.render import bundled_templates_folder, environment

REALDATA = "docx_python_docx_template_elapouya"
RENDERED_PARTS = ("word/document.xml", "word/header", "word/footer", "word/footnotes.xml")


def docxtpl_render(path: Path, context: dict) -> zipfile.ZipFile:
    """The reference: docxtpl's own render and save, in the same sandbox."""
    template = DocxTemplate(str(path))
    template.render(context, environment(), autoescape=True)
    buffer = io.BytesIO()
    template.save(buffer)
    return zipfile.ZipFile(buffer)


def fast_bytes(path: Path, context: dict) -> bytes:
    """The fast path: the first letter of a template is checked against docxtpl's way of
    building document.xml, the next ones take the shortcut; both must give the same bytes."""
    template = PreparedTemplate(path, list(context))
    first, second = template.render(context), template.render(context)
    assert first == second
    return second


def fast_render(path: Path, context: dict) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(fast_bytes(path, context)))


def assert_same_parts(fast: zipfile.ZipFile, reference: zipfile.ZipFile) -> list[str]:
    """document.xml, headers, footers, footnotes: byte for byte; returns the parts compared."""
    compared = [name for name in fast.namelist() if name.startswith(RENDERED_PARTS)]
    for name in compared:
        assert fast.read(name) == reference.read(name), name
    return compared


def make_template(path: Path, *paragraphs: str, header: str = "", footer: str = "") -> Path:
    """A small Word template written with python-docx."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if header:
        document.sections[0].header.paragraphs[0].text = header
    if footer:
        document.sections[0].footer.paragraphs[0].text = footer
    document.save(path)
    return path


def body_text(data: bytes | Path) -> str:
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    return "\n".join(p.text for p in docx.Document(source).paragraphs)


# --- same output as docxtpl ----------------------------------------------------------------------

BUNDLED = ["relance_amiable", "lettre_relance_1", "lettre_relance_2", "mise_en_demeure",
           "proposition_echeancier", "dossier_contentieux"]  # fmt: skip


@pytest.mark.parametrize("modele", BUNDLED)
def test_modeles_fournis_identiques_a_docxtpl(modele):
    """Our templates: document, headers and footers equal docxtpl's render for the same context."""
    path = bundled_templates_folder() / f"{modele}.docx"
    context = sample_context()
    compared = assert_same_parts(fast_render(path, context), docxtpl_render(path, context))
    assert "word/document.xml" in compared and any("footer" in name for name in compared)


REAL_CONTEXTS = {
    "order_tpl.docx": {
        "customer_name": NAME, "company_name": NAME, "total_price": "1 234,56 €",
        "is_paid": False, "in_europe": True,
        "items": [{"desc": NAME, "qty": 2, "price": "10"}, {"desc": "b", "qty": 1, "price": "3"}],
    },
    "get_undeclared_variables.docx": {
        "name": NAME, "age": 3, "email": "a@b.example", "is_student": True, "has_degree": True,
        "degree_field": "droit", "skills": ["a", "b"], "company_name": NAME, "page_number": 1,
        "projects": [{"name": "p", "year": 2026, "description": "d"}],
        "generation_date": "23/11/2026", "author": NAME,
    },
    "header_footer_tpl.docx": {
        "title": NAME, "mysubdoc": NAME, "date": "23/11/2026", "company_name": NAME,
    },
    "escape_tpl.docx": {
        "myvar": RichText(NAME), "myescvar": NAME, "nlnp": NAME, "mylisting": "a\nb\tc",
        "page_break": "\f", "new_listing": "x\ay", "some_html": f"<b>{NAME}</b>",
    },
    "preserve_spaces_tpl.docx": {"tag_1": NAME, "tag_2": "  x  "},
}  # fmt: skip


@pytest.mark.parametrize("modele", sorted(REAL_CONTEXTS))
def test_modeles_reels_identiques_a_docxtpl(realdata, modele):
    """docxtpl's own test templates (loops, headers, footers, listings): same bytes as docxtpl."""
    path = realdata(f"{REALDATA}/{modele}")
    context = REAL_CONTEXTS[modele]
    letter = fast_bytes(path, context)
    assert_same_parts(zipfile.ZipFile(io.BytesIO(letter)), docxtpl_render(path, context))
    assert docx.Document(io.BytesIO(letter)).paragraphs


@pytest.mark.libreoffice
def test_modeles_reels_convertis_par_libreoffice(realdata, tmp_path):
    """The letters made from docxtpl's own templates convert to PDF with LibreOffice."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) absent")
    from relance_xl.pdf import convert_to_pdf, is_complete_pdf

    sources = []
    for name, context in REAL_CONTEXTS.items():
        path = realdata(f"{REALDATA}/{name}")
        sources.append(tmp_path / name)
        sources[-1].write_bytes(PreparedTemplate(path, list(context)).render(context))
    pdfs = convert_to_pdf(sources, tmp_path / "pdf", timeout=240)
    assert all(is_complete_pdf(pdf) for pdf in pdfs)


@pytest.mark.parametrize(
    ("modele", "partie"),
    [
        ("order_tpl.docx", "word/document.xml"),
        ("header_footer_tpl.docx", "word/footer2.xml"),
        ("get_undeclared_variables.docx", "word/header1.xml"),
    ],
    ids=["corps", "pied de page", "en-tête"],
)
def test_nom_echappe_dans_le_corps_et_les_en_tetes(realdata, modele, partie):
    """« Dupont & Fils <SARL> » comes out as text wherever the tag is."""
    path = realdata(f"{REALDATA}/{modele}")
    xml = fast_render(path, REAL_CONTEXTS[modele]).read(partie).decode("utf-8")
    assert "Dupont &amp; Fils &lt;SARL&gt;" in xml


def _png() -> bytes:
    """A 1×1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_images_renumerotees_comme_docxtpl(tmp_path):
    """A logo in the template and one per invoice row: picture ids as docxtpl numbers them."""
    document = docx.Document()
    document.add_picture(io.BytesIO(_png()))
    document.add_paragraph("{%p for f in factures %}")
    document.add_picture(io.BytesIO(_png()))
    document.add_paragraph("{{ f.numero }}")
    document.add_paragraph("{%p endfor %}")
    path = tmp_path / "logo.docx"
    document.save(path)
    context = sample_context()
    letter = fast_render(path, context)
    assert letter.read("word/document.xml").count(b"<wp:docPr") == 3
    assert_same_parts(letter, docxtpl_render(path, context))


def _with_member(source: Path, target: Path, name: str, data: bytes) -> Path:
    """A copy of a .docx with one member replaced or added."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as out:
        for info in src.infolist():
            if info.filename != name:
                out.writestr(info, src.read(info))
        out.writestr(name, data)
    return target


_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _rels(*links: str) -> bytes:
    body = "".join(links)
    return (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{body}</Relationships>"
    ).encode()


@pytest.mark.parametrize(
    ("membre", "contenu", "attendu"),
    [
        ("word/vbaProject.bin", b"\xd0\xcf\x11\xe0", "contient des macros"),
        (
            "word/_rels/settings.xml.rels",
            _rels(f'<Relationship Id="rId9" Type="{_RELS}/attachedTemplate" '
                  'Target="http://x.example/m.dotm" TargetMode="External"/>'),
            "charge « http://x.example/m.dotm » à l'ouverture",
        ),
    ],
    ids=["macros", "modèle attaché distant"],
)  # fmt: skip
def test_modele_dangereux_refuse(tmp_path, membre, contenu, attendu):
    """Macros or a link fetched on opening: the template is refused, in French, by name."""
    path = _with_member(bundled_templates_folder() / "mise_en_demeure.docx",
                        tmp_path / "piege.docx", membre, contenu)  # fmt: skip
    with pytest.raises(TemplateError, match=re.escape(f"le modèle « piege.docx » {attendu}")):
        PreparedTemplate(path, list(VARIABLES))


def test_lien_hypertexte_permis(tmp_path):
    """An ordinary external hyperlink (the creditor's website) is allowed."""
    link = f'<Relationship Id="rId9" Type="{_RELS}/hyperlink" Target="https://x.example" '
    path = _with_member(
        make_template(tmp_path / "m.docx", "{{ client.nom }}"), tmp_path / "lien.docx",
        "word/_rels/document.xml.rels", _rels(link + 'TargetMode="External"/>'),
    )  # fmt: skip
    assert PreparedTemplate(path, list(VARIABLES)).render(sample_context())


def test_modele_reel_casse_erreur_francaise(realdata):
    """template_error_tpl.docx (a stray endif): one French sentence, no Jinja traceback."""
    path = realdata(f"{REALDATA}/template_error_tpl.docx")
    with pytest.raises(TemplateError) as error:
        PreparedTemplate(path, ["test_variable"])
    message = error.value.message
    assert message.startswith(
        "le modèle « template_error_tpl.docx » contient une erreur de syntaxe"
    )
    assert "endif" in message


def test_les_parties_non_rendues_sont_copiees_telles_quelles():
    """Styles, theme, fonts…: the raw compressed bytes of the template, not recompressed."""
    path = bundled_templates_folder() / "mise_en_demeure.docx"
    template = zipfile.ZipFile(path)
    letter = fast_render(path, sample_context())
    assert letter.testzip() is None
    assert letter.namelist() == template.namelist()
    for name in ("word/styles.xml", "word/theme/theme1.xml", "[Content_Types].xml"):
        assert letter.getinfo(name).CRC == template.getinfo(name).CRC
        assert letter.getinfo(name).compress_size == template.getinfo(name).compress_size


# --- batches -------------------------------------------------------------------------------------


def test_lot_ecrit_chaque_courrier_et_rend_compte_de_la_progression(tmp_path):
    """Every letter is written under its name; progress reaches (n, n)."""
    template = make_template(tmp_path / "m.docx", "Bonjour {{ client.nom }}")
    context = sample_context()
    jobs = [LetterJob(template, context, tmp_path / "sortie" / f"l{i}.docx") for i in range(3)]
    seen = []
    written = generate(jobs, progress=lambda done, total: seen.append((done, total)))
    assert [path.name for path in written] == ["l0.docx", "l1.docx", "l2.docx"]
    assert body_text(written[2]) == f"Bonjour {NAME}"
    assert seen[-1] == (3, 3)
    assert sorted(p.name for p in (tmp_path / "sortie").iterdir()) == [
        "l0.docx",
        "l1.docx",
        "l2.docx",
    ]


def test_fichier_existant_jamais_ecrase(tmp_path):
    """A letter whose name exists goes to name-2; the old file keeps its content."""
    template = make_template(tmp_path / "m.docx", "Bonjour {{ client.nom }}")
    out = tmp_path / "sortie"
    out.mkdir()
    (out / "lettre.docx").write_bytes(b"ancien courrier")
    jobs = [LetterJob(template, sample_context(), out / "lettre.docx")] * 2
    written = generate(jobs)
    assert [path.name for path in written] == ["lettre-2.docx", "lettre-3.docx"]
    assert (out / "lettre.docx").read_bytes() == b"ancien courrier"


def test_variable_inconnue_rien_n_est_ecrit(tmp_path):
    """A template naming an unknown variable stops the batch before any file exists."""
    good = make_template(tmp_path / "bon.docx", "{{ client.nom }}")
    bad = make_template(tmp_path / "mauvais.docx", "{{ client.nom }}", footer="{{ signataire }}")
    out = tmp_path / "sortie"
    context = sample_context()
    jobs = [LetterJob(good, context, out / "a.docx"), LetterJob(bad, context, out / "b.docx")]
    expected = "« mauvais.docx » utilise la variable inconnue « signataire »"
    with pytest.raises(TemplateError, match=re.escape(expected)):
        generate(jobs)
    assert not out.exists()


def test_acces_interdit_rien_n_est_ecrit(tmp_path):
    """{{ x.__class__ }} in a template: refused before anything is written."""
    bad = make_template(tmp_path / "piege.docx", "{{ client.__class__ }}")
    with pytest.raises(TemplateError, match=re.escape("« client.__class__ »")):
        generate([LetterJob(bad, sample_context(), tmp_path / "sortie" / "a.docx")])
    assert not (tmp_path / "sortie").exists()


def test_erreur_en_cours_de_lot_ne_laisse_aucun_fichier(tmp_path):
    """An error met only by the 3rd letter: none of the batch is left, nor the staging folder."""
    template = make_template(
        tmp_path / "m.docx", "{% if client.particulier %}{{ client.prenom }}{% endif %}ok"
    )
    from relance_xl.model import ClientType

    contexts = [sample_context(), sample_context(), sample_context(ClientType.PARTICULIER)]
    out = tmp_path / "sortie"
    jobs = [LetterJob(template, c, out / f"l{i}.docx") for i, c in enumerate(contexts)]
    with pytest.raises(
        TemplateError, match=re.escape("« m.docx » utilise l'attribut inconnu « prenom »")
    ):
        generate(jobs)
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("envoi", ["fork", "spawn"], ids=["lot hérité", "contextes envoyés"])
def test_gros_lot_avec_deux_processus(tmp_path, monkeypatch, envoi):
    """Beyond the threshold, two worker processes write the letters, same result, whether they
    inherit the batch (fork) or receive each letter's context (spawn: Windows, macOS)."""
    monkeypatch.setattr(bulk, "POOL_THRESHOLD", 4)
    monkeypatch.setattr(bulk, "SPAWN_POOL_THRESHOLD", 4)
    monkeypatch.setattr(bulk, "CHUNK", 2)
    monkeypatch.setattr(bulk.multiprocessing, "get_start_method", lambda: envoi)
    template = make_template(
        tmp_path / "m.docx", "Courrier {{ numeros }}", header="{{ client.nom }}"
    )
    context = sample_context()
    jobs = [LetterJob(template, context, tmp_path / "sortie" / f"l{i}.docx") for i in range(6)]
    seen = []
    written = generate(jobs, progress=lambda done, total: seen.append(done), workers=2)
    assert len(written) == 6 and seen[-1] == 6
    reference = fast_render(template, context)
    for path in written:
        assert assert_same_parts(zipfile.ZipFile(path), reference)
    assert bulk._INHERITED == []
