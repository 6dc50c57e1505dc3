"""PDF made on the server by WeasyPrint, with the State's Marianne font (shipped with django-dsfr: local
files, nothing fetched from the network; DejaVu, a Debian package, stands in). Used by the statistics PDF
and the demo documents of the ressourcerie."""

from django.contrib.staticfiles import finders

MARIANNE = ((400, "Marianne-Regular.woff2"), (700, "Marianne-Bold.woff2"))


def _marianne_css() -> str:
    rules = []
    for weight, name in MARIANNE:
        path = finders.find(f"dsfr/dist/fonts/{name}")
        if path:
            rules.append(
                f'@font-face {{ font-family: Marianne; font-weight: {weight}; src: url("file://{path}"); }}'
            )
    return "\n".join(rules)


class PdfMaker:
    """One WeasyPrint set-up (fonts and stylesheet parsed once) for any number of documents.

    `css`: the stylesheet's text; `css_file`: or its path (static/css/pdf.css), also the base of the
    relative URLs.
    """

    def __init__(self, *, css: str = "", css_file: str | None = None):
        from weasyprint import CSS  # heavy import, only in the processes that make PDFs
        from weasyprint.text.fonts import FontConfiguration

        self.fonts = FontConfiguration()  # the @font-face rules only apply through it
        self.base_url = css_file
        self.stylesheets = [CSS(string=_marianne_css() + css, font_config=self.fonts)]
        if css_file:
            self.stylesheets.append(CSS(filename=css_file, font_config=self.fonts))

    def document(self, html: str):
        """The laid-out pages (a weasyprint Document): what the tests measure before writing the PDF."""
        from weasyprint import HTML

        return HTML(string=html, base_url=self.base_url).render(
            stylesheets=self.stylesheets, font_config=self.fonts
        )

    def pdf(self, html: str) -> bytes:
        return self.document(html).write_pdf()
