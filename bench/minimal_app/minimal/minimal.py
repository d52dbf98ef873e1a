"""The baseline: a page with a button and a count, one state with an `increment` handler."""

import reflex as rx


class CounterState(rx.State):
    count: int = 0

    @rx.event
    def increment(self) -> None:
        self.count += 1


def index() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.heading("Counter"),
            rx.text(CounterState.count, id="count"),
            rx.button("Increment", on_click=CounterState.increment, id="increment"),
            align="center",
            spacing="3",
        ),
        height="100vh",
    )


app = rx.App()
app.add_page(index, route="/", title="Minimal")
