"""Reflex configuration: every value comes from studioos.settings (the environment)."""

import reflex as rx

from studioos.settings import get_settings

_settings = get_settings()

config = rx.Config(
    app_name="studioos",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # The websocket and API accept only the app's own origin.
    cors_allowed_origins=[_settings.origin],
    redis_url=_settings.redis_url or None,
    state_manager_mode="redis" if _settings.redis_url else "disk",
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="iris", radius="medium"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
    # No page evaluates components at run time, so the root need not import every Radix Themes
    # component for them: each page loads only the components it draws.
    frontend_lazy_bundled_libraries=True,
)
