"""CSV import and export of providers and services (the commissioner's framework spreadsheet).

The export's columns are the import's: a file exported, edited and imported again updates the
same records (matched by ``id``; a blank ``id`` adds a new record). An import checks every row
and saves either the whole file or, when any row has a problem, none of it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from sqlalchemy import select

from core.extensions import db
from core.parsing import MAX_ID, whole_number
from core.reference import SHORT_BREAK_TYPES, locality_labels

from .checks import Problems, has_control_characters, message_name, provider_named
from .models import (
    CAPACITY_UNITS,
    PROVIDER_KINDS,
    PROVIDER_STATUSES,
    RATE_UNITS,
    REGISTRATION_BODIES,
    REGISTRATION_RATINGS,
    RUNS,
    SERVICE_TIERS,
    Provider,
    ProviderService,
)
from .services import (
    NEEDS,
    PROVIDER_FIELDS,
    PROVIDER_LABELS,
    SERVICE_FIELDS,
    SERVICE_LABELS,
    ProviderError,
    check_provider,
    check_service,
    create_provider,
    create_service,
    parse_pounds,
    pence_to_pounds_text,
    update_provider,
    update_service,
)

MAX_ROWS = 5000
MAX_BYTES = 5_000_000
# The columns are the services' fields, in the same order, with the record's public id first;
# a service names its provider and gives its rate in pounds.
PROVIDER_COLUMNS = ["id", *PROVIDER_FIELDS]
SERVICE_COLUMNS = [
    "id",
    "provider",
    *("rate" if f == "rate_pence" else f for f in SERVICE_FIELDS),
]
# The columns a new record needs (a file without an id column adds every row). A row that
# changes a record (by its id) needs only the columns it changes: a column left out of the
# file leaves its field as it is.
REQUIRED = {
    "providers": ["name", "kind"],
    "services": [
        "provider",
        "name",
        "short_break_type",
        "tier",
        "age_from",
        "age_to",
        "needs",
        "localities",
    ],
}
BOM = "\ufeff"  # so that Excel reads the file as UTF-8 ("£", "é" and "’" intact)
SAVE_AS_UTF8 = (
    "The file must be saved as UTF-8. In Excel, choose Save As and then "
    "'CSV UTF-8 (comma delimited)'"
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0  # rows that changed their record
    unchanged: int = 0  # rows that matched a record and changed nothing
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- Export -------------------------------------------------------------------------------


def _cell(value) -> str:
    """A value for a spreadsheet cell; text that a spreadsheet would run as a formula gets a
    leading apostrophe (removed again on import)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _write(columns, rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def export_providers() -> str:
    providers = db.session.scalars(select(Provider).order_by(Provider.name))
    rows = (
        [p.public_id if c == "id" else getattr(p, c) for c in PROVIDER_COLUMNS] for p in providers
    )
    return _write(PROVIDER_COLUMNS, rows)


def export_file(what: str) -> bytes:
    """The download: the CSV in UTF-8 with a byte order mark, which Excel needs to read it as
    UTF-8 (the import accepts the mark)."""
    content = export_providers() if what == "providers" else export_services()
    return (BOM + content).encode("utf-8")


def export_services() -> str:
    services = db.session.scalars(
        select(ProviderService)
        .join(Provider, ProviderService.provider_id == Provider.id)
        .order_by(Provider.name, ProviderService.name)
    )

    def row(s):
        for c in SERVICE_COLUMNS:
            if c == "id":
                yield s.public_id
            elif c == "provider":
                yield s.provider.name
            elif c == "rate":
                yield pence_to_pounds_text(s.rate_pence)
            else:
                yield getattr(s, c)

    return _write(SERVICE_COLUMNS, (list(row(s)) for s in services))


# --- Import -------------------------------------------------------------------------------


def _text(raw: str) -> str:
    raw = (raw or "").strip()
    if raw.startswith("'") and raw[1:2] in FORMULA_START:
        raw = raw[1:]
    return raw


def _code(raw: str, allowed: dict, column: str, blank_ok: bool = False) -> str:
    value = _text(raw)
    if not value and blank_ok:
        return ""
    lookup = {k.lower(): k for k in allowed} | {v.lower(): k for k, v in allowed.items()}
    if value.lower() in lookup:
        return lookup[value.lower()]
    known = ", ".join(k for k in allowed if k)
    raise ProviderError(f"{column} '{value}' is not one of: {known}", column)


def _codes(raw: str, allowed: dict, column: str) -> list[str]:
    return [_code(part, allowed, column) for part in _text(raw).split(";") if part.strip()]


def _yes_no(raw: str, column: str) -> bool:
    value = _text(raw).lower()
    if value in ("yes", "y", "true", "1"):
        return True
    if value in ("no", "n", "false", "0", ""):
        return False
    raise ProviderError(f"{column} must be yes or no, not '{value}'", column)


def _date(raw: str, column: str) -> dt.date | None:
    value = _text(raw)
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ProviderError(
        f"{column} must be a date like 2027-03-31 or 31/03/2027, not '{value}'", column
    )


def _int(raw: str, column: str, blank_ok: bool = False) -> int | None:
    value = _text(raw)
    if not value and blank_ok:
        return None
    number = whole_number(value, 0, MAX_ID)
    if number is None:
        shown = value if len(value) <= 20 else value[:20] + "..."
        raise ProviderError(f"{column} must be a whole number, not '{shown}'", column)
    return number


def _rate(raw: str) -> int | None:
    rate = _text(raw)
    try:
        return parse_pounds(rate) if rate else None
    except ValueError:
        raise ProviderError(
            f"rate must be in pounds and pence, like 12.50, not '{rate}'", "rate_pence"
        ) from None


def _parsers(what: str) -> dict:
    """{column: (field, parse)}: how each column's cell becomes a field's value. Only the
    columns in a file are read, so a column left out leaves its field as it is."""
    if what == "providers":
        parsers = {c: (c, _text) for c in PROVIDER_FIELDS}
        codes = {
            "kind": (PROVIDER_KINDS, None),
            "status": (PROVIDER_STATUSES, "on_framework"),
            "registration_body": (REGISTRATION_BODIES, ""),
            "registration_rating": (REGISTRATION_RATINGS, ""),
        }
        lists = {"localities": locality_labels()}
        parsers["direct_payments"] = ("direct_payments", lambda v: _yes_no(v, "direct_payments"))
        for column in ("dbs_expires_on", "insurance_expires_on"):
            parsers[column] = (column, lambda v, c=column: _date(v, c))
    else:
        parsers = {c: (c, _text) for c in SERVICE_FIELDS if c != "rate_pence"}
        codes = {
            "short_break_type": (SHORT_BREAK_TYPES, None),
            "tier": (SERVICE_TIERS, None),
            "capacity_unit": (CAPACITY_UNITS, "places_per_session"),
            "rate_unit": (RATE_UNITS, "session"),
        }
        lists = {"needs": NEEDS, "localities": locality_labels(), "runs": RUNS}
        parsers["rate"] = ("rate_pence", _rate)
        parsers["published"] = ("published", lambda v: _yes_no(v, "published"))
        parsers["age_from"] = ("age_from", lambda v: _int(v, "age_from"))
        parsers["age_to"] = ("age_to", lambda v: _int(v, "age_to"))
        parsers["capacity"] = ("capacity", lambda v: _int(v, "capacity", blank_ok=True))
    for column, (allowed, default) in codes.items():
        if default == "":
            parsers[column] = (column, lambda v, c=column, a=allowed: _code(v, a, c, True))
        else:
            parsers[column] = (
                column,
                lambda v, c=column, a=allowed, d=default: _code(v or d or "", a, c),
            )
    for column, allowed in lists.items():
        parsers[column] = (column, lambda v, c=column, a=allowed: _codes(v, a, c))
    return parsers


def _read_row(parsers: dict, row: dict, columns: list[str], problems: Problems) -> dict:
    """The fields of the columns in the file; a cell that cannot be read is a problem."""
    data = {}
    for column in columns:
        if column in parsers:
            field, parse = parsers[column]
            try:
                data[field] = parse(row.get(column))
            except ProviderError as exc:
                problems.add(field, str(exc))
    return data


def _new_row_columns(what: str, columns: list[str]) -> None:
    missing = [c for c in REQUIRED[what] if c not in columns]
    if missing:
        record = "provider" if what == "providers" else "service"
        raise ProviderError(
            f"A new {record} needs the columns {', '.join(missing)}: add them to the file, "
            f"or give the id of the {record} to change"
        )


def _import_provider_row(row: dict, columns: list[str], parsers: dict, result) -> None:
    problems = Problems()
    data = _read_row(parsers, row, columns, problems)
    public_id = _text(row.get("id"))
    provider = None
    if public_id:
        provider = db.session.scalar(select(Provider).where(Provider.public_id == public_id))
        if provider is None:
            raise ProviderError(f"no provider has the id '{public_id}' (leave id blank to add one)")
        data = {f: getattr(provider, f) for f in PROVIDER_FIELDS} | data
    else:
        _new_row_columns("providers", columns)
    if problems:  # the rest of the row's problems too, then none of it is saved
        try:
            check_provider(data, provider)
        except ProviderError as exc:
            problems.extend(exc.problems)
        problems.raise_if_any()
    if provider is None:
        create_provider(data)
        result.created += 1
        return
    version = provider.version
    update_provider(provider, data)
    _count_update(result, provider.version != version)


def _import_service_row(row: dict, columns: list[str], parsers: dict, result) -> None:
    problems = Problems()
    data = _read_row(parsers, row, columns, problems)
    provider = None
    if "provider" in columns:
        provider_name = _text(row.get("provider"))
        provider = provider_named(provider_name)
        if provider is None:
            problems.add(
                "provider", f"no provider is called '{provider_name}': import the provider first"
            )
    public_id = _text(row.get("id"))
    service = None
    if public_id:
        service = db.session.scalar(
            select(ProviderService).where(ProviderService.public_id == public_id)
        )
        if service is None:
            raise ProviderError(f"no service has the id '{public_id}' (leave id blank to add one)")
        data = {f: getattr(service, f) for f in SERVICE_FIELDS} | data
    else:
        _new_row_columns("services", columns)
    if problems:
        try:
            check_service(data, service)
        except ProviderError as exc:
            problems.extend(exc.problems)
        problems.raise_if_any()
    if service is None:
        create_service(provider, data)
        result.created += 1
        return
    version = service.version
    if provider is not None:
        service.provider = provider
    update_service(service, data)
    _count_update(result, service.version != version)


def _count_update(result: ImportResult, changed: bool) -> None:
    if changed:
        result.updated += 1
    else:
        result.unchanged += 1


def is_empty(content: bytes) -> bool:
    """Nothing in the file but an optional byte order mark and white space."""
    return not content.removeprefix(b"\xef\xbb\xbf").strip()


def _header(cells: list[str], what: str) -> tuple[list[str] | None, str]:
    """The column names of the first line, or None and the reason they cannot be used.
    Empty cells at the end (a spreadsheet's unused columns) are ignored."""
    names = [c.strip() for c in cells]
    while names and not names[-1]:
        names.pop()
    for number, name in enumerate(names, start=1):
        if not name:
            return None, f"Column {number} has no name in the first line"
    for name in names:
        if names.count(name) > 1:
            return None, f"The column '{name}' appears more than once"
    unknown = sorted(set(names) - set(PROVIDER_COLUMNS if what == "providers" else SERVICE_COLUMNS))
    if unknown:
        return None, f"Unknown columns: {', '.join(unknown)}"
    # Without an id column every row adds a record, so each needs the required columns.
    missing = [c for c in REQUIRED[what] if c not in names] if "id" not in names else []
    if missing:
        return None, f"The first line must name the columns; missing: {', '.join(missing)}"
    return names, ""


def _control_characters(row: dict, what: str) -> str:
    """The first cell holding a control character (a NUL cannot even be looked up in
    PostgreSQL), as a reason; or ''."""
    labels = PROVIDER_LABELS if what == "providers" else SERVICE_LABELS
    for column, value in row.items():
        if value and has_control_characters(value):
            name = message_name(labels, "rate_pence" if column == "rate" else column)
            return f"{name} must not include control characters"
    return ""


def _line_error(field: str | None, message: str) -> str:
    """One of a row's problems; names the column when the message does not already."""
    column = "rate" if field == "rate_pence" else field
    # As a word: "phone" is not named by "Enter a telephone number".
    named = column and re.search(rf"\b{re.escape(column)}\b", message)
    if column and not named and column != "version":
        return f"{message} (column {column})"
    return message


def _unreadable(exc: csv.Error) -> str:
    """Why a line could not be read as CSV, in words a spreadsheet user can act on."""
    text = str(exc)
    if "unexpected end of data" in text:
        return "A quoted cell is not closed"
    if "field larger than field limit" in text:
        return (
            f"A cell on this line is too long to read (more than {csv.field_size_limit():,} "
            "characters)"
        )
    if "expected after" in text:
        return (
            'A cell has a quote (") in the wrong place: put the whole cell in quotes and '
            'write each quote inside it twice ("")'
        )
    return "This line could not be read as CSV"


def import_csv(what: str, content: bytes) -> ImportResult:
    """Import a providers or services CSV: all of it, or (when any row has a problem) none of
    it, with each problem as (line number, reason). Flushes; the caller's request commits."""
    result = ImportResult()
    if is_empty(content):
        result.errors.append((1, "The selected file is empty"))
        return result
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append((1, SAVE_AS_UTF8))
        return result
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        columns, problem = _header(next(reader, []), what)
    except csv.Error as exc:
        columns, problem = None, _unreadable(exc)
    if columns is None:
        result.errors.append((1, problem))
        return result
    handle = _import_provider_row if what == "providers" else _import_service_row
    parsers = _parsers(what)
    savepoint = db.session.begin_nested()
    line = reader.line_num + 1
    count = 0
    while True:
        try:
            cells = next(reader, None)
        except csv.Error as exc:
            result.errors.append((line, _unreadable(exc)))
            break
        if cells is None:
            break
        extra = cells[len(columns) :]
        row = dict(zip(columns, cells, strict=False))
        if any(_text(v) for v in row.values()) or any(c.strip() for c in extra):
            count += 1
            if count > MAX_ROWS:
                result.errors.append((line, f"A file can hold at most {MAX_ROWS} rows"))
                break
            control = _control_characters(row, what)
            if any(c.strip() for c in extra):
                result.errors.append((line, "The row has more cells than there are columns"))
            elif control:
                result.errors.append((line, control))
            else:
                try:
                    with db.session.begin_nested():
                        handle(row, columns, parsers, result)
                except ProviderError as exc:
                    result.errors.extend((line, _line_error(f, m)) for f, m in exc.problems)
        line = reader.line_num + 1
    if not count and not result.errors:
        result.errors.append((2, "The file has no rows to import"))
    if result.errors:
        savepoint.rollback()
        result.created = result.updated = result.unchanged = 0
    else:
        savepoint.commit()
    return result
