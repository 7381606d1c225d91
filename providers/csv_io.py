"""CSV import and export of providers and services (the commissioner's framework spreadsheet).

The export's columns are the import's: a file exported, edited and imported again updates the
same records (matched by ``id``; a blank ``id`` adds a new record). An import checks every row
and saves either the whole file or, when any row has a problem, none of it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from sqlalchemy import func, select

from core.extensions import db
from core.parsing import MAX_ID, whole_number
from core.reference import SHORT_BREAK_TYPES, locality_labels

from .checks import has_control_characters, message_name
from .models import (
    CAPACITY_UNITS,
    PROVIDER_KINDS,
    PROVIDER_STATUSES,
    RATE_UNITS,
    REGISTRATION_BODIES,
    REGISTRATION_RATINGS,
    RUNS,
    SE7_FIELDS,
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
REQUIRED = {"providers": {"name", "kind"}, "services": {"provider", "name"}}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
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
    raise ProviderError(f"{column} '{value}' is not one of: {known}")


def _codes(raw: str, allowed: dict, column: str) -> list[str]:
    return [_code(part, allowed, column) for part in _text(raw).split(";") if part.strip()]


def _yes_no(raw: str, column: str) -> bool:
    value = _text(raw).lower()
    if value in ("yes", "y", "true", "1"):
        return True
    if value in ("no", "n", "false", "0", ""):
        return False
    raise ProviderError(f"{column} must be yes or no, not '{value}'")


def _date(raw: str, column: str) -> dt.date | None:
    value = _text(raw)
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ProviderError(f"{column} must be a date like 2027-03-31 or 31/03/2027, not '{value}'")


def _int(raw: str, column: str, blank_ok: bool = False) -> int | None:
    value = _text(raw)
    if not value and blank_ok:
        return None
    number = whole_number(value, 0, MAX_ID)
    if number is None:
        shown = value if len(value) <= 20 else value[:20] + "..."
        raise ProviderError(f"{column} must be a whole number, not '{shown}'")
    return number


def _provider_data(row: dict) -> dict:
    return {
        "name": _text(row.get("name")),
        "kind": _code(row.get("kind"), PROVIDER_KINDS, "kind"),
        "status": _code(row.get("status") or "on_framework", PROVIDER_STATUSES, "status"),
        "description": _text(row.get("description")),
        "registration_body": _code(
            row.get("registration_body"), REGISTRATION_BODIES, "registration_body", True
        ),
        "registration_number": _text(row.get("registration_number")),
        "registration_rating": _code(
            row.get("registration_rating"), REGISTRATION_RATINGS, "registration_rating", True
        ),
        "contact_name": _text(row.get("contact_name")),
        "email": _text(row.get("email")),
        "phone": _text(row.get("phone")),
        "website": _text(row.get("website")),
        "address_line_1": _text(row.get("address_line_1")),
        "address_line_2": _text(row.get("address_line_2")),
        "town": _text(row.get("town")),
        "postcode": _text(row.get("postcode")),
        "localities": _codes(row.get("localities"), locality_labels(), "localities"),
        "direct_payments": _yes_no(row.get("direct_payments"), "direct_payments"),
        "dbs_expires_on": _date(row.get("dbs_expires_on"), "dbs_expires_on"),
        "insurance_expires_on": _date(row.get("insurance_expires_on"), "insurance_expires_on"),
        "notes": _text(row.get("notes")),
    }


def _service_data(row: dict) -> dict:
    rate = _text(row.get("rate"))
    try:
        rate_pence = parse_pounds(rate) if rate else None
    except ValueError:
        raise ProviderError(f"rate must be in pounds and pence, like 12.50, not '{rate}'") from None
    data = {
        "name": _text(row.get("name")),
        "short_break_type": _code(
            row.get("short_break_type"), SHORT_BREAK_TYPES, "short_break_type"
        ),
        "tier": _code(row.get("tier"), SERVICE_TIERS, "tier"),
        "age_from": _int(row.get("age_from"), "age_from"),
        "age_to": _int(row.get("age_to"), "age_to"),
        "needs": _codes(row.get("needs"), NEEDS, "needs"),
        "localities": _codes(row.get("localities"), locality_labels(), "localities"),
        "runs": _codes(row.get("runs"), RUNS, "runs"),
        "capacity": _int(row.get("capacity"), "capacity", blank_ok=True),
        "capacity_unit": _code(
            row.get("capacity_unit") or "places_per_session", CAPACITY_UNITS, "capacity_unit"
        ),
        "rate_pence": rate_pence,
        "rate_unit": _code(row.get("rate_unit") or "session", RATE_UNITS, "rate_unit"),
        "published": _yes_no(row.get("published"), "published"),
    }
    for key in (
        "venue_name",
        "venue_address",
        "venue_town",
        "venue_postcode",
        "contact_name",
        "contact_email",
        "contact_phone",
        *SE7_FIELDS,
    ):
        data[key] = _text(row.get(key))
    return data


def _import_provider_row(row: dict, result: ImportResult) -> None:
    data = _provider_data(row)
    public_id = _text(row.get("id"))
    if public_id:
        provider = db.session.scalar(select(Provider).where(Provider.public_id == public_id))
        if provider is None:
            raise ProviderError(f"no provider has the id '{public_id}' (leave id blank to add one)")
        update_provider(provider, data)
        result.updated += 1
    else:
        create_provider(data)
        result.created += 1


def _import_service_row(row: dict, result: ImportResult) -> None:
    provider_name = _text(row.get("provider"))
    provider = db.session.scalar(
        select(Provider).where(func.lower(Provider.name) == provider_name.lower())
    )
    if provider is None:
        raise ProviderError(f"no provider is called '{provider_name}': import the provider first")
    data = _service_data(row)
    public_id = _text(row.get("id"))
    if public_id:
        service = db.session.scalar(
            select(ProviderService).where(ProviderService.public_id == public_id)
        )
        if service is None:
            raise ProviderError(f"no service has the id '{public_id}' (leave id blank to add one)")
        service.provider = provider
        update_service(service, data)
        result.updated += 1
    else:
        create_service(provider, data)
        result.created += 1


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
    missing = sorted(REQUIRED[what] - set(names))
    if missing:
        return None, f"The first line must name the columns; missing: {', '.join(missing)}"
    unknown = sorted(set(names) - set(PROVIDER_COLUMNS if what == "providers" else SERVICE_COLUMNS))
    if unknown:
        return None, f"Unknown columns: {', '.join(unknown)}"
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


def _line_error(exc: ProviderError) -> str:
    """A row's problem; names the column when the message does not already."""
    message = str(exc)
    column = "rate" if exc.field == "rate_pence" else exc.field
    if column and column not in message and column != "version":
        return f"{message} (column {column})"
    return message


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
        result.errors.append((1, "The file must be a CSV saved as UTF-8"))
        return result
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        columns, problem = _header(next(reader, []), what)
    except csv.Error:
        columns, problem = None, "The first line could not be read as CSV"
    if columns is None:
        result.errors.append((1, problem))
        return result
    handle = _import_provider_row if what == "providers" else _import_service_row
    savepoint = db.session.begin_nested()
    line = reader.line_num + 1
    count = 0
    while True:
        try:
            cells = next(reader, None)
        except csv.Error:
            result.errors.append((line, "This line could not be read as CSV"))
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
                        handle(row, result)
                except ProviderError as exc:
                    result.errors.append((line, _line_error(exc)))
        line = reader.line_num + 1
    if not count and not result.errors:
        result.errors.append((2, "The file has no rows to import"))
    if result.errors:
        savepoint.rollback()
        result.created = result.updated = 0
    else:
        savepoint.commit()
    return result
