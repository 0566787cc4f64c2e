"""gunicorn settings for production (docker-compose.yml and `make bench` use this file).

Every value can be changed from the environment; see .env.example.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Two processes per core keep the CPU busy while one waits on PostgreSQL. Threaded workers,
# not sync ones: a sync worker is blocked for up to `timeout` by one client that connects and
# sends slowly (under `make soak` with sync workers, every one of them ends up killed at the
# timeout), while a gthread worker keeps serving its other connections and supports
# keep-alive behind a load balancer.
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2)
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
keepalive = 5
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Recycle workers now and then so a slow leak can never take a process down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Import Django once in the master: workers fork with it loaded (faster start, less memory)
# and a broken settings module stops the container at once instead of looping workers.
preload_app = True
# Proxies whose X-Forwarded-* headers gunicorn trusts (the load balancer's addresses).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
