# The web image: gunicorn serving Django, static files collected at build time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so code changes reuse this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .

# Hashed and compressed static files live in the image: nothing is written at request time.
# The key is a placeholder: collectstatic needs settings, not secrets.
RUN DEBUG=0 SECRET_KEY=collectstatic-build-only python manage.py collectstatic --no-input \
    && python -m compileall -q quizsite quizzes

RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin quizsite
USER quizsite

EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py", "quizsite.wsgi:application"]
