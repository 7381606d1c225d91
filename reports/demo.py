"""Demo data: the statement's narrative sections for last year and this year, approved."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.demo import register_loader
from core.extensions import db
from core.models import User

from . import narrative
from .services import financial_year_of

TEXT = {
    "introduction": (
        "Every family with a disabled child should be able to have a break from caring, and "
        "every disabled child and young person should be able to enjoy the same things as "
        "other children of their age: playing, making friends, trying new activities and "
        "becoming more independent.\n\n"
        "This statement tells you what short breaks there are in the county, who can have "
        "them and how to ask. It was written with parents and carers, with the Parent Carer "
        "Forum and with the young people's participation group.\n\n"
        "Our vision for {label} is that families find the right break close to home, without "
        "a long wait, and that the breaks on offer change as children grow up."
    ),
    "carers_views": (
        "We asked parents and carers what they think of short breaks through an online survey "
        "(312 replies), six drop-in sessions, one in each locality, and meetings with the "
        "Parent Carer Forum. Young people told us what they want from activities at two "
        "participation group meetings.\n\n"
        "You told us that there were too few breaks in the school holidays for teenagers, "
        "that Saltcoast families travel too far, and that the forms were hard to follow. As a "
        "result we have added holiday schemes for 11 to 17 year olds, asked providers for "
        "sessions in Saltcoast, and rewritten the request form in plain English with families."
    ),
    "how_to_ask": (
        "For a targeted short break you do not need an assessment: contact one of the "
        "providers listed in this statement, or the Local Offer website, and they will check "
        "the criteria with you.\n\n"
        "For a specialist short break, contact the Children with Disabilities Team on "
        "01234 567 890 or at short.breaks@example.gov.uk, or fill in the request form on the "
        "Local Offer website. A practitioner will talk to you within 10 working days and, if "
        "your child may be eligible, carry out a needs assessment with your family."
    ),
    "complaints": (
        "If you disagree with a decision about short breaks, ask the team to look at it again "
        "within 28 days: a manager who was not part of the decision will review it and write "
        "to you.\n\n"
        "If you are unhappy with a service, tell the provider first. You can also complain to "
        "the council through its complaints procedure, online or by phone, and if you are "
        "still unhappy you can ask the Local Government and Social Care Ombudsman to look at "
        "your complaint."
    ),
}


def load(rng) -> None:
    author = db.session.scalar(select(User).where(User.email == "servicemanager@example.gov.uk"))
    approver = db.session.scalar(select(User).where(User.email == "commissioner@example.gov.uk"))
    if author is None or approver is None:
        return
    this_year = financial_year_of(dt.date.today())
    for year in (this_year - 1, this_year):
        label = f"{year} to {year + 1}"
        for key, text in TEXT.items():
            if narrative.latest(year, key) is not None:
                continue
            row = narrative.save_version(year, key, text.format(label=label), author, 0)
            narrative.approve(year, key, row.number, approver)


register_loader(40, "reports", load)
