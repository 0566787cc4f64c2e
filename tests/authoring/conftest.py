import pytest


@pytest.fixture
def author(django_user_model):
    return django_user_model.objects.create_superuser("author", "author@example.com", "pw")


@pytest.fixture
def admin_client(client, author):
    """A logged-in author whose browser asks for English (Russian is tested separately)."""
    client.force_login(author)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
