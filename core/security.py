"""Security headers, the CSP nonce and the request id, on every response."""

from __future__ import annotations

import re
import secrets
import uuid

from flask import Flask, abort, g, request

PERSONAL_DATA_FREE = ("static", "govuk_assets", "auth.health_live")
PUBLIC_OPEN_DATA = ("openreferral",)


_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def init_app(app: Flask) -> None:
    """Call before any extension that may refuse a request (CSRF): the refusal page needs its
    nonce and request id too."""

    @app.before_request
    def _request_id_and_nonce():
        g.csp_nonce = secrets.token_urlsafe(16)
        # The audit log records the request id: take one from the client only through a
        # trusted proxy (which sets it), so nobody can forge or reuse ids in the audit trail.
        offered = request.headers.get("X-Request-Id", "")
        trusted = app.config.get("TRUSTED_PROXIES") and _REQUEST_ID.fullmatch(offered)
        g.request_id = offered if trusted else uuid.uuid4().hex

    @app.before_request
    def _refuse_nul():
        # PostgreSQL refuses NUL in text; treat it as bad input, not a server error.
        if (
            "\x00" in request.path
            or any("\x00" in k or "\x00" in v for k, v in request.args.items(multi=True))
            or any("\x00" in k or "\x00" in v for k, v in request.form.items(multi=True))
        ):
            abort(400)

    @app.context_processor
    def _nonce():
        return {"csp_nonce": getattr(g, "csp_nonce", "")}

    @app.after_request
    def _headers(response):
        nonce = getattr(g, "csp_nonce", "")
        h = response.headers
        h.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; "
            "connect-src 'self'; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'",
        )
        h["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        h["X-Content-Type-Options"] = "nosniff"
        h["X-Frame-Options"] = "DENY"
        h["Referrer-Policy"] = "strict-origin-when-cross-origin"
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        h["X-Request-Id"] = getattr(g, "request_id", "")
        if request.blueprint in PUBLIC_OPEN_DATA:
            # Published directory data: nothing personal, and directories poll it.
            h["Cache-Control"] = "public, max-age=300"
        elif request.endpoint not in PERSONAL_DATA_FREE:
            # Pages may carry personal data: never keep them in any cache.
            h["Cache-Control"] = "no-store"
            h["Pragma"] = "no-cache"
        return response
