"""The statement made from the demo data, read back: tables whole and tagged once each, header
cells scoped, the contents with page numbers, this year's figures labelled as figures so far,
and a web page that fits a phone."""

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from core.extensions import db
from reports import runner, services, statement

_MADE = {}


@pytest.fixture
def demo_statement(app):
    """The current year's statement from the demo data: what the QA tester looked at. Made
    once for this module (the data is rolled back after each test; the files are kept)."""
    from core.demo import load_all

    if not _MADE:
        with app.test_request_context():
            load_all(echo=lambda text: None)
            db.session.commit()
            year = services.latest_year()
            outputs, _pages, data_date = runner.build_statement(year)
        reader = PdfReader(io.BytesIO(outputs["pdf"]))
        _MADE.update(
            reader=reader,
            texts=[p.extract_text() for p in reader.pages],
            html=outputs["html"].decode(),
            year=year,
            data_date=data_date,
        )
    return _MADE


def _elements(reader):
    """Every structure element as (element, its parent's tag), in reading order."""
    out = []

    def walk(node, parent_tag):
        node = node.get_object()
        tag = node.get("/S")
        if tag:
            out.append((node, parent_tag))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            if hasattr(kid, "get_object") and hasattr(kid.get_object(), "get"):
                walk(kid, tag)

    walk(reader.trailer["/Root"]["/StructTreeRoot"], None)
    return out


def _kid_tags(element):
    kids = element.get("/K")
    kids = kids if isinstance(kids, list) else [kids]
    return [k.get_object().get("/S") for k in kids if hasattr(k, "get_object")]


def test_each_table_is_one_tagged_table_with_its_caption(demo_statement):
    reader, html = demo_statement["reader"], demo_statement["html"]
    tables = [e for e, _ in _elements(reader) if e["/S"] == "/Table"]
    # The demo's lists of services (6 tables) run over pages, header printed on each: still
    # one /Table each.
    assert sum("Targeted or" in t for t in demo_statement["texts"]) > 6
    assert len(tables) == html.count("<table") == 17
    for table in tables:
        assert _kid_tags(table) == ["/Caption", "/THead", "/TBody"]


def test_header_cells_are_scoped_columns_in_the_header_and_rows_in_the_body(demo_statement):
    elements = _elements(demo_statement["reader"])
    header_cells = 0
    for element, parent in elements:
        if element["/S"] != "/TR":
            continue
        for kid in element["/K"] if isinstance(element["/K"], list) else [element["/K"]]:
            cell = kid.get_object()
            if cell.get("/S") != "/TH":
                continue
            header_cells += 1
            attributes = cell["/A"].get_object()
            assert attributes["/O"] == "/Table"
            expected = "/Column" if parent == "/THead" else "/Row"
            assert attributes["/Scope"] == expected, (parent, dict(attributes))
    assert header_cells > 100


def test_header_rows_printed_again_on_a_new_page_are_artifacts(demo_statement):
    """A header row printed again at the top of a page is a pagination artifact (printed for
    the eye, not read again), and no marked content is left pointing at nothing."""
    reader = demo_statement["reader"]
    root = reader.trailer["/Root"]["/StructTreeRoot"]
    nums = root["/ParentTree"].get_object()["/Nums"]
    mapping = {int(nums[i]): nums[i + 1].get_object() for i in range(0, len(nums), 2)}
    artifacts = 0
    for index, page in enumerate(reader.pages):
        parents = mapping[page["/StructParents"]]
        content = ContentStream(page.get_contents(), reader)
        for operands, operator in content.operations:
            if operator != b"BDC":
                continue
            tag, properties = operands
            if tag == "/Artifact":  # WeasyPrint's own artifacts (borders, ...) use BMC
                assert properties["/Type"] == "/Pagination"
                artifacts += 1
                continue
            mcid = properties["/MCID"]
            assert parents[mcid] is not None and parents[mcid].get_object() is not None, (
                index,
                mcid,
            )
    assert artifacts > 0


def test_small_tables_are_kept_whole_with_the_total_printed_once(demo_statement):
    texts = demo_statement["texts"]
    captions = re.findall(r"<caption[^>]*>([^<]*, by [^<]*)</caption>", demo_statement["html"])
    assert len(captions) == 9
    # A caption may wrap in its column beside the chart: compare with the lines joined.
    flat = [" ".join(t.split()) + " " for t in texts]
    for caption in captions:
        (page,) = [i for i, t in enumerate(flat) if caption + " " in t]
        after = flat[page][flat[page].index(caption) :]
        assert " Total " in after, f"{caption!r} is not whole on page {page + 1}"
    totals = [line for t in texts for line in t.splitlines() if line.startswith("Total")]
    assert len(totals) == len(captions), totals


def test_the_contents_give_the_page_of_each_part(demo_statement):
    texts = demo_statement["texts"]
    contents = texts[0][texts[0].index("Contents") :]
    entries = re.findall(r"^(\S.*?)(?: \.)+ (\d+)$", contents, re.M)
    assert len(entries) == 9, contents
    for number, (title, page) in enumerate(entries, start=1):
        heading = f"{number}. {title}"[:40]
        found = [i + 1 for i, t in enumerate(texts) if i > 0 and heading in t]
        assert found and int(page) == found[0], (heading, page, found)


def test_this_years_figures_are_labelled_as_figures_so_far_with_the_data_date(demo_statement):
    day = demo_statement["data_date"].date()
    date = f"{day.day} {day:%B %Y}"
    text = "\n".join(demo_statement["texts"])
    label = services.year_label(demo_statement["year"])
    assert f"figures for {label} are those so far, to {date}" in text.replace("\n", " ")
    html = " ".join(demo_statement["html"].split())
    assert f'<th scope="col" class="num">{label} (so far)</th>' in html
    assert (
        f"{label} is not over yet: its figures, marked “so far”, are those recorded up to {date}"
        in html
    )


def test_specialist_figures_say_they_count_eligibility_not_breaks_received(demo_statement):
    text = " ".join(demo_statement["texts"]).replace("\n", " ")
    assert "Assessed as eligible for specialist short breaks, by age band" in text
    assert "Eligible for specialist short breaks (after" not in text
    assert "They are not a count of the children receiving specialist short breaks" in text
    assert "through support plans and direct payments will be given once those records" in text


def test_wide_tables_scroll_on_their_own_on_a_narrow_screen(demo_statement):
    html = demo_statement["html"]
    wrappers = re.findall(r'<div class="table-scroll[^"]*"([^>]*)>\s*<table', html)
    assert len(wrappers) == html.count("<table")
    for attributes in wrappers:
        assert 'tabindex="0"' in attributes and 'role="region"' in attributes
        (label,) = re.findall(r'aria-labelledby="([^"]+)"', attributes)
        assert f'<caption id="{label}">' in html
    assert ".table-scroll { overflow-x: auto;" in html


def test_a_year_that_has_not_started_has_no_statement(app):
    with app.test_request_context(), pytest.raises(services.ReportError, match="not started"):
        statement.build(services.financial_year_of(dt.date.today()) + 1)
