"""The Django admin, a module per workflow: quizzes, importing, regrading, questions, attempts,
invites, and the login lockout's records."""

# Importing each module runs its @admin.register.
from quizzes.admin import attempts, invites, lockout, questions, quizzes  # noqa: F401
