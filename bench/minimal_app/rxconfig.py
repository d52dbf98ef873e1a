"""The baseline app of bench/ui_bench.py: Reflex's minimal counter, configured like StudioOS where it
matters for the event path (telemetry off, Radix themes, no sitemap, the same state manager)."""

import os

import reflex as rx

config = rx.Config(
    app_name="minimal",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    redis_url=os.environ.get("REDIS_URL") or None,
    state_manager_mode="redis" if os.environ.get("REDIS_URL") else "disk",
    plugins=[rx.plugins.RadixThemesPlugin()],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
