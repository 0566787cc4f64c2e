"""Warnings, after a save in the admin, about formulas shown as source because they could
not be read. The text is saved either way: the author sees what to fix."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext as _

from quizzes.models import MARKDOWN_FIELDS
from quizzes.rendering import rendering_problems


def warn_about_formulas(
    model_admin: admin.ModelAdmin, request: HttpRequest, objects: Iterable[models.Model]
) -> None:
    for obj in objects:
        for name, inline in MARKDOWN_FIELDS[type(obj).__name__].items():
            _errors, warnings = rendering_problems(getattr(obj, name), inline=inline)
            field = getattr(obj._meta.get_field(name), "verbose_name", name)
            for warning in warnings:
                message = _("“%(object)s”, %(field)s: %(problem)s") % {
                    "object": str(obj)[:60],
                    "field": field,
                    "problem": warning,
                }
                model_admin.message_user(request, message, messages.WARNING)
