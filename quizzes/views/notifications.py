"""A recruiter's own email notifications: each finished attempt, a daily digest, or none."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from quizzes.models import NotificationPreference
from quizzes.views.review import StaffRequest, staff_permission


class NotificationPreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["mode", "language"]
        widgets = {
            "mode": forms.RadioSelect,
            "language": forms.Select(attrs={"class": "form-select"}),
        }


@require_http_methods(["GET", "POST"])
@staff_permission("quizzes.view_attempt")
def preferences(request: StaffRequest) -> HttpResponse:
    """Show and change the signed-in recruiter's choice (nothing is written on GET)."""
    preference = NotificationPreference.objects.filter(user=request.user).first()
    preference = preference or NotificationPreference(user=request.user)
    form = NotificationPreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification settings are saved."))
        return redirect("quizzes:review_notifications")
    context = {
        "form": form,
        "email": request.user.email,
        "digest_hour": settings.NOTIFICATION_DIGEST_HOUR,
    }
    return render(request, "review/notifications.html", context)
