"""Prefect defaults for an offline machine, applied before Prefect is imported."""

from __future__ import annotations

import os


def configure_prefect() -> None:
    # No network here: never try to send analytics; keep the API-log shipping quiet.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
