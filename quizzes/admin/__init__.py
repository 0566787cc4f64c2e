"""The Django admin, a module per workflow: quizzes, importing, questions, attempts, invites."""

# Importing each module runs its @admin.register.
from quizzes.admin import attempts, invites, questions, quizzes  # noqa: F401
