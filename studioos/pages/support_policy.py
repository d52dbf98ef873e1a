"""Support staff publish a new version of the privacy policy (the earlier ones stay readable)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import reflex as rx

from studioos.services import policy
from studioos.services.permissions import Cap
from studioos.ui import controls, toast
from studioos.ui.components import card, confirm_dialog, field_error, page_header
from studioos.ui.layout import shell
from studioos.ui.service_call import Answer, ServicePage, service_event


class SupportPolicyState(ServicePage, rx.State):
    errors: dict[str, str] = {}
    current_label: str = ""
    draft: str = ""  # the text the form starts from: the version in force
    today: str = ""

    def _reload(self) -> None:
        with self._acting() as (db, _actor):
            now = policy.current(db)
        self.current_label, self.draft = now.label, now.body
        self.today = datetime.now(UTC).date().isoformat()

    @service_event
    def load(self) -> None:
        self.errors = {}
        self._reload()

    @service_event(errors="errors")
    def publish(self, form: dict[str, Any]) -> Answer:
        row = self._call(
            policy.publish,
            str(form.get("body", "")),
            str(form.get("effective_on", "")),
            form.get("material") == "on",
            str(form.get("summary", "")),
        )
        self._reload()
        said = "Everyone is asked to read it at their next sign-in." if row.material else ""
        return toast.success(f"The new version is published, in force from {row.effective_on}. {said}")


def body() -> rx.Component:
    s, e = SupportPolicyState, SupportPolicyState.errors
    return rx.el.div(
        page_header(
            "Privacy policy versions",
            "Publish a new version: every earlier one stays readable at /privacy.",
            rx.link(rx.button("See the policy", variant="soft"), href="/privacy"),
        ),
        card(
            rx.el.p("In force now: the version of " + s.current_label + ".", class_name="hint"),
            rx.form(
                rx.el.div(
                    controls.field(
                        "Text (Markdown)",
                        rx.el.textarea(
                            name="body",
                            id="policy-body",
                            default_value=s.draft,
                            key=s.current_label,
                            rows=16,
                            class_name="control textarea-control",
                        ),
                        field_error(e, "body"),
                    ),
                    controls.field(
                        "In force from",
                        controls.text_input(
                            "effective_on", "policy-effective", "date", default_value=s.today, key=s.today
                        ),
                        field_error(e, "effective_on"),
                    ),
                    rx.el.label(
                        rx.el.input(type="checkbox", name="material", id="policy-material"),
                        "A material change: everyone reads and acknowledges it at their next sign-in",
                        class_name="check",
                    ),
                    controls.field(
                        "What changed (shown to everyone asked to read it)",
                        rx.el.textarea(
                            name="summary",
                            id="policy-summary-input",
                            rows=3,
                            class_name="control textarea-control",
                        ),
                        field_error(e, "summary"),
                    ),
                    rx.el.div(
                        confirm_dialog(
                            rx.button("Publish…", type="button", id="policy-publish-open"),
                            "Publish this version?",
                            "It cannot be edited afterwards; a correction is another version.",
                            "Publish",
                            None,
                            color_scheme="indigo",
                            id_="policy-publish",
                            submits="policy-form",
                        ),
                    ),
                    class_name="stack",
                ),
                on_submit=s.publish,
                reset_on_submit=False,
                id="policy-form",
            ),
            class_name="stack",
        ),
        class_name="stack-5",
    )


def page() -> rx.Component:
    return shell(body(), Cap.POLICY_PUBLISH)
