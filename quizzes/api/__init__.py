"""The JSON API at /api/v1/: token-authenticated, typed with django-ninja, OpenAPI generated.

Each resource is a router of its own (quizzes, invites, attempts), mounted below; a new
resource adds its module and one line to ROUTERS. Errors are problem documents (errors.py),
authentication and permissions are per operation (auth.py).
"""

from __future__ import annotations

from ninja import NinjaAPI, Router

from quizzes.api import attempts, errors, invites, quizzes, webhooks

ROUTERS: list[tuple[str, Router]] = [
    ("/quizzes", quizzes.router),
    ("/invites", invites.router),
    ("/attempts", attempts.router),
    ("/webhooks", webhooks.router),
]

api = NinjaAPI(
    title="quizsite API",
    version="1",
    description=(
        "Hiring tests for applicant-tracking systems. Authenticate with "
        "`Authorization: Bearer <token>`; errors are RFC 9457 problem documents."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
errors.install(api)
for prefix, router in ROUTERS:
    api.add_router(prefix, router)
