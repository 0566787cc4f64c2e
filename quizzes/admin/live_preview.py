"""Live preview while typing on the question page: markdown fields ask the server to render.

The page's script (static/quizzes/live_preview.js) posts a field's text, debounced, to
`admin:quizzes_question_preview`, which renders it with the renderer and sanitizer candidate
pages use and answers with the HTML and the problems in words. The fields find the endpoint
and their words through data attributes, so the script holds no URL and no language.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseNotAllowed, JsonResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django_ratelimit.core import is_ratelimited

from quizzes.markup import MAX_TEXT_CHARS
from quizzes.models import MARKDOWN_FIELDS
from quizzes.rendering import preview_markdown
from quizzes.security import rate

# A form-encoded body: the text (up to 4 UTF-8 bytes a character, each byte percent-encoded
# as three characters), the CSRF token and the flag. A longer text still gets the renderer's
# own "too long" message below this; only a body beyond any text the renderer could take is
# refused unread.
PREVIEW_MAX_BYTES = MAX_TEXT_CHARS * 12 + 1024


def _json(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


class LivePreviewFields:
    """Marks an admin's markdown text areas for the live preview script."""

    model: type
    admin_site: admin.AdminSite

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        inline = MARKDOWN_FIELDS.get(self.model.__name__, {}).get(db_field.name)
        if formfield is not None and inline is not None:
            formfield.widget.attrs.update(
                {
                    "data-preview-url": reverse(f"{self.admin_site.name}:quizzes_question_preview"),
                    "data-preview-inline": "1" if inline else "0",
                    "data-preview-label": gettext("Preview while typing"),
                    "data-preview-failed": gettext(
                        "The preview is unavailable; the text is not affected."
                    ),
                }
            )
        return formfield


class LivePreviewAdmin(LivePreviewFields):
    """The question admin's preview endpoint (admin:quizzes_question_preview)."""

    def get_urls(self):
        return [
            path(
                "preview/",
                self.admin_site.admin_view(self.live_preview_view),
                name="quizzes_question_preview",
            ),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def live_preview_view(self, request: HttpRequest) -> JsonResponse | HttpResponseNotAllowed:
        """POST text (and inline=1 for an option) -> {"html", "errors", "warnings"}.

        Only for those who may write questions; counted per user, since one author types
        in many fields (settings.RATE_LIMITS["preview"]).
        """
        if not (
            self.has_change_permission(request)  # type: ignore[attr-defined]
            or self.has_add_permission(request)  # type: ignore[attr-defined]
        ):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if int(request.META.get("CONTENT_LENGTH") or 0) > PREVIEW_MAX_BYTES:
            message = gettext("The text is too long to preview (at most %(limit)s characters).")
            return _json({"error": message % {"limit": MAX_TEXT_CHARS}}, status=413)
        if is_ratelimited(
            request, group="preview", key="user", rate=rate, method="POST", increment=True
        ):
            message = gettext("Too many previews in a short time; the next one comes shortly.")
            return _json({"error": message}, status=429)
        html, errors, warnings = preview_markdown(
            request.POST.get("text", ""), inline=request.POST.get("inline") == "1"
        )
        return _json({"html": html, "errors": errors, "warnings": warnings})
