"""Jinja filters shared by every package: dates the GOV.UK way, money from whole pence."""

from __future__ import annotations

import datetime as dt


def govuk_date(value) -> str:
    """27 March 2026 (GOV.UK style: no leading zero, full month)."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return f"{value.day} {value:%B %Y}"


def govuk_datetime(value) -> str:
    if value is None:
        return ""
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{govuk_date(value)} at {hour}:{value:%M}{suffix}"


def pounds(pence) -> str:
    """Whole pence to '£1,234.56'. Integer arithmetic only: no float touches money."""
    if pence is None:
        return ""
    pence = int(pence)
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}£{whole:,}.{part:02d}"


def audit_value(value) -> str:
    """An audit row's old or new value as a person reads it: lists as words, nothing as
    ‘(none)’, never a Python repr."""
    if value is None or value == "" or value == []:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(audit_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {audit_value(v)}" for k, v in value.items())
    return str(value)


def register_filters(app) -> None:
    app.add_template_filter(audit_value, "audit_value")
    app.add_template_filter(govuk_date, "govuk_date")
    app.add_template_filter(govuk_datetime, "govuk_datetime")
    app.add_template_filter(pounds, "pounds")
    from .forms import error_summary

    app.add_template_global(error_summary, "error_summary")
