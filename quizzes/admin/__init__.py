"""Django admin: authors edit content here; attempts are shown read-only."""

# Importing each module runs its @admin.register.
from quizzes.admin import attempts, invites, questions, quizzes  # noqa: F401
