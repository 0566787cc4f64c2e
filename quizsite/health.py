"""Liveness probe for load balancers and container health checks."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """'ok' from the full middleware stack, without touching the database or the session.

    It also serves as the benchmarks' baseline: the cost of Django itself, per request.
    """
    return HttpResponse("ok", content_type="text/plain")
