"""API tokens in the admin: each user issues and revokes their own (superusers: anyone's).

The token itself is shown once, on the page right after it is created, and never stored:
only its hash is (services.api_tokens). It is not put in a message, which would carry it
in a cookie or the session.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from quizzes.models import ApiToken
from quizzes.services.api_tokens import issue_secret, revoke_api_tokens


class ApiTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=capfirst(_("scopes")),
        choices=ApiToken.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The token can do this much and never more than its user may."),
    )

    class Meta:
        model = ApiToken
        fields = ["user", "name", "scopes", "expires_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = [
        "name",
        "prefix",
        "user",
        "scope_list",
        "created_at",
        "expires_at",
        "last_used_at",
        "state",
    ]
    list_select_related = ["user"]
    search_fields = ["name", "prefix"]
    actions = ["revoke"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]

    def get_actions(self, request):
        # Tokens are revoked, not deleted: the row keeps who could do what, and until when.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_queryset(self, request):
        tokens = super().get_queryset(request)
        if request.user.is_superuser:
            return tokens
        return tokens.filter(user=request.user)

    def get_fields(self, request, obj=None):
        if obj is None:
            own = ["name", "scopes", "expires_at"]
            return ["user", *own] if request.user.is_superuser else own
        return [
            "user",
            "name",
            "prefix",
            "scope_list",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        # An issued token is evidence of what was granted: it is revoked, never edited.
        if obj is not None:
            return self.get_fields(request, obj)
        return []

    def has_change_permission(self, request, obj=None):
        if obj is not None and not request.user.is_superuser and obj.user_id != request.user.pk:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            if not request.user.is_superuser or obj.user_id is None:
                obj.user = request.user
            request._issued_token = issue_secret(obj)
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        return TemplateResponse(
            request,
            "admin/quizzes/apitoken/created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("API token created"),
                "token": request._issued_token,
                "api_token": obj,
                "changelist_url": reverse("admin:quizzes_apitoken_changelist"),
            },
        )

    @admin.display(description=_("scopes"))
    def scope_list(self, token: ApiToken) -> str:
        return ", ".join(token.scopes)

    @admin.display(description=_("state"))
    def state(self, token: ApiToken) -> str:
        if token.revoked_at is not None:
            return str(_("revoked"))
        if token.is_expired():
            return str(_("expired"))
        return str(_("active"))

    @admin.action(description=_("Revoke selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        # The queryset holds only the user's own tokens (get_queryset), so another user's
        # token id in a forged post revokes nothing.
        count = revoke_api_tokens(queryset)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
