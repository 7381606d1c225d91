"""Turning a statement into HTML and an accessible (tagged, PDF/UA-1) PDF."""

from __future__ import annotations

import base64
import hashlib
import time
from functools import lru_cache
from pathlib import Path

from flask import render_template

from . import pdftags

CSS_PATH = Path(__file__).parent / "templates" / "reports" / "statement.css"
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}
# Progress while the pages are written is reported at most this often (each report is a commit).
PROGRESS_EVERY_SECONDS = 0.5


@lru_cache(maxsize=1)
def statement_css() -> str:
    return CSS_PATH.read_text()


def style_hash() -> str:
    """The CSP source for the statement's one inline style element."""
    digest = hashlib.sha256(statement_css().encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def statement_csp() -> str:
    """Content-Security-Policy for serving the self-contained statement page: no scripts at
    all, its own stylesheet only, charts as data: images."""
    return (
        f"default-src 'none'; style-src {style_hash()}; img-src data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def statement_html(context: dict) -> str:
    return render_template("reports/statement.html", css=statement_css(), **context)


def pdf_from_html(html: str, progress=None) -> tuple[bytes, int]:
    """(PDF bytes, number of pages). Laying out, then writing the pages one by one ("page k of
    N"), then finishing the tags (reports.pdftags) are reported as they happen."""
    from weasyprint import HTML

    step = progress or (lambda text: None)
    step("Laying out the pages")
    document = HTML(string=html).render(**PDF_OPTIONS)
    pages = len(document.pages)
    step(f"Writing the PDF: {pages} page{'s' if pages != 1 else ''}")
    if progress is not None:
        _report_each_page(document, step)

    def finisher(doc, pdf):
        step("Writing the PDF: tagging its tables for assistive technology")
        pdftags.finish(doc, pdf)

    return document.write_pdf(finisher=finisher, **PDF_OPTIONS), pages


def _report_each_page(document, step) -> None:
    """Report "page k of N" as WeasyPrint paints each page into the PDF (throttled)."""
    total = len(document.pages)
    last = [0.0]

    for number, page in enumerate(document.pages, start=1):

        def paint(*args, _paint=page.paint, _number=number, **kwargs):
            now = time.monotonic()
            if now - last[0] >= PROGRESS_EVERY_SECONDS:
                last[0] = now
                step(f"Writing the PDF: page {_number} of {total}")
            return _paint(*args, **kwargs)

        page.paint = paint
