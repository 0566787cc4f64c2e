"""Files only where an upload is expected, never on disk; multipart fields must be UTF-8.

Without these checks Django parses any multipart body on any URL and writes a file part
larger than FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file while doing so, before any
view (or CSRF check) has looked at the request.
"""

import base64
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quizzes.models import Answer, Attempt, Quiz
from tests.builders import answer_field

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:quizzes_quiz_import")
BOUNDARY = "----quizsiteTestBoundary7MA4YWxk"
MB = 1024 * 1024
UNEXPECTED = "Файлы можно загружать только туда, где страница их просит."
NOT_UTF8 = "не являются корректным текстом UTF-8"


class StreamedUpload:
    """A multipart body with one large file part, produced as it is read.

    It counts what the server reads and, at every read, whether a file has appeared in
    FILE_UPLOAD_TEMP_DIR: a refusal has to come before the file is read, let alone stored.
    """

    def __init__(self, temp_dir: Path, size: int, fields: dict[str, str] | None = None):
        head = b"".join(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
            for name, value in (fields or {}).items()
        )
        head += (
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; "
            'name="file"; filename="big.md"\r\nContent-Type: text/markdown\r\n\r\n'
        ).encode()
        self.parts = [head, size, f"\r\n--{BOUNDARY}--\r\n".encode()]
        self.length = len(head) + size + len(self.parts[2])
        self.temp_dir = temp_dir
        self.bytes_read = 0
        self.files_seen = 0

    def read(self, size: int = -1) -> bytes:
        self.files_seen = max(self.files_seen, len(list(self.temp_dir.iterdir())))
        chunks = []
        while self.parts and (size < 0 or size > 0):
            part = self.parts[0]
            if isinstance(part, int):
                take = part if size < 0 else min(part, size)
                chunk = b"#" * take
                self.parts[0] = part - take
                if not self.parts[0]:
                    self.parts.pop(0)
            else:
                chunk = part if size < 0 else part[:size]
                self.parts[0] = part[len(chunk) :]
                if not self.parts[0]:
                    self.parts.pop(0)
            chunks.append(chunk)
            size -= len(chunk) if size >= 0 else 0
        data = b"".join(chunks)
        self.bytes_read += len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def post_streamed(client, url, body: StreamedUpload):
    return client.generic(
        "POST",
        url,
        **{
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
            "CONTENT_LENGTH": str(body.length),
            "wsgi.input": body,
        },
    )


@pytest.fixture
def temp_dir(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return tmp_path


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw")
    client.force_login(user)
    return client


@pytest.fixture(params=["anonymous", "staff"])
def any_client(request, client, django_user_model):
    if request.param == "staff":
        user = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw")
        client.force_login(user)
    return client


# --- large files: refused before a byte of them is read ----------------------------------


def test_a_30_mb_file_to_a_candidate_page_is_refused_unread(any_client, quiz, temp_dir):
    body = StreamedUpload(
        temp_dir, 30 * MB, {"candidate_name": "Анна", "candidate_email": "a@example.com"}
    )

    response = post_streamed(any_client, quiz.get_absolute_url(), body)

    assert response.status_code == 400
    assert "Отправленная форма слишком большая." in response.content.decode()
    assert body.bytes_read == 0
    assert body.files_seen == 0 and list(temp_dir.iterdir()) == []
    assert not Attempt.objects.exists()


def test_a_30_mb_file_to_the_import_page_is_refused_unread(any_client, temp_dir):
    body = StreamedUpload(temp_dir, 30 * MB, {"format": "", "slug": "big"})

    response = post_streamed(any_client, IMPORT_URL, body)

    assert response.status_code == 400
    assert body.bytes_read == 0
    assert body.files_seen == 0 and list(temp_dir.iterdir()) == []
    assert not Quiz.objects.exists()


def test_an_import_over_its_cap_is_refused_with_a_message_and_kept_in_memory(
    staff_client, temp_dir
):
    # Under the body limit, over the import form's own cap: read, held in memory, refused.
    body = StreamedUpload(temp_dir, int(1.5 * MB), {"format": "", "slug": "big"})

    response = post_streamed(staff_client, IMPORT_URL, body)

    assert response.status_code == 200
    assert "Файл слишком большой (1536 КБ); предел — 1024 КБ." in response.content.decode()
    assert body.bytes_read == body.length
    assert body.files_seen == 0 and list(temp_dir.iterdir()) == []
    assert not Quiz.objects.exists()


# --- small files where none is expected ----------------------------------------------------


def test_a_file_with_the_start_form_is_refused_and_starts_nothing(any_client, quiz, temp_dir):
    response = any_client.post(
        quiz.get_absolute_url(),
        {
            "candidate_name": "Анна",
            "candidate_email": "a@example.com",
            "cv": SimpleUploadedFile("cv.pdf", b"%PDF-1.4 " * 1000, "application/pdf"),
        },
    )

    assert response.status_code == 400
    assert UNEXPECTED in response.content.decode()
    assert not Attempt.objects.exists()
    assert list(temp_dir.iterdir()) == []


def test_a_file_with_an_autosave_is_refused_and_stores_nothing(client, quiz, start, temp_dir):
    attempt = start(quiz)
    question = quiz.questions.get(position=2)

    response = client.post(
        reverse("quizzes:autosave", args=[attempt.public_id]),
        {
            # Valid answer fields: the file alone is what makes this request bad.
            answer_field(attempt, question.id): attempt.tokens.option(question.options.first().id),
            "seq": "1",
            "evidence": SimpleUploadedFile("a.txt", b"x" * 100),
        },
    )

    assert response.status_code == 400
    assert not Answer.objects.filter(attempt=attempt).exists()


def test_anonymous_visitors_cannot_upload_to_the_import_page(client, temp_dir):
    response = client.post(
        IMPORT_URL, {"file": SimpleUploadedFile("quiz.md", b"# Quiz\n", "text/markdown")}
    )

    assert response.status_code == 400
    assert UNEXPECTED in response.content.decode()
    assert not Quiz.objects.exists()


def test_staff_still_upload_to_the_import_page(staff_client, temp_dir):
    seed = "# Тест\n\n### 1. Вопрос?\n\n- ✅ да\n- ❌ нет\n".encode()

    response = staff_client.post(
        IMPORT_URL, {"file": SimpleUploadedFile("quiz.md", seed, "text/markdown")}
    )

    assert response.status_code == 200
    assert "Предпросмотр файла quiz.md" in response.content.decode()
    assert list(temp_dir.iterdir()) == []


# --- the bytes of multipart fields -----------------------------------------------------------


def multipart(*parts: bytes) -> bytes:
    return b"".join(b"--" + BOUNDARY.encode() + b"\r\n" + part + b"\r\n" for part in parts) + (
        b"--" + BOUNDARY.encode() + b"--\r\n"
    )


def field(name: str, value: bytes, *headers: bytes) -> bytes:
    disposition = f'Content-Disposition: form-data; name="{name}"'.encode()
    return b"\r\n".join([disposition, *headers, b"", value])


@pytest.mark.parametrize(
    "name_part",
    [
        field("candidate_name", b"\xff\xfe"),
        field("candidate_name", "Анна".encode("cp1251")),
        field(
            "candidate_name",
            base64.b64encode(b"Anna\xed\xa0\x80"),
            b"Content-Transfer-Encoding: base64",
        ),
    ],
    ids=["bytes 0xFF 0xFE", "cp1251", "base64 of a surrogate"],
)
def test_non_utf8_multipart_fields_get_the_same_400_as_urlencoded_ones(client, quiz, name_part):
    body = multipart(name_part, field("candidate_email", b"a@example.com"))

    response = client.post(
        quiz.get_absolute_url(), body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )

    assert response.status_code == 400
    assert NOT_UTF8 in response.content.decode()
    assert not Attempt.objects.exists()


def test_utf8_multipart_fields_are_accepted(client, quiz):
    body = multipart(
        field("candidate_name", "Анна Ёлкина".encode()),
        field("candidate_email", b"a@example.com"),
    )

    response = client.post(
        quiz.get_absolute_url(), body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )

    assert response.status_code == 302
    assert Attempt.objects.get().candidate_name == "Анна Ёлкина"


def test_a_field_that_mentions_a_filename_is_not_a_file(client, quiz):
    body = multipart(
        field("candidate_name", b'Anna filename="cv.pdf"'),
        field("candidate_email", b"a@example.com"),
    )

    response = client.post(
        quiz.get_absolute_url(), body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )

    assert response.status_code == 302
    assert Attempt.objects.get().candidate_name == 'Anna filename="cv.pdf"'
