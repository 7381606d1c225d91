"""The statement's content, read back from the PDF and checked against the records."""

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from core.extensions import db
from core.reference import age_band, age_on
from reports import narrative, runner, statement
from tests.reports.conftest import Records

YEAR = 2025  # 1 April 2025 to 31 March 2026; last year is 2024 to 2025
START, END = dt.date(2025, 4, 1), dt.date(2026, 3, 31)


def _pdf(app, year=YEAR):
    with app.test_request_context():
        outputs, pages, _ = runner.build_statement(year)
    reader = PdfReader(io.BytesIO(outputs["pdf"]))
    text = "\n".join(p.extract_text(extraction_mode="layout") for p in reader.pages)
    return reader, text, outputs["html"].decode(), pages


def _find_caption(text, caption):
    words = (re.escape(w) for w in caption.split())
    m = re.search(r"\s+(?:\S[^\n]*\n\s*)?".join(words), text)
    assert m, f"no caption {caption!r}"
    return m.start()


def _row(text, caption, label):
    """The two figures (last year, this year) of a row in the table with this caption.

    The chart beside the table may share the row's line, after a wider gap: it is ignored, and
    so is the chart's legend where the caption wraps onto a second line."""
    after = text[_find_caption(text, caption) :]
    m = re.search(
        rf"^\s*{re.escape(label)}\s+(\S+(?: \S+)*)\s{{2,}}(\S+(?: \S+)*)(?:\s{{2,}}.*)?$",
        after,
        re.M,
    )
    assert m, f"no row {label!r} after {caption!r}"
    return m.group(1), m.group(2)


@pytest.fixture
def county(app, records: Records):
    """Children spread over ages, localities and both years, and a few services."""
    with app.app_context():
        for i in range(14):  # on the register both years, aged 7 on 31 March 2026
            c = records.child(
                dt.date(2018, 6, 1 + i),
                "north",
                since=dt.date(2024, 5, 1),
                disabilities=("LD", "COMM") if i < 9 else ("AUT",),
            )
            if i < 7:
                records.registration(c, dt.date(2024, 9, 1))
        for i in range(9):  # known from June 2025: this year only, aged 12
            c = records.child(
                dt.date(2013, 9, 2 + i), "east", since=dt.date(2025, 6, 1), disabilities=("MOB",)
            )
            records.decision(c, "specialist", dt.date(2025, 7, 1))
        for i in range(3):  # a small group in Southmere, aged 7
            records.child(
                dt.date(2018, 10, 1 + i), "south", since=dt.date(2024, 4, 10), disabilities=("VIS",)
            )
        records.child(dt.date(2015, 1, 1), "north", register=False, since=dt.date(2024, 5, 1))
        records.child(
            dt.date(2016, 1, 1), "west", since=dt.date(2023, 5, 1), closed_on=dt.date(2025, 1, 10)
        )  # closed before this year began
        # Specialist last year, then not eligible from May 2025: last year only.
        c = records.child(dt.date(2012, 2, 2), "west", since=dt.date(2023, 1, 1), register=False)
        records.decision(c, "specialist", dt.date(2023, 2, 1))
        records.decision(c, "not_eligible", dt.date(2025, 5, 1))
        records.criterion("targeted", "The child lives in the county and is aged 0 to 25")
        records.criterion("specialist", "The child has complex needs")
        records.criterion("specialist", "A withdrawn criterion", active=False)
        records.service(
            "Northbrook Saturday Club",
            "evening_weekend_holiday",
            localities=("north", "east"),
            ages=(8, 17),
        )
        records.service(
            "Eastfield Overnight Stays",
            "overnight_elsewhere",
            tier="specialist",
            localities=("east",),
            ages=(5, 18),
        )
        records.service("Hidden Draft Service", published=False)
        db.session.commit()


def _expected_register(app, year):
    """Counted here in Python from the rows, independently of the statement's SQL."""
    from casework.models import Child, Referral

    start, end = dt.date(year, 4, 1), dt.date(year + 1, 3, 31)
    out = {"total": 0, "age": {}, "locality": {}}
    with app.app_context():
        for child in db.session.scalars(db.select(Child)):
            first = min(
                r.received_on
                for r in db.session.scalars(
                    db.select(Referral).where(Referral.child_id == child.id)
                )
            )
            if not child.disability_register or first > end:
                continue
            if child.closed_on and child.closed_on < start:
                continue
            out["total"] += 1
            band = age_band(age_on(child.date_of_birth, end))
            out["age"][band] = out["age"].get(band, 0) + 1
            out["locality"][child.locality] = out["locality"].get(child.locality, 0) + 1
    return out


def test_the_pdf_is_tagged_with_language_and_title(app, county):
    reader, _text, _html, pages = _pdf(app)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"
    assert reader.metadata.title.startswith("Short Breaks Services Statement 2025 to 2026")
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert pages == len(reader.pages) > 5


def _structure(reader):
    """(tag, alt) of every element of the PDF's structure tree, in reading order."""
    out = []

    def walk(node):
        node = node.get_object()
        if not hasattr(node, "get"):
            return
        if node.get("/S"):
            out.append((str(node["/S"]), node.get("/Alt")))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            if hasattr(kid, "get_object"):
                walk(kid)
            elif hasattr(kid, "get"):
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return out


def test_headings_tables_and_charts_are_tagged_for_assistive_technology(app, county):
    reader, _text, html, _ = _pdf(app)
    tags = _structure(reader)
    names = [t for t, _ in tags]
    headings = [int(t[2]) for t in names if re.fullmatch(r"/H\d", t)]
    assert headings[0] == 1 and headings.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(headings, headings[1:], strict=False)), headings
    # One /Table per HTML table, each with its caption.
    assert names.count("/Table") == html.count("<table") and "/TH" in names
    assert names.count("/TFoot") == 0
    figures = [alt for t, alt in tags if t == "/Figure"]
    assert len(figures) == html.count("<img") == 9  # 3 populations x 3 breakdowns
    assert all(alt and str(alt).startswith("Bar chart: ") for alt in figures)
    assert any("Northbrook: 2024 to 2025 14, 2025 to 2026 14" in str(alt) for alt in figures)


def test_figures_in_the_pdf_match_the_records(app, county):
    _reader, text, _html, _ = _pdf(app)
    this_year, last_year = _expected_register(app, YEAR), _expected_register(app, YEAR - 1)
    assert this_year["total"] == 26 and last_year["total"] == 18  # the fixture, as designed
    caption = "On the disability register, by age band"
    assert _row(text, caption, "5 to 10") == (
        str(last_year["age"]["5-10"]),
        str(this_year["age"]["5-10"]),
    )
    assert _row(text, caption, "11 to 15") == (
        str(last_year["age"].get("11-15", 0)),
        str(this_year["age"]["11-15"]),
    )
    assert _row(text, caption, "Total") == (str(last_year["total"]), str(this_year["total"]))
    loc_caption = "On the disability register, by locality"
    assert _row(text, loc_caption, "Northbrook") == ("14", "14")
    assert _row(text, loc_caption, "Total") == ("18", "26")
    # Targeted: 7 children registered since September 2024, both years.
    assert _row(text, "Receiving targeted short breaks, by locality", "Total") == ("7", "7")
    # Specialist: one child last year (fewer than 6), still specialist in April 2025, and 9
    # new this year.
    spec = "Assessed as eligible for specialist short breaks, by age band"
    assert _row(text, spec, "Total") == ("fewer than 6", "10")


def test_small_numbers_never_appear_in_the_statement(app, county):
    _reader, text, _html, _ = _pdf(app)
    caption = "On the disability register, by locality"
    # Three children in Southmere. This year they are the only small number, so Eastfield's
    # 9 is hidden too (or 3 = 26 - 14 - 9), and every hidden number of that year's column
    # reads "not shown". Last year 3 and 1 (sum 4) cannot be told apart: "fewer than 6".
    assert _row(text, caption, "Southmere") == ("fewer than 6", "not shown")
    assert _row(text, caption, "Eastfield") == ("0", "not shown")
    assert _row(text, caption, "Westcombe") == ("fewer than 6", "0")
    assert _row(text, caption, "Total") == ("18", "26")
    assert _row(text, "On the disability register, by disability", "Vision") == (
        "fewer than 6",
        "fewer than 6",
    )


def test_the_range_criteria_and_gaps_come_from_the_registers(app, county):
    _reader, text, html, _ = _pdf(app)
    assert "Northbrook Saturday Club" in text and "Eastfield Overnight Stays" in text
    assert "Hidden Draft Service" not in text  # not published
    assert "The child has complex needs" in text and "A withdrawn criterion" not in text
    assert "Gaps by locality" in text
    # The register keeps no history: it is labelled as it is now, whatever the year.
    assert "there are 2 short-break services" in html
    assert "the register as it is now (" in html and "not as it was during 2025 to 2026" in html
    assert "in the register as it is now (" in text.replace("\n", " ")


def test_a_missing_source_is_said_plainly_and_no_figure_invented(app, county, monkeypatch):
    real = statement._module

    def without(name):
        return None if name.startswith(("providers", "casework")) else real(name)

    monkeypatch.setattr(statement, "_module", without)
    _reader, text, _html, _ = _pdf(app)
    assert "The providers register is not yet part of this system" in text
    assert "Children's records are not yet held in this system" in text
    assert "The eligibility criteria are not yet held in this system" in text
    assert "On the disability register, by age band" not in text


def test_approved_text_is_printed_and_a_part_approved_statement_is_a_draft(app, county, make_user):
    from core.roles import Role

    manager, approver = make_user(Role.COMMISSIONER), make_user(Role.COMMISSIONER)
    with app.app_context():
        for key in narrative.SECTIONS:
            narrative.save_version(YEAR, key, f"Approved words for {key}.", manager, 0)
            narrative.approve(YEAR, key, 1, approver)
        narrative.save_version(YEAR, "complaints", "Unapproved newer words.", manager, 1)
        db.session.commit()
    _reader, text, _html, _ = _pdf(app)
    assert "Approved words for introduction." in text
    assert "Approved words for complaints." in text and "Unapproved newer words" not in text
    assert "Draft" not in text
    assert f"approved by {approver.name}" in text
    with app.app_context():
        narrative.save_version(YEAR, "how_to_ask", "Rewritten.", manager, 1)
        db.session.commit()
    with app.app_context():
        narrative.approve(YEAR, "how_to_ask", 2, approver)
        db.session.commit()
    next_year_text = _pdf(app, YEAR + 1)[1]
    assert "Draft: not every section of this statement has been approved" in next_year_text
    assert "This section has not been written yet" in next_year_text


def test_age_bands_counted_in_sql_agree_with_the_shared_rule_on_awkward_birthdays(app, records):
    from sqlalchemy import select

    from casework.models import Child

    on = dt.date(2028, 2, 29)  # a leap day, to be awkward
    dobs = [
        dt.date(2012, 2, 29),  # 15 on 28 Feb 2027, 16 on 29 Feb 2028
        dt.date(2013, 2, 28),
        dt.date(2013, 3, 1),
        dt.date(2023, 2, 28),  # 5 on 28 Feb 2028
        dt.date(2023, 3, 1),  # still 4
        dt.date(2010, 2, 28),  # 18
        dt.date(2010, 3, 1),  # 17
        dt.date(2002, 3, 1),  # 25
        dt.date(2002, 2, 28),  # 26: over 25
    ]
    with app.app_context():
        ids = [records.child(d).id for d in dobs]
        expr = statement._band_expr(Child.date_of_birth, on)
        got = dict(db.session.execute(select(Child.id, expr).where(Child.id.in_(ids))).all())
        for child_id, dob in zip(ids, dobs, strict=True):
            expected = age_band(age_on(dob, on)) or statement.UNKNOWN
            assert got[child_id] == expected, (dob, got[child_id], expected)


def test_unknown_localities_count_as_not_recorded_and_every_locality_has_a_column(app, records):
    with app.app_context():
        for i in range(7):
            records.child(dt.date(2015, 5, 1 + i), "atlantis", since=dt.date(2024, 5, 1))
        for i in range(8):
            records.child(dt.date(2015, 6, 1 + i), "north", since=dt.date(2024, 5, 1))
        records.service("Only in Northbrook", localities=("north",))
        db.session.commit()
    with app.test_request_context():
        needs = statement.needs_figures(YEAR).data
        rng = statement.range_of_services().data
    register = needs["populations"][0]
    by_locality = next(t for t in register["tables"] if t["dim"] == "locality")
    rows = {r["label"]: [c.text for c in r["cells"]] for r in by_locality["rows"]}
    assert rows["Locality not recorded"] == ["7", "7"] and rows["Northbrook"] == ["8", "8"]
    assert [c.text for c in by_locality["totals"]] == ["15", "15"]
    assert [label for _, label in rng["localities"]][:2] == ["Northbrook", "Southmere"]
    assert len(rng["localities"]) == 6
    daytime = next(t for t in rng["by_type"] if t["code"] == "daytime_elsewhere")
    assert daytime["counts"]["north"] == 1 and daytime["counts"]["coast"] == 0


def test_gaps_ask_the_providers_register_for_published_services_only(app, monkeypatch):
    import providers.services

    calls = []

    def gaps(published_only=False):
        calls.append(published_only)
        return []

    monkeypatch.setattr(providers.services, "gaps", gaps)
    with app.app_context():
        assert statement.gaps().available
    assert calls == [True]

    def older_gaps():  # before providers.services.gaps() took published_only
        calls.append("older")
        return []

    monkeypatch.setattr(providers.services, "gaps", older_gaps)
    with app.app_context():
        assert statement.gaps().available
    assert calls == [True, "older"]


def _gaps_take_published_only() -> bool:
    import inspect

    import providers.services

    return "published_only" in inspect.signature(providers.services.gaps).parameters


@pytest.mark.skipif(
    not _gaps_take_published_only(),
    reason="providers.services.gaps() cannot yet leave out unpublished services",
)
def test_an_unpublished_service_does_not_fill_a_gap(app, records):
    with app.app_context():
        records.service("Draft only", "overnight_home", localities=("north",), published=False)
        db.session.commit()
    with app.test_request_context():
        gaps = statement.gaps().data["by_locality"]
    assert "Overnight care in the home" in gaps["north"]["types"]


def test_long_chart_labels_wrap_onto_two_lines_instead_of_being_cut(app):
    from reports import charts

    label = "Other disability (Disability Discrimination Act definition)"
    svg = charts.grouped_bars(
        [label, "Vision"], [charts.Series("2025 to 2026", [7, 9], ["7", "9"])]
    )
    assert "…" not in svg
    assert ">Other disability (Disability</tspan>" in svg
    assert ">Discrimination Act definition)</tspan>" in svg
    assert ">Vision</tspan>" in svg


def test_the_csv_gives_the_same_suppressed_figures_as_the_pdf(app, county):
    import csv

    from core.models import ReferenceValue

    with app.app_context():
        db.session.add(ReferenceValue(kind="locality", code="evil", label="=HYPERLINK(1)"))
        db.session.commit()
    with app.test_request_context():
        outputs, _pages, _ = runner.build_statement(YEAR)
    rows = list(csv.reader(io.StringIO(outputs["csv"].decode("utf-8-sig"))))
    # As the PDF prints them: last year, then this year, headed with their years.
    assert rows[0][:5] == ["Section", "Breakdown", "Category", "2024 to 2025", "2025 to 2026"]
    assert rows[0][5].startswith("The register as it is now (") and len(rows[0]) == 6
    figures = {(r[0], r[1], r[2]): (r[3], r[4]) for r in rows[1:]}
    register = ("On the disability register", "Locality")
    assert figures[(*register, "Northbrook")] == ("14", "14")
    assert figures[(*register, "Southmere")] == ("fewer than 6", "not shown")
    assert figures[(*register, "Eastfield")] == ("0", "not shown")
    assert figures[(*register, "Total")] == ("18", "26")
    disability = ("On the disability register", "Disability (CIN census category)", "Vision")
    assert figures[disability] == ("fewer than 6", "fewer than 6")
    specialist = ("Assessed as eligible for specialist short breaks", "Age band (age on 31 March)")
    assert figures[(*specialist, "Total")] == ("fewer than 6", "10")
    # The range is today's register: its counts are in the register's column only.
    saturday = [r for r in rows if r[0] == "The range of short breaks" and r[2] == "Eastfield"]
    assert [r[3:] for r in saturday if "evenings" in r[1].lower()] == [["", "", "1"]]
    # Nothing a spreadsheet would run as a formula.
    assert not [c for r in rows for c in r if c[:1] in ("=", "+", "-", "@")]
    assert figures[(*register, "'=HYPERLINK(1)")] == ("0", "0")


def test_a_year_partly_before_the_records_says_so_and_invents_no_zeros(app, records):
    """Records begin on 14 June 2024: the statement for 2024 to 2025 has no column for 2023 to
    2024 (it would only be zeros nobody counted) and says where the figures begin."""
    with app.app_context():
        for i in range(8):
            records.child(dt.date(2015, 3, 1 + i), "north", since=dt.date(2024, 6, 14 + i))
        db.session.commit()
    _reader, text, html, _ = _pdf(app, 2024)
    flat = " ".join(text.split())
    assert (
        "Records in this system begin on 14 June 2024, so there are no figures for 2023 to "
        "2024, and figures before 14 June 2024 are not shown." in flat
    )
    assert "2023 to 2024</th>" not in html and '<th scope="col" class="num">2024 to 2025' in html
    assert _row_one(text, "On the disability register, by locality", "Northbrook") == "8"
    # The next year has both years' figures, and says figures before 14 June are not shown.
    _reader, text, html, _ = _pdf(app, 2025)
    flat = " ".join(text.split())
    assert (
        "Records in this system begin on 14 June 2024: figures before then are not shown." in flat
    )
    assert _row(text, "On the disability register, by locality", "Northbrook") == ("8", "8")


def _row_one(text, caption, label):
    after = text[_find_caption(text, caption) :]
    m = re.search(rf"^\s*{re.escape(label)}\s+(\S+(?: \S+)*)(?:\s{{2,}}.*)?$", after, re.M)
    assert m, f"no row {label!r} after {caption!r}"
    return m.group(1)


def test_with_no_records_at_all_no_figures_are_given(app):
    _reader, text, _html, _ = _pdf(app, YEAR)
    assert "No records of children are held in this system yet" in " ".join(text.split())
    assert "On the disability register, by age band" not in text


def test_five_children_one_in_each_age_band_are_not_given_away(app, records):
    # The population's total is 5: it reads "fewer than 6", and no count of its column is
    # shown, not even the zeros, in any of its tables.
    with app.app_context():
        for dob in (
            dt.date(2023, 1, 1),
            dt.date(2018, 1, 1),
            dt.date(2013, 1, 1),
            dt.date(2009, 1, 1),
            dt.date(2004, 1, 1),
        ):
            records.child(dob, "north", since=dt.date(2025, 5, 1), disabilities=("LD",))
        db.session.commit()
    with app.test_request_context():
        needs = statement.needs_figures(YEAR).data
    register = needs["populations"][0]
    assert needs["years"] == [2025]  # records begin in 2025: no column for 2024
    for table in register["tables"]:
        assert [c.text for c in table["totals"]] == ["fewer than 6"], table["dim"]
        assert {c.text for r in table["rows"] for c in r["cells"]} == {"not shown"}, table["dim"]


def test_every_page_of_a_draft_says_it_is_not_for_publication(app, county, make_user):
    reader, _text, _html, _ = _pdf(app)  # no text approved: a draft
    pages = [p.extract_text() for p in reader.pages]
    assert all("Draft — not for publication" in p for p in pages), [
        i + 1 for i, p in enumerate(pages) if "Draft — not for publication" not in p
    ]
    from tests.reports.conftest import approve_all_text

    approve_all_text(app, YEAR, make_user)
    reader, text, _html, _ = _pdf(app)
    assert "not for publication" not in text
