"""Pagination for long lists, rendered with the GOV.UK pagination component."""

from __future__ import annotations

from flask import request, url_for
from flask_sqlalchemy.pagination import Pagination

from .extensions import db
from .parsing import whole_number


def page_number() -> int:
    return whole_number(request.args.get("page"), 1, 99_999) or 1


def paginate(stmt, per_page: int | None = None, count: bool = True, total: int | None = None):
    """A page of `stmt`'s rows. Pass `total` when the caller has counted the rows already, to
    save the count query."""
    from flask import current_app

    pager = db.paginate(
        stmt,
        page=page_number(),
        per_page=per_page or current_app.config["PAGE_SIZE"],
        error_out=False,
        count=count and total is None,
    )
    if total is not None:
        pager.total = total
    return pager


class _GivenPage(Pagination):
    """A Flask-SQLAlchemy page whose rows and total the caller has fetched already."""

    def __init__(self, items, total, page, per_page):
        self._given = (items, total)
        super().__init__(page=page, per_page=per_page, max_per_page=None, error_out=False)

    def _query_items(self):
        return self._given[0]

    def _query_count(self):
        return self._given[1]


def given_page(items, total: int, page: int, per_page: int):
    """A pager for a page whose rows and total the caller has read itself (in one query with
    its figures, say), for the page number it read them for."""
    return _GivenPage(items, total, page, per_page)


def past_last_page(pager, endpoint: str, **values):
    """A redirect to the last page when the page asked for is beyond it (a link kept after
    the list shrank, or typed), else None: the list is never shown empty when it is not."""
    from flask import redirect

    if pager.total and not pager.items and pager.page > pager.pages:
        args = {k: v for k, v in request.args.items() if k != "page"}
        return redirect(url_for(endpoint, **values, **{**args, "page": pager.pages}))
    return None


def pagination_params(pager, endpoint: str, **values) -> dict | None:
    """Parameters for govukPagination, keeping the current query string."""
    if pager.pages <= 1:
        return None
    args = {k: v for k, v in request.args.items() if k != "page"}
    args.update(values)

    def link(n):
        return url_for(endpoint, page=n, **args)

    items = []
    for n in pager.iter_pages(left_edge=1, left_current=1, right_current=2, right_edge=1):
        if n is None:
            items.append({"ellipsis": True})
        else:
            items.append({"number": n, "href": link(n), "current": n == pager.page})
    params = {"items": items, "landmarkLabel": "Pages"}
    if pager.has_prev:
        params["previous"] = {"href": link(pager.prev_num)}
    if pager.has_next:
        params["next"] = {"href": link(pager.next_num)}
    return params
