"""Invite management in the admin: invites one at a time with copyable links, or in bulk.

Bulk invites are personal (one per pasted candidate); a shared link for a cohort is added
one at a time with the kind "shared" and room for as many uses as people.
"""

from contextvars import ContextVar

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from quizzes.admin.forms import BulkInviteForm
from quizzes.models import Invite
from quizzes.services.invites import create_invites

# The site's address for full invite links, set per request by the invite admin views:
# list and detail columns get only the object, not the request.
_site_root: ContextVar[str] = ContextVar("site_root", default="")


def _request_site_root(request) -> str:
    """Scheme and host the request came to, without the trailing slash."""
    return request.build_absolute_uri("/").rstrip("/")


def _render_with_site_root(request, view, *args):
    """Run an admin view and render its page while the link column can read the site root.

    A template response renders after the view returns, when the root would be unset
    again, so it is rendered here; a redirect has nothing to render.
    """
    token = _site_root.set(_request_site_root(request))
    try:
        response = view(request, *args)
        return response.render() if hasattr(response, "render") else response
    finally:
        _site_root.reset(token)


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "kind",
        "candidate_name",
        "quiz",
        "uses_display",
        "expires_at",
        "status",
        "link",
        "created_at",
    ]
    list_filter = ["quiz", "kind"]
    search_fields = ["label", "candidate_name", "candidate_email", "quiz__title"]
    list_select_related = ["quiz"]
    fields = [
        "quiz",
        "kind",
        "label",
        "candidate_name",
        "candidate_email",
        "max_uses",
        "expires_at",
        "uses",
        "link",
        "created_by",
        "created_at",
    ]
    readonly_fields = ["uses", "link", "created_by", "created_at"]
    change_list_template = "admin/quizzes/invite/change_list.html"

    def get_urls(self):
        return [
            path(
                "bulk/",
                self.admin_site.admin_view(self.bulk_create_view),
                name="quizzes_invite_bulk",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        return _render_with_site_root(request, super().changelist_view, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return _render_with_site_root(
            request, super().changeform_view, object_id, form_url, extra_context
        )

    def get_readonly_fields(self, request, obj=None):
        # Once a link has started attempts its kind stays: a shared link turned personal
        # would resume any of its people's open attempts for the one named candidate.
        if obj is not None and obj.uses:
            return [*self.readonly_fields, "kind"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        messages.info(
            request,
            _("Invite link for %(who)s: %(url)s")
            % {"who": obj, "url": request.build_absolute_uri(obj.get_absolute_url())},
        )
        return super().response_add(request, obj, post_url_continue)

    @admin.display(description=_("uses"))
    def uses_display(self, invite):
        return f"{invite.uses} / {invite.max_uses}"

    @admin.display(description=_("status"))
    def status(self, invite):
        reason = invite.unavailable_reason()
        return {
            "closed": _("quiz closed"),
            "expired": _("expired"),
            "used_up": _("used up"),
        }.get(reason, _("active"))

    @admin.display(description=_("invite link"))
    def link(self, invite):
        if not invite.pk:
            return _("The link appears here after saving.")
        url = _site_root.get() + invite.get_absolute_url()
        return format_html(
            '<input type="text" readonly value="{}" size="60" class="invite-link" aria-label="{}">',
            url,
            _("Invite link to copy"),
        )

    def bulk_create_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = BulkInviteForm(request.POST or None)
        created = []
        if request.method == "POST" and form.is_valid():
            created = create_invites(
                quiz=form.cleaned_data["quiz"],
                entries=form.cleaned_data["lines"],
                max_uses=form.cleaned_data["max_uses"],
                expires_at=form.cleaned_data["expires_at"],
                created_by=request.user,
            )
            messages.success(
                request,
                _("%(count)d invites created. Copy the links below and send them.")
                % {"count": len(created)},
            )
        root = _request_site_root(request)
        rows = [(invite, root + invite.get_absolute_url()) for invite in created]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Create invites in bulk"),
            "form": form,
            "rows": rows,
            "all_links": "\n".join(
                f"{invite.candidate_name} <{invite.candidate_email}>\t{url}"
                if invite.candidate_name
                else f"{invite.candidate_email}\t{url}"
                for invite, url in rows
            ),
            "changelist_url": reverse("admin:quizzes_invite_changelist"),
        }
        return TemplateResponse(request, "admin/quizzes/invite/bulk.html", context)
