"""Pagination for long lists, rendered with the GOV.UK pagination component."""

from __future__ import annotations

from flask import request, url_for

from .extensions import db
from .parsing import whole_number


def page_number() -> int:
    return whole_number(request.args.get("page"), 1, 99_999) or 1


def paginate(stmt, per_page: int | None = None, count: bool = True):
    from flask import current_app

    return db.paginate(
        stmt,
        page=page_number(),
        per_page=per_page or current_app.config["PAGE_SIZE"],
        error_out=False,
        count=count,
    )


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
