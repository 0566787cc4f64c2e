"""Saving in the admin without noise: a save that changes nothing writes and logs nothing."""

from django.contrib import admin


class QuietSaveMixin(admin.ModelAdmin):
    """Skip the row's UPDATE and the History entry of a save in which nothing changed.

    Django saves the object and logs "No fields changed." on every press of Save; with the
    text fields normalised (quizzes.text) an untouched page has no changes, and History
    lists only what someone did. Inline rows are saved only when they changed anyway.
    """

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            return
        super().save_model(request, obj, form, change)

    def log_change(self, request, obj, message):
        if not message:
            return None
        return super().log_change(request, obj, message)
