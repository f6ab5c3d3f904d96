"""Prefect orchestration of the planscan library. Imported only by commands that ingest."""
