"""django-axes' failed-login records in the admin, with a cleanup action that works.

axes' own "Clean up expired attempts" action reads an attempt time that only its login
handling puts on the request, so from the admin it always failed with a server error; it
also declared no permission although it deletes records.
"""

import axes.admin  # noqa: F401  (registers axes' admins, so that one can be replaced here)
from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class LockoutAttemptAdmin(AccessAttemptAdmin):
    @admin.action(description=_("Remove expired failed-login records"), permissions=["delete"])
    def cleanup_expired_attempts(self, request, queryset):
        # None: count the cool-off back from now, as axes does for a request it has not seen.
        request.axes_attempt_time = None
        count = self.handler.clean_expired_user_attempts(request=request)
        self.message_user(
            request,
            ngettext(
                "%(count)d expired failed-login record removed.",
                "%(count)d expired failed-login records removed.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, LockoutAttemptAdmin)
