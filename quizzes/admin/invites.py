"""Invite management in the admin: invites one at a time with copyable links, or in bulk.

Bulk invites are personal (one per pasted or uploaded candidate); a shared link for a
cohort is added one at a time with the kind "shared" and room for as many uses as people.
Personal invites can be emailed to their candidates; each shows its last email's delivery.
"""

from contextvars import ContextVar

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from quizzes.admin.invite_forms import BulkInviteForm
from quizzes.models import Invite, OutboundEmail
from quizzes.services.invitations import InvitationQuotaExceeded
from quizzes.services.invites import create_invite, create_invites, resend_invitations

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


class InviteForm(forms.ModelForm):
    send_email = forms.BooleanField(
        label=_("Send the invitation by email"),
        required=False,
        help_text=_("Personal invites only: the candidate gets the link at the email above."),
    )

    language = forms.ChoiceField(
        label=capfirst(_("email language")),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        required=False,
        help_text=_("The language of the emails the candidate gets."),
    )

    class Meta:
        model = Invite
        # The admin's `fields` choose what is shown; these are what the form may save.
        fields = [
            "quiz",
            "kind",
            "label",
            "candidate_name",
            "candidate_email",
            "max_uses",
            "expires_at",
            "language",
        ]

    def clean_language(self) -> str:
        return self.cleaned_data["language"] or settings.LANGUAGE_CODE

    def clean(self):
        super().clean()
        if self.cleaned_data.get("send_email") and self.cleaned_data.get("kind") == "shared":
            self.add_error(
                "send_email",
                _("A shared link names nobody to email: send it yourself, or make it personal."),
            )
        return self.cleaned_data


def delivery_words(state: str | None, error: str = "") -> str:
    """An email's delivery state for the invite admin: the SMTP error with a failure or a retry."""
    if not state:
        return "—"
    label = str(OutboundEmail.State(state).label)
    if state == OutboundEmail.State.FAILED and error:
        return f"{label}: {error[:200]}"
    if state == OutboundEmail.State.QUEUED and error:
        return _("Queued, retrying after: %(error)s") % {"error": error[:200]}
    return label


def _last_email(field: str) -> Subquery:
    return Subquery(
        OutboundEmail.objects.filter(invite=OuterRef("pk"))
        .order_by("-created_at", "-pk")
        .values(field)[:1]
    )


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    form = InviteForm
    list_display = [
        "__str__",
        "kind",
        "candidate_name",
        "quiz",
        "uses_display",
        "expires_at",
        "status",
        "email_delivery",
        "link",
        "created_at",
    ]
    list_filter = ["quiz", "kind", "language"]
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
        "language",
        "uses",
        "link",
        "emails",
        "created_by",
        "created_at",
    ]
    readonly_fields = ["uses", "link", "emails", "created_by", "created_at"]
    change_list_template = "admin/quizzes/invite/change_list.html"
    actions = ["resend_invitation"]

    class Media:
        css = {"all": ["quizzes/admin.css"]}

    def get_queryset(self, request):
        # The last email's delivery for every row, in the query that lists them.
        return (
            super()
            .get_queryset(request)
            .annotate(
                last_email_state=_last_email("state"),
                last_email_error=_last_email("last_error"),
            )
        )

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None:
            return [name for name in fields if name != "emails"] + ["send_email"]
        return fields

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
        if change:
            super().save_model(request, obj, form, change)
            return
        obj.created_by = request.user
        send_email = form.cleaned_data.get("send_email", False) and obj.is_personal
        try:
            create_invite(invite=obj, send_email=send_email)
        except InvitationQuotaExceeded as refused:
            # The admin's add view expects the object saved: keep the invite, without email.
            obj.pk = None
            create_invite(invite=obj, send_email=False)
            messages.error(request, refused.message)
            send_email = False
        if send_email:
            messages.info(
                request,
                _("The invitation to %(email)s is queued.") % {"email": obj.candidate_email},
            )

    @admin.action(description=_("Resend the invitation by email"), permissions=["add"])
    def resend_invitation(self, request, queryset):
        invites = list(queryset.select_related("quiz"))
        try:
            count = resend_invitations(invites=invites, user=request.user)
        except InvitationQuotaExceeded as refused:
            self.message_user(request, refused.message, messages.ERROR)
            return
        self.message_user(
            request,
            ngettext("%(count)d invitation queued.", "%(count)d invitations queued.", count)
            % {"count": count},
            messages.SUCCESS,
        )
        if count < len(invites):
            self.message_user(
                request,
                _("Shared links name nobody: they are not emailed."),
                messages.WARNING,
            )

    @admin.display(description=_("email"))
    def email_delivery(self, invite):
        return delivery_words(
            getattr(invite, "last_email_state", None), getattr(invite, "last_email_error", "")
        )

    @admin.display(description=_("emails"))
    def emails(self, invite):
        if not invite.pk:
            return "—"
        rows = [
            (
                email.get_kind_display(),
                delivery_words(email.state, email.last_error),
                f"{timezone.localtime(email.created_at):%Y-%m-%d %H:%M}",
            )
            for email in invite.emails.order_by("-created_at", "-pk")[:20]
        ]
        if not rows:
            return "—"
        return format_html(
            '<ul class="invite-emails">{}</ul>',
            format_html_join("", "<li>{} · {} · {}</li>", rows),
        )

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
        form = BulkInviteForm(request.POST or None, request.FILES or None)
        created = []
        if request.method == "POST" and form.is_valid():
            send_email = form.cleaned_data["send_email"]
            try:
                created = create_invites(
                    quiz=form.cleaned_data["quiz"],
                    entries=form.cleaned_data["entries"],
                    max_uses=form.cleaned_data["max_uses"],
                    expires_at=form.cleaned_data["expires_at"],
                    language=form.cleaned_data["language"],
                    send_email=send_email,
                    created_by=request.user,
                )
            except InvitationQuotaExceeded as refused:
                form.add_error(None, refused.message)
        if request.method == "POST" and form.is_valid():
            if send_email:
                message = ngettext(
                    "%(count)d invite created; its invitation is queued for sending.",
                    "%(count)d invites created; their invitations are queued for sending.",
                    len(created),
                )
            else:
                message = ngettext(
                    "%(count)d invite created. Copy the link below and send it.",
                    "%(count)d invites created. Copy the links below and send them.",
                    len(created),
                )
            messages.success(request, message % {"count": len(created)})
            form = BulkInviteForm(initial={**form.cleaned_data, "lines": "", "csv_file": None})
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
