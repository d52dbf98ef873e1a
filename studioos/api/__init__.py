"""HTTP routes beside the Reflex app: session cookie, health, downloads."""
