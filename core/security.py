"""Security headers, the CSP nonce and the request id, on every response."""

from __future__ import annotations

import secrets
import uuid

from flask import Flask, g, request

PERSONAL_DATA_FREE = ("static", "govuk_assets", "auth.health_live")
PUBLIC_OPEN_DATA = ("openreferral",)


def init_app(app: Flask) -> None:
    @app.before_request
    def _request_id_and_nonce():
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex
        g.csp_nonce = secrets.token_urlsafe(16)

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
