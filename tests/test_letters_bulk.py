"""The fast path: same output as docxtpl, all-or-nothing batches, never an existing file replaced."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from docxtpl import DocxTemplate, RichText
from test_letters_context import NAME, sample_context

from relance_xl.errors import TemplateError
from relance_xl.letters import bulk
from relance_xl.letters.bulk import LetterJob, PreparedTemplate, generate
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


def fast_render(path: Path, context: dict) -> zipfile.ZipFile:
    """The fast path: the first letter of a template is checked against docxtpl's way of
    building document.xml, the next ones take the shortcut; both must give the same bytes."""
    template = PreparedTemplate(path, list(context))
    first, second = template.render(context), template.render(context)
    assert first == second
    return zipfile.ZipFile(io.BytesIO(second))


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
    assert_same_parts(fast_render(path, context), docxtpl_render(path, context))


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
    with pytest.raises(
        TemplateError, match="« mauvais.docx » utilise la variable inconnue « signataire »"
    ):
        generate(jobs)
    assert not out.exists()


def test_acces_interdit_rien_n_est_ecrit(tmp_path):
    """{{ x.__class__ }} in a template: refused before anything is written."""
    bad = make_template(tmp_path / "piege.docx", "{{ client.__class__ }}")
    with pytest.raises(TemplateError, match="« client.__class__ »"):
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
    with pytest.raises(TemplateError, match="« m.docx » utilise l'attribut inconnu « prenom »"):
        generate(jobs)
    assert list(out.iterdir()) == []


def test_gros_lot_avec_deux_processus(tmp_path, monkeypatch):
    """Beyond the threshold, two worker processes write the letters, same result."""
    monkeypatch.setattr(bulk, "POOL_THRESHOLD", 4)
    monkeypatch.setattr(bulk, "CHUNK", 2)
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
