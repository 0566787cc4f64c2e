"""The Django admin, a module per workflow: quizzes, importing, regrading, questions, attempts,
invites, the outbox of emails, webhooks, and the login lockout's records."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

# Importing each module runs its @admin.register.
from quizzes.admin import (  # noqa: F401
    api_tokens,
    attempts,
    banks,
    emails,
    invites,
    lockout,
    questions,
    quizzes,
    webhooks,
)

# The product's name, not "Django administration", in every admin page's header and title.
admin.site.site_header = "quizsite"
admin.site.site_title = "quizsite"
admin.site.index_title = _("Tests, questions and results")
