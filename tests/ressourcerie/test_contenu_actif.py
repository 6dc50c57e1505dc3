"""A PDF of the ressourcerie is opened by every conseiller: one that carries JavaScript, a launch action, a
dynamic (XFA) form or embedded files, or that is also an HTML page, is refused with a French message and
nothing is stored. The PDFs are built here with pypdf."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from ressourcerie import services
from ressourcerie.enums import Categorie
from ressourcerie.models import Document
from ressourcerie.validators import pdf_check
from tests.ressourcerie.factories import pdf_bytes, stored, upload


def _action(kind: str, **entries) -> DictionaryObject:
    action = DictionaryObject({NameObject("/S"): NameObject(kind)})
    action.update({NameObject(f"/{key}"): value for key, value in entries.items()})
    return action


def _javascript(code: str = "app.alert('Bonjour');") -> DictionaryObject:
    return _action("/JavaScript", JS=TextStringObject(code))


def _launch() -> DictionaryObject:
    return _action("/Launch", F=TextStringObject("C:\\Windows\\System32\\calc.exe"))


def _pdf(build) -> bytes:
    """A PDF of one blank page that `build(writer, page)` changed."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    build(writer, page)
    stream = io.BytesIO()
    writer.write(stream)
    return stream.getvalue()


def _open_action(action):
    return lambda writer, page: writer._root_object.__setitem__(NameObject("/OpenAction"), action)


def _page_additional_action(writer, page):
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): writer._add_object(_javascript())})


def _link_annotation(writer, page):
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (10, 10, 100, 100)]),
            NameObject("/A"): _launch(),
        }
    )
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(link)])


def _document_javascript(writer, page):
    scripts = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("accueil"), writer._add_object(_javascript())])}
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): scripts})


def _chained_action(writer, page):
    # A harmless first action whose next one runs JavaScript.
    first = _action("/GoTo", D=ArrayObject([page.indirect_reference, NameObject("/Fit")]), Next=_javascript())
    writer._root_object[NameObject("/OpenAction")] = first


def _attachment(writer, page):
    writer.add_attachment("notes.txt", b"Un fichier joint.")


def _xfa_form(writer, page):
    xfa = DecodedStreamObject()
    xfa.set_data(b"<xdp:xdp><template><script>app.alert(1)</script></template></xdp:xdp>")
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): writer._add_object(xfa)}
    )


ACTIVE = {
    "JavaScript à l'ouverture (/OpenAction)": _pdf(_open_action(_javascript())),
    "programme lancé à l'ouverture": _pdf(_open_action(_launch())),
    "JavaScript à l'affichage d'une page (/AA)": _pdf(_page_additional_action),
    "lien qui lance un programme": _pdf(_link_annotation),
    "JavaScript du document (/Names)": _pdf(_document_javascript),
    "JavaScript après une action inoffensive (/Next)": _pdf(_chained_action),
    "formulaire XFA": _pdf(_xfa_form),
}


def refused(content: bytes) -> str:
    with pytest.raises(ValidationError) as error:
        pdf_check(upload(content))
    return " ".join(error.value.messages)


@pytest.mark.parametrize("content", ACTIVE.values(), ids=ACTIVE.keys())
def test_a_pdf_with_scripts_or_launch_actions_is_refused(content):
    assert "contient du code exécutable" in refused(content)


def test_a_pdf_with_embedded_files_is_refused():
    assert "contient des fichiers joints" in refused(_pdf(_attachment))


def test_an_obfuscated_action_name_is_still_seen():
    # "/J#61vaScript" is "/JavaScript" written with an escaped letter, as hostile PDFs do.
    content = _pdf(_open_action(_javascript())).replace(b"/S /JavaScript", b"/S /J#61vaScript")

    assert b"/JavaScript" not in content
    assert "contient du code exécutable" in refused(content)


def _html_content(writer, page):
    content = DecodedStreamObject()
    content.set_data(b"%<HTML><SCRIPT>alert(document.cookie)</SCRIPT></HTML>\n")
    page[NameObject("/Contents")] = writer._add_object(content)


POLYGLOTS = {
    # The classic polyglot: the PDF header, then an HTML page in a comment; PDF readers skip the comment.
    "page HTML en commentaire": pdf_bytes().replace(
        b"\n", b"\n%<html><body><script>alert(document.domain)</script></body></html>\n", 1
    ),
    # A valid PDF whose page draws nothing but holds, in a comment of its content, an HTML page.
    "page HTML dans le contenu d'une page": _pdf(_html_content),
    # An HTML page after the end of the PDF, which PDF readers ignore.
    "page HTML après la fin du PDF": pdf_bytes() + b"<!DOCTYPE html><p>Bonjour</p>\n",
}


@pytest.mark.parametrize("content", POLYGLOTS.values(), ids=POLYGLOTS.keys())
def test_a_pdf_that_is_also_an_html_page_is_refused(content):
    assert "contient aussi du code HTML" in refused(content)


def test_links_to_web_pages_and_pages_of_the_document_are_accepted():
    def build(writer, page):
        writer.add_uri(0, "https://www.conseiller-numerique.gouv.fr", [10, 10, 100, 100])
        writer._root_object[NameObject("/OpenAction")] = ArrayObject(
            [page.indirect_reference, NameObject("/Fit")]
        )

    assert pdf_check(upload(_pdf(build))).nombre_pages == 1


@pytest.mark.parametrize(
    "content", [ACTIVE["JavaScript à l'ouverture (/OpenAction)"], POLYGLOTS["page HTML en commentaire"]]
)
def test_the_service_refuses_and_stores_nothing(db, content):
    before = stored()

    with pytest.raises(ValidationError) as error:
        services.document_create(
            titre="Guide", categorie=Categorie.COURRIEL, fichier=ContentFile(content, name="guide.pdf")
        )

    assert "Ce PDF contient" in " ".join(error.value.message_dict["fichier"])
    assert not Document.objects.exists()
    assert stored() == before
