"""Webhooks in the admin: endpoints, and every delivery with each try at it.

Deliveries carry candidates' names, emails and scores, so only those who may read attempts
(Recruiters, superusers) see or manage any of it, whatever else their permissions say.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from quizzes import webhooks
from quizzes.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from quizzes.services.webhook_delivery import owner_may_receive
from quizzes.services.webhooks import redeliver, send_test_event, validate_endpoint


class CandidateReadersOnly(admin.ModelAdmin):
    """Every permission also needs the right to read attempts."""

    @staticmethod
    def reads_candidates(request) -> bool:
        return request.user.has_perm("quizzes.view_attempt")

    def has_module_permission(self, request):
        return self.reads_candidates(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.reads_candidates(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self.reads_candidates(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.reads_candidates(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.reads_candidates(request) and super().has_delete_permission(request, obj)


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=2000, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=capfirst(_("events")),
        choices=[(event, event) for event in webhooks.EVENTS],
        widget=forms.CheckboxSelectMultiple,
    )
    new_secret = forms.CharField(
        label=capfirst(_("secret")),
        required=False,
        strip=True,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "Signs every delivery (X-Quizsite-Signature). Leave empty to generate one, which "
            "is shown once after saving; when editing, leave empty to keep the current one."
        ),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "events", "active"]

    def clean(self):
        cleaned = super().clean() or {}
        url, events = cleaned.get("url"), cleaned.get("events")
        if url and events is not None:
            try:
                # Adding, or turning an endpoint back on, counts against the limit.
                adding = cleaned.get("active", False) and not (
                    self.instance.pk and self.instance.active
                )
                cleaned["events"] = validate_endpoint(url=url, events=events, adding=adding)
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    self.add_error(None, error)
                    return cleaned
                for field, field_errors in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, field_errors)
        return cleaned

    def save(self, commit=True):
        endpoint = super().save(commit=False)
        endpoint.events = self.cleaned_data["events"]
        if self.cleaned_data.get("new_secret"):
            endpoint.secret = self.cleaned_data["new_secret"]
        if commit:
            endpoint.save()
        return endpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(CandidateReadersOnly):
    form = WebhookEndpointForm
    list_display = ["url", "events_display", "active", "deliveries", "created_by", "created_at"]
    list_filter = ["active"]
    search_fields = ["url"]
    readonly_fields = ("secret_display", "deliveries", "created_by", "created_at")
    actions = ["send_test_event"]

    def get_fields(self, request, obj=None):
        shown = ["url", "events", "active", "new_secret"]
        return shown if obj is None else [*shown, *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        # Deliveries need an owner who may read attempts (services.webhook_delivery): whoever
        # saves the endpoint of an owner who lost that right takes it over.
        if not change or not owner_may_receive(obj):
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        if request.POST.get("new_secret"):
            return super().response_add(request, obj, post_url_continue)
        # A generated secret is shown on this page only: a message would carry it through
        # the message store (a cookie) to the next page.
        return TemplateResponse(
            request,
            "admin/quizzes/webhookendpoint/created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Webhook endpoint added"),
                "endpoint": obj,
                "secret": obj.secret,
                "changelist_url": reverse("admin:quizzes_webhookendpoint_changelist"),
                "change_url": reverse("admin:quizzes_webhookendpoint_change", args=[obj.pk]),
            },
        )

    @admin.display(description=_("events"))
    def events_display(self, endpoint):
        return ", ".join(endpoint.events)

    @admin.display(description=_("deliveries"))
    def deliveries(self, endpoint):
        url = reverse("admin:quizzes_webhookdelivery_changelist")
        return format_html(
            '<a href="{}?endpoint__id__exact={}">{}</a>', url, endpoint.pk, _("list")
        )

    @admin.display(description=_("secret"))
    def secret_display(self, endpoint):
        return endpoint.masked_secret

    @admin.action(description=_("Send a test event (ping)"), permissions=["change"])
    def send_test_event(self, request, queryset):
        for endpoint in queryset:
            send_test_event(endpoint=endpoint)
        count = len(queryset)
        messages.success(
            request,
            ngettext(
                "A test event was queued for %(count)d endpoint.",
                "A test event was queued for %(count)d endpoints.",
                count,
            )
            % {"count": count},
        )


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ("tried_at", "status_code", "duration_ms", "error", "response_excerpt")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(CandidateReadersOnly):
    list_display = [
        "event",
        "endpoint",
        "state",
        "tries",
        "created_at",
        "next_try_at",
        "delivered_at",
    ]
    list_filter = ["state", "event", "endpoint"]
    search_fields = ["delivery_id", "object_id"]
    list_select_related = ["endpoint"]
    fields = (
        "endpoint",
        "event",
        "object_id",
        "delivery_id",
        "state",
        "tries",
        "created_at",
        "next_try_at",
        "retry_until",
        "delivered_at",
        "payload_display",
    )
    readonly_fields = fields
    inlines = [WebhookAttemptInline]
    actions = ["redeliver"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The record of what was sent: shown, never edited; "redeliver" sends it again.
        return False

    def has_redeliver_permission(self, request):
        return self.reads_candidates(request) and request.user.has_perm(
            "quizzes.change_webhookdelivery"
        )

    @admin.display(description=_("payload"))
    def payload_display(self, delivery):
        text = json.dumps(delivery.payload, indent=2, ensure_ascii=False, sort_keys=True)
        return format_html("<pre>{}</pre>", text)

    @admin.action(description=_("Redeliver (same delivery id)"), permissions=["redeliver"])
    def redeliver(self, request, queryset):
        queued = sum(redeliver(delivery=delivery) for delivery in queryset)
        messages.success(
            request,
            ngettext(
                "%(count)d delivery was queued again.",
                "%(count)d deliveries were queued again.",
                queued,
            )
            % {"count": queued},
        )
