"""Turning a statement into HTML and an accessible (tagged, PDF/UA-1) PDF."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import render_template

CSS_PATH = Path(__file__).parent / "templates" / "reports" / "statement.css"
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}


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
    """(PDF bytes, number of pages). Laying out and writing are reported separately."""
    from weasyprint import HTML

    step = progress or (lambda text: None)
    step("Laying out the pages")
    document = HTML(string=html).render(**PDF_OPTIONS)
    pages = len(document.pages)
    step(f"Writing the PDF ({pages} pages)")
    return document.write_pdf(**PDF_OPTIONS), pages
