"""The owner's studio settings: name, time zone and currency, who runs the studio, and its deletion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

from studioos.services import studio_deletion, studios, support_access, two_factor
from studioos.services.formatting import for_actor
from studioos.services.permissions import Cap
from studioos.services.validation import COMMON_CURRENCIES, parse_id, timezone_choices
from studioos.ui import controls, toast
from studioos.ui.backend import hard_navigate
from studioos.ui.components import card, confirm_dialog, empty_state, field_error, page_header
from studioos.ui.controls import Choice
from studioos.ui.layout import shell
from studioos.ui.service_call import Answer, ServicePage, service_event

TIMEZONES = [Choice(z, z.replace("_", " ")) for z in timezone_choices()]
CURRENCIES = [Choice(c, c) for c in COMMON_CURRENCIES]


@dataclass(frozen=True)
class GrantRow:
    id: int
    request: str
    request_link: str
    granted_by: str
    state: str
    active: bool
    uses: str


class StudioSettingsState(ServicePage, rx.State):
    name: str = ""
    timezone: str = ""
    currency: str = ""
    errors: dict[str, str] = {}
    form_key: int = 0  # a new key redraws the form with the values saved
    candidates: list[Choice] = []
    transfer_errors: dict[str, str] = {}
    delete_errors: dict[str, str] = {}
    grants: list[GrantRow] = []
    require_two_factor: bool = False

    def _show(self, settings: studios.StudioSettings) -> None:
        self.name, self.timezone, self.currency = settings.name, settings.timezone, settings.currency
        self.form_key += 1

    def _reload(self) -> None:
        with self._acting() as (db, actor):
            self._show(studios.studio_settings(db, actor))
            self.candidates = [
                Choice(str(uid), label) for uid, label in studio_deletion.transfer_candidates(db, actor)
            ]
            self.require_two_factor = two_factor.studio_requires(db, actor.studio_id or 0)
            fmt = for_actor(actor)
            self.grants = [
                GrantRow(
                    id=g.id,
                    request=f"#{g.request_id} {g.request_title}",
                    request_link=f"/support?request={g.request_id}",
                    granted_by=f"{g.granted_by_name}, {fmt.moment(g.created_at)}",
                    state=g.state_text,
                    active=g.active,
                    uses="Not used" if g.uses == 0 else f"Used {g.uses} time{'s' if g.uses != 1 else ''}",
                )
                for g in support_access.studio_grants(db, actor)
            ]

    @service_event
    def load(self) -> None:
        self.errors, self.transfer_errors, self.delete_errors = {}, {}, {}
        self._reload()

    @service_event
    def set_two_factor(self, required: bool) -> Answer:
        self._call(two_factor.set_studio_requirement, bool(required))
        self._reload()
        if self.require_two_factor:
            return toast.success(
                "Two-factor sign-in is required: members without it set it up at their next page load."
            )
        return toast.success("Two-factor sign-in is no longer required.")

    @service_event(errors="transfer_errors")
    def transfer(self, form: dict[str, Any]) -> Answer:
        # The password goes straight to the service: never into the state.
        self._call(
            studio_deletion.transfer_ownership,
            parse_id(form.get("to_user_id")) or 0,
            str(form.get("password", "")),
        )
        return hard_navigate("/dashboard")

    @service_event(errors="delete_errors")
    def delete_studio(self, form: dict[str, Any]) -> Answer:
        self._call(
            studio_deletion.request_deletion,
            str(form.get("password", "")),
            str(form.get("confirm_name", "")),
        )
        return hard_navigate("/signin?studio_deleted=1")

    @service_event
    def revoke(self, grant_id: int) -> Answer:
        self._call(support_access.revoke, int(grant_id))
        self._reload()
        return toast.success("Support's access is withdrawn.")

    @service_event(errors="errors")
    def save(self, form: dict[str, Any]) -> Answer:
        self._show(
            self._call(
                studios.update_settings,
                name=str(form.get("name", "")),
                timezone=str(form.get("timezone", "")),
                currency=str(form.get("currency", "")),
            )
        )
        return toast.success("The studio's settings are saved.")


def _details_card() -> rx.Component:
    s, e = StudioSettingsState, StudioSettingsState.errors
    return card(
        rx.el.h2("Studio details", class_name="card-title"),
        rx.el.p(
            "Days in the schedule, earnings and reports follow the studio's time zone; amounts are shown "
            "in its currency. Changing the time zone regroups past days by the new clock.",
            class_name="hint",
        ),
        rx.form(
            rx.el.div(
                controls.field(
                    "Studio name",
                    controls.text_input("name", "studio-name", default_value=s.name, max_length=120),
                    field_error(e, "name"),
                ),
                controls.field(
                    "Time zone",
                    controls.select(
                        TIMEZONES, id_="studio-timezone", name="timezone", default_value=s.timezone
                    ),
                    field_error(e, "timezone"),
                ),
                controls.field(
                    "Currency",
                    controls.select(
                        CURRENCIES, id_="studio-currency", name="currency", default_value=s.currency
                    ),
                    field_error(e, "currency"),
                ),
                class_name="form-grid",
            ),
            rx.el.div(rx.button("Save", type="submit", id="studio-save")),
            on_submit=s.save,
            reset_on_submit=False,
            key=s.form_key.to_string(),
            class_name="stack",
        ),
        class_name="stack",
    )


def _grant_row(g: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(g.request, href=g.request_link)),
        rx.table.cell(g.granted_by),
        rx.table.cell(g.state),
        rx.table.cell(g.uses),
        rx.table.cell(
            rx.cond(
                g.active,
                confirm_dialog(
                    rx.button("Withdraw…", size="1", variant="soft", color_scheme="red"),
                    "Withdraw support's access?",
                    "Support can no longer look at the studio's models, earnings and members "
                    "for this request.",
                    "Withdraw",
                    StudioSettingsState.revoke(g.id),
                    id_="grant-revoke",
                ),
                rx.fragment(),
            )
        ),
    )


def _access_card() -> rx.Component:
    s = StudioSettingsState
    return card(
        rx.el.h2("Support's access to your studio", class_name="card-title"),
        rx.el.p(
            "Support staff see a request, its sender and your studio's name and plan, nothing more. In one "
            "of your requests you can let them look at the models, earnings and members for a few days; "
            "each look is in the audit log.",
            class_name="hint",
        ),
        rx.cond(
            s.grants.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Request"),
                        rx.table.column_header_cell("Allowed by"),
                        rx.table.column_header_cell("Access"),
                        rx.table.column_header_cell("Use"),
                        rx.table.column_header_cell(""),
                    )
                ),
                rx.table.body(rx.foreach(s.grants, _grant_row)),
                width="100%",
                class_name="phone-scroll",
                id="support-grants",
            ),
            empty_state(
                "shield",
                "Support has never had access",
                "Open a request under Help and support; you can allow access from its page.",
            ),
        ),
        class_name="stack",
    )


def _password(errors: Any, field_id: str) -> rx.Component:
    return controls.field(
        "Your password",
        controls.text_input("password", field_id, "password", auto_complete="current-password"),
        field_error(errors, "password", field_id),
    )


def _sign_in_card() -> rx.Component:
    s = StudioSettingsState
    return card(
        rx.el.h2("Sign-in security", class_name="card-title"),
        rx.hstack(
            rx.switch(
                checked=s.require_two_factor,
                on_change=s.set_two_factor,
                id="require-two-factor",
            ),
            rx.el.label(
                "Require two-factor sign-in for everyone in the studio", html_for="require-two-factor"
            ),
            align="center",
            spacing="3",
        ),
        rx.el.p(
            "Members without it are taken to set it up (an authenticator app on their phone) before they "
            "can open anything else. Turn it on for yourself first, under My account.",
            class_name="hint",
        ),
        class_name="stack",
    )


def _transfer_card() -> rx.Component:
    s, e = StudioSettingsState, StudioSettingsState.transfer_errors
    return card(
        rx.el.h2("Hand the studio over", class_name="card-title"),
        rx.el.p(
            "Make another member the studio's owner, for example when you sell it. You stay on the team "
            "as a manager and can leave it afterwards.",
            class_name="hint",
        ),
        rx.cond(
            s.candidates.length() > 0,
            rx.form(
                rx.el.div(
                    controls.field(
                        "New owner",
                        controls.select(
                            s.candidates, id_="transfer-to", name="to_user_id", placeholder="Choose a member…"
                        ),
                        field_error(e, "to_user_id"),
                    ),
                    _password(e, "transfer-password"),
                    class_name="form-grid",
                ),
                rx.el.div(
                    confirm_dialog(
                        rx.button("Hand over…", type="button", variant="soft", id="transfer-open"),
                        "Hand the studio over?",
                        "The member you chose becomes its owner and you become a manager. Only an owner can "
                        "make you owner again.",
                        "Hand over",
                        None,
                        id_="transfer-confirm",
                        submits="transfer-form",
                    )
                ),
                on_submit=s.transfer,
                reset_on_submit=False,
                id="transfer-form",
                class_name="stack",
            ),
            rx.el.p(
                "Nobody can take it over yet: invite a manager first (Team).",
                class_name="hint",
                id="no-candidates",
            ),
        ),
        class_name="stack",
    )


def _delete_card() -> rx.Component:
    s, e = StudioSettingsState, StudioSettingsState.delete_errors
    return card(
        rx.el.h2("Delete the studio", class_name="card-title"),
        rx.el.p(
            "Everyone loses access at once and is told by email. Within 30 days its models, schedule, "
            "earnings, members and notes are erased. Payroll records are kept as the law requires "
            "(10 years), with nothing more than the payments need.",
            class_name="hint",
        ),
        rx.form(
            rx.el.div(
                controls.field(
                    "Type the studio's name to confirm: " + s.name,
                    controls.text_input("confirm_name", "delete-studio-name", auto_complete="off"),
                    field_error(e, "confirm_name"),
                ),
                _password(e, "delete-studio-password"),
                class_name="form-grid",
            ),
            rx.el.div(
                confirm_dialog(
                    rx.button(
                        "Delete the studio…", type="button", color_scheme="red", id="delete-studio-open"
                    ),
                    "Delete " + s.name + "?",
                    "This cannot be undone. Everyone is signed out of the studio now.",
                    "Delete the studio",
                    None,
                    id_="delete-studio-confirm",
                    submits="delete-studio-form",
                )
            ),
            on_submit=s.delete_studio,
            reset_on_submit=False,
            id="delete-studio-form",
            class_name="stack",
        ),
        class_name="stack",
    )


def body() -> rx.Component:
    return rx.el.div(
        page_header("Studio settings", "Your studio's details, who runs it, and closing it."),
        _details_card(),
        _access_card(),
        _sign_in_card(),
        _transfer_card(),
        _delete_card(),
        class_name="stack-5",
    )


def page() -> rx.Component:
    return shell(body(), Cap.STUDIO_SETTINGS)
