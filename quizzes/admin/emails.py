"""The outbox in the admin: every email the site sent or will send, read-only.

Emails name candidates, so only those who may see invites (Recruiters, superusers) see
them; Authors do not. A failed email can be sent again as a new message. The text of a
one-time code's email is never shown: the code would let whoever reads it continue the
candidate's attempt (services.mail also removes it from the row once it left).
"""

from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from quizzes.models import OutboundEmail
from quizzes.services.mail import send_again

# Who may read the outbox, and who may send from it: the invite permissions.
VIEW_PERMISSION = "quizzes.view_invite"
SEND_PERMISSION = "quizzes.add_invite"


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "to",
        "subject",
        "state",
        "tries",
        "error",
        "sent_at",
        "created_at",
    ]
    list_filter = ["state", "kind"]
    search_fields = ["to"]
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "kind",
        "to",
        "subject",
        "state",
        "tries",
        "next_try_at",
        "last_error",
        "sent_at",
        "created_at",
        "queued_by",
        "invite",
        "attempt",
        "message_id",
        "body",
    )
    actions = ["send_again"]

    @admin.display(description=_("last error"))
    def error(self, email: OutboundEmail) -> str:
        return email.last_error[:200] + ("…" if len(email.last_error) > 200 else "")

    @admin.display(description=_("text"))
    def body(self, email: OutboundEmail) -> str:
        if email.kind == OutboundEmail.Kind.CODE:
            return str(_("(a one-time code: not shown)"))
        return email.body_text

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.has_perm(VIEW_PERMISSION)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_send_permission(self, request) -> bool:
        return request.user.is_active and request.user.has_perm(SEND_PERMISSION)

    @admin.action(description=_("Send the failed emails again"), permissions=["send"])
    def send_again(self, request, queryset):
        failed = list(
            queryset.filter(state=OutboundEmail.State.FAILED).exclude(kind=OutboundEmail.Kind.CODE)
        )
        with transaction.atomic():
            for email in failed:
                send_again(email)
        self.message_user(
            request,
            ngettext("%(count)d email queued again.", "%(count)d emails queued again.", len(failed))
            % {"count": len(failed)},
            messages.SUCCESS,
        )
        codes = queryset.filter(kind=OutboundEmail.Kind.CODE).count()
        if codes:
            self.message_user(
                request,
                ngettext(
                    "%(count)d one-time code was not sent again: the candidate asks for a new one.",
                    "%(count)d one-time codes were not sent again: the candidate asks for a "
                    "new one.",
                    codes,
                )
                % {"count": codes},
                messages.WARNING,
            )
        skipped = queryset.exclude(kind=OutboundEmail.Kind.CODE).count() - len(failed)
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d email had not failed and was left alone.",
                    "%(count)d emails had not failed and were left alone.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
