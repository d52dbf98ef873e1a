"""Scheduled jobs: plain functions over a Session, idempotent, safe to run twice."""
