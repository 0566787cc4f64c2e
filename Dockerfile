# The web image: gunicorn serving Django, static files collected at build time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app

# Dependencies first, from the lock alone, so code changes reuse this layer. Every package,
# transitive ones included, is pinned and hash-checked (`make lock` writes the file); the
# code runs from /app, so the project itself is not installed.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

COPY . .

# Hashed and compressed static files live in the image: nothing is written at request time.
# The key is a placeholder: collectstatic needs settings, not secrets.
RUN DEBUG=0 SECRET_KEY=collectstatic-build-only python manage.py collectstatic --no-input \
    && python -m compileall -q quizsite quizzes

RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin quizsite
USER quizsite

EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py", "quizsite.wsgi:application"]
