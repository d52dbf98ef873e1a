"""The Reflex app: pages, API routes and lifespan."""

import reflex as rx


def index() -> rx.Component:
    return rx.text("StudioOS")


app = rx.App()
app.add_page(index, route="/")
