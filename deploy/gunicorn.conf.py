"""gunicorn settings for the platform (docs/deploy.md §9): `gunicorn -c deploy/gunicorn.conf.py egov.wsgi`.

Logs in the application's format (one JSON line per event, egov/core/logging.py), so the journal has
one format and one time zone. No access log here: the application logs one line per request, with
its request id (RequestIdMiddleware). The command line may override anything (bind, workers...).
"""

import os

from egov.settings import logging_config

bind = "127.0.0.1:8000"
workers = 5  # 2 x cores + 1 on 2 cores
timeout = 30
# On HUP (systemctl reload) old workers finish their requests for up to this long while new ones start.
graceful_timeout = 30
max_requests = 1000
max_requests_jitter = 100
worker_tmp_dir = "/dev/shm"
accesslog = None
errorlog = "-"

logconfig_dict = logging_config(os.environ.get("LOG_LEVEL", "INFO"))
logconfig_dict["loggers"]["gunicorn.error"] = {"handlers": ["console"], "level": "INFO", "propagate": False}
logconfig_dict["loggers"]["gunicorn.access"] = {"handlers": [], "propagate": False}


def child_exit(server, worker):
    # Prometheus multiprocess mode (PROMETHEUS_MULTIPROC_DIR, docs/deploy.md §15): a recycled worker's
    # live gauges must not count any more; its counters stay summed in.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
