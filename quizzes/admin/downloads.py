"""Exports the admin hands out: a markdown file, or a zip of several."""

import io
import zipfile

from django.http import HttpResponse


def markdown_download(files: list[tuple[str, bytes]], zip_name: str) -> HttpResponse:
    """One file downloads as itself (.md); several as a .zip of them."""
    if len(files) == 1:
        name, content = files[0]
        response = HttpResponse(content, content_type="text/markdown; charset=utf-8")
    else:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for file_name, content in files:
                archive.writestr(file_name, content)
        name, response = zip_name, HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
