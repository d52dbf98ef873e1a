"""One model: profile, platform accounts, schedule and (owners/managers) identity documents.

What a role gets is decided by the services' DTOs: an analyst's profile is a PerformerStageRow (stage
name and status only), so no contact or legal value ever reaches her browser. The documents tab is
loaded only when opened, because every read of it is written to the audit log.
"""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from studioos.pages.performers import (
    DOC_OPTIONS,
    STATUS_COLORS,
    STATUS_OPTIONS,
    doc_badge,
    doc_flag,
    status_badge,
)
from studioos.services import attendance, performers, photos, platforms, shifts, studios, team
from studioos.services.errors import NotFound, ServiceError, ValidationFailed
from studioos.services.performers import DOCUMENT_LABELS, STATUS_LABELS
from studioos.services.permissions import Cap
from studioos.ui.backend import acting
from studioos.ui.binding import SealedVars
from studioos.ui.calendar import (
    WeekNav,
    events,
    local_today,
    parse_day,
    parse_int,
    week_calendar,
    week_label,
    week_nav,
    week_payload,
)
from studioos.ui.components import card, confirm_dialog, empty_state, field_error, form_field, page_header
from studioos.ui.format import for_studio
from studioos.ui.layout import shell
from studioos.ui.session import SessionState, service_error_event

_BLANK_PROFILE = dict.fromkeys(
    (
        "id",
        "stage_name",
        "status",
        "status_label",
        "color",
        "email",
        "phone",
        "telegram",
        "split",
        "notes",
        "photo",
        "created",
        "linked",
    ),
    "",
)
_BLANK_LEGAL = dict.fromkeys(
    (
        "legal_name",
        "birth_date",
        "doc_type",
        "doc_type_label",
        "doc_number",
        "doc_country",
        "doc_expiry",
        "expired",
    ),
    "",
)


class ModelDetailState(SealedVars, WeekNav, rx.State):
    # Decrypted identity, contact data and staff notes never rest in the state store in clear.
    _sealed: ClassVar[tuple[str, ...]] = ("legal", "profile")
    performer_id: str = ""
    missing: bool = False
    access: str = ""  # full (owner/manager) | stage (analyst) | own (the model herself)
    profile: dict[str, str] = dict(_BLANK_PROFILE)
    doc: str = ""  # expired | soon | "" (staff only)
    doc_expiry: str = ""
    tab: str = "profile"
    profile_errors: dict[str, str] = {}
    contact_errors: dict[str, str] = {}
    legal: dict[str, str] = dict(_BLANK_LEGAL)
    legal_loaded: bool = False
    legal_errors: dict[str, str] = {}
    accounts: list[dict[str, str]] = []
    platform_names: list[str] = []
    account_errors: dict[str, str] = {}
    platform_errors: dict[str, str] = {}
    model_members: list[dict[str, str]] = []
    link_errors: dict[str, str] = {}
    photo_version: int = 0
    photo_error: str = ""
    hours: list[dict[str, str]] = []
    hours_label: str = ""

    def _pid(self) -> int | None:
        return parse_int(self.performer_id)

    def _reload(self) -> None:
        pid = self._pid()
        if pid is None:
            raise NotFound()
        with acting(self.router) as (db, actor):
            found = performers.get_performer(db, actor, pid)
            studio = studios.current_studio(db, actor)
            today = local_today(studio.timezone if studio else "UTC")
            fmt = for_studio(studio)
            self.profile = dict(_BLANK_PROFILE)
            self.profile.update(
                id=str(found.id),
                stage_name=found.stage_name,
                status=found.status,
                status_label=STATUS_LABELS.get(found.status, found.status),  # type: ignore[call-overload]
                color=STATUS_COLORS.get(found.status, "gray"),
            )
            self.doc, self.doc_expiry = "", ""
            if isinstance(found, performers.OwnProfile):
                self.access = "full" if actor.can(Cap.PERFORMERS_MANAGE) else "own"
                self.profile.update(
                    email=found.email,
                    phone=found.phone,
                    telegram=found.telegram,
                    split=f"{found.payout_split:g}",
                    # Staff notes: only the staff's type carries them, a model's own view has none.
                    notes=found.notes if isinstance(found, performers.PerformerDetail) else "",
                    photo="1" if found.has_photo else "",
                    created=fmt.day(fmt.local(found.created_at)),
                    linked=",".join(str(u) for u in found.linked_user_ids),
                )
            else:
                self.access = "stage"
            if self.access == "full":
                # The list row carries the expiry flags without reading (and auditing) the documents.
                listed = performers.list_performers(db, actor, search=found.stage_name, per_page=200)
                row = next((r for r in listed.rows if r.id == pid), None)
                if isinstance(row, performers.PerformerRow):
                    self.doc = doc_flag(row.doc_expired, row.doc_expires_soon)
                    self.doc_expiry = fmt.day(row.doc_expiry)
                self.platform_names = platforms.list_platforms(db, actor)
                if actor.can(Cap.TEAM_VIEW):
                    self.model_members = [
                        {"id": str(m.user_id), "name": f"{m.name} ({m.email})"}
                        for m in team.list_members(db, actor)
                        if m.role == "performer"
                    ]
            self.accounts = [
                {"id": str(a.id), "platform": a.platform, "handle": a.handle}
                for a in platforms.list_accounts(db, actor, pid)
            ]
            day = parse_day(self.week_of, today)
            self.week_of = day.isoformat()
            view = shifts.performer_week(db, actor, pid, day, include_cancelled=True)
            first = today.replace(day=1)
            self.hours_label = fmt.date_range(first, today)
            self.hours = [
                {
                    "shifts": str(h.shifts),
                    "hours": f"{h.hours:.2f}",
                    "late": str(h.late),
                    "no_shows": str(h.no_shows),
                }
                for h in attendance.hours_worked(db, actor, first, today, performer_id=pid)
            ]
        self.week_text = week_label(view.week_start, fmt)
        self.days, self.cells = week_payload(view, today, fmt)
        self.missing = False

    def _safe(self):  # type: ignore[no-untyped-def]
        try:
            self._reload()
        except NotFound:
            self.missing = True
            self.profile = dict(_BLANK_PROFILE)
            return None
        except ServiceError as exc:
            return service_error_event(exc, self.router.url.path)
        return None

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        # The route's [performer_id] is a var of the root state, which this state's own var shadows.
        self.performer_id = str(self.parent_state.performer_id if self.parent_state else "")[:12]
        self.tab, self.week_of = "profile", ""
        self.legal, self.legal_loaded = dict(_BLANK_LEGAL), False
        self.profile_errors, self.contact_errors, self.legal_errors = {}, {}, {}
        self.account_errors, self.platform_errors, self.link_errors = {}, {}, {}
        self.photo_error = ""
        self.accounts, self.model_members, self.hours = [], [], []
        return self._safe()

    def _reload_safely(self):  # type: ignore[no-untyped-def]
        return self._safe()

    @rx.event
    def set_tab(self, tab: str):  # type: ignore[no-untyped-def]
        if tab not in {"profile", "accounts", "schedule", "documents"}:
            return None
        self.tab = tab
        if tab == "documents" and not self.legal_loaded:
            return ModelDetailState.load_legal
        return None

    @rx.event
    def load_legal(self):  # type: ignore[no-untyped-def]
        pid = self._pid()
        if pid is None:
            return None
        try:
            with acting(self.router) as (db, actor):
                legal = performers.get_legal(db, actor, pid)
        except ServiceError as exc:
            return service_error_event(exc, self.router.url.path)
        self._set_legal(legal)
        return None

    def _set_legal(self, legal: performers.LegalDetails) -> None:
        self.legal = {
            "legal_name": legal.legal_name,
            "birth_date": legal.birth_date.isoformat() if legal.birth_date else "",
            "doc_type": legal.doc_type,
            "doc_type_label": DOCUMENT_LABELS.get(legal.doc_type, legal.doc_type),  # type: ignore[call-overload]
            "doc_number": legal.doc_number,
            "doc_country": legal.doc_country,
            "doc_expiry": legal.doc_expiry.isoformat() if legal.doc_expiry else "",
            "expired": "1" if legal.doc_expired else "",
        }
        self.legal_loaded = True

    # ------------------------------------------------------------ profile

    @rx.event
    def save_profile(self, form: dict):  # type: ignore[no-untyped-def]
        self.profile_errors = {}
        pid = self._pid()
        if pid is None:
            return None

        def f(key: str) -> str:
            return str(form.get(key, "") or "")

        profile = performers.ProfileInput(
            stage_name=f("stage_name"),
            status=f("status"),
            email=f("email"),
            phone=f("phone"),
            telegram=f("telegram"),
            payout_split=f("payout_split"),
            notes=f("notes"),
        )
        try:
            with acting(self.router) as (db, actor):
                performers.update_profile(db, actor, pid, profile)
        except ValidationFailed as exc:
            self.profile_errors = exc.errors
            return None
        except ServiceError as exc:
            return service_error_event(exc, self.router.url.path)
        return events(self._safe(), rx.toast.success("Profile saved."))

    @rx.event
    def save_contact(self, form: dict):  # type: ignore[no-untyped-def]
        self.contact_errors = {}
        pid = self._pid()
        if pid is None:
            return None
        try:
            with acting(self.router) as (db, actor):
                performers.update_contact(
                    db,
                    actor,
                    pid,
                    email=str(form.get("email", "")),
                    phone=str(form.get("phone", "")),
                    telegram=str(form.get("telegram", "")),
                )
        except ValidationFailed as exc:
            self.contact_errors = exc.errors
            return None
        except ServiceError as exc:
            return service_error_event(exc, self.router.url.path)
        return events(self._safe(), rx.toast.success("Contact details saved."))

    @rx.event
    def save_legal(self, form: dict):  # type: ignore[no-untyped-def]
        self.legal_errors = {}
        pid = self._pid()
        if pid is None:
            return None

        legal = performers.LegalInput.from_form(form)
        try:
            with acting(self.router) as (db, actor):
                saved = performers.update_legal(db, actor, pid, legal)
        except ValidationFailed as exc:
            self.legal_errors = exc.errors
            return None
        except ServiceError as exc:
            return service_error_event(exc, self.router.url.path)
        self._set_legal(saved)
        return events(self._safe(), rx.toast.success("Identity and document saved."))

    @rx.event
    def link_member(self, user_id: str):  # type: ignore[no-untyped-def]
        self.link_errors = {}
        pid, uid = self._pid(), parse_int(user_id)
        if pid is None or uid is None:
            return None
        try:
            with acting(self.router) as (db, actor):
                performers.link_account(db, actor, pid, uid)
        except ValidationFailed as exc:
            self.link_errors = exc.errors
            return None
        except ServiceError as exc:
            return service_error_event(exc, self.router.url.path)
        return events(self._safe(), rx.toast.success("Account linked: she now sees her own schedule."))

    @rx.event
    def invite_model(self, form: dict):  # type: ignore[no-untyped-def]
        self.link_errors = {}
        pid = self._pid()
        if pid is None:
            return None
        try:
            with acting(self.router) as (db, actor):
                row = team.invite(
                    db, actor, email=str(form.get("email", "")), role="performer", performer_id=pid
                )
        except ValidationFailed as exc:
            self.link_errors = exc.errors
            return None
        except ServiceError as exc:
            return service_error_event(exc, self.router.url.path)
        return rx.toast.success(
            f"Invitation sent to {row.email}. Her account links to this profile when she accepts."
        )

    # ------------------------------------------------------------ photo

    @rx.event
    async def upload_photo(self, files: list[rx.UploadFile]):  # type: ignore[no-untyped-def]
        self.photo_error = ""
        pid = self._pid()
        if pid is None or not files:
            return None
        data = await files[0].read()
        try:
            with acting(self.router) as (db, actor):
                photos.upload_photo(db, actor, pid, data)
        except ValidationFailed as exc:
            self.photo_error = exc.errors.get("photo", exc.message)
            return None
        except ServiceError as exc:
            return service_error_event(exc, self.router.url.path)
        self.photo_version += 1
        self.profile["photo"] = "1"
        return rx.toast.success("Photo saved.")

    @rx.event
    def remove_photo(self):  # type: ignore[no-untyped-def]
        pid = self._pid()
        if pid is None:
            return None
        try:
            with acting(self.router) as (db, actor):
                photos.delete_photo(db, actor, pid)
        except ServiceError as exc:
            return service_error_event(exc, self.router.url.path)
        self.photo_version += 1
        self.profile["photo"] = ""
        return rx.toast.success("Photo removed.")

    # ------------------------------------------------------------ platform accounts

    @rx.event
    def add_account(self, form: dict):  # type: ignore[no-untyped-def]
        self.account_errors = {}
        pid = self._pid()
        if pid is None:
            return None
        try:
            with acting(self.router) as (db, actor):
                row = platforms.add_account(
                    db, actor, pid, str(form.get("platform", "")), str(form.get("handle", ""))
                )
        except ValidationFailed as exc:
            self.account_errors = exc.errors
            return None
        except ServiceError as exc:
            return service_error_event(exc, self.router.url.path)
        return events(
            self._safe(),
            rx.toast.success(f"{row.platform} handle {row.handle} added."),
            rx.set_value("handle", ""),
        )

    @rx.event
    def remove_account(self, account_id: str):  # type: ignore[no-untyped-def]
        aid = parse_int(account_id)
        if aid is None:
            return None
        try:
            with acting(self.router) as (db, actor):
                platforms.remove_account(db, actor, aid)
        except ServiceError as exc:
            return service_error_event(exc, self.router.url.path)
        return events(self._safe(), rx.toast.success("Platform account removed."))

    @rx.event
    def add_platform(self, form: dict):  # type: ignore[no-untyped-def]
        self.platform_errors = {}
        try:
            with acting(self.router) as (db, actor):
                name = platforms.add_platform(db, actor, str(form.get("platform_name", "")))
        except ValidationFailed as exc:
            self.platform_errors = exc.errors
            return None
        except ServiceError as exc:
            return service_error_event(exc, self.router.url.path)
        return events(
            self._safe(),
            rx.toast.success(f"{name} added to the platforms."),
            rx.set_value("platform_name", ""),
        )


# ---------------------------------------------------------------- components

S = ModelDetailState


def _doc_callout() -> rx.Component:
    return rx.match(
        S.doc,
        (
            "expired",
            rx.callout(
                "Her ID document expired on " + S.doc_expiry + ". She must not stream until it is renewed; "
                "update it in the Documents tab.",
                icon="octagon-alert",
                color_scheme="red",
                variant="surface",
                width="100%",
                id="doc-expired-callout",
            ),
        ),
        (
            "soon",
            rx.callout(
                "Her ID document expires on "
                + S.doc_expiry
                + " (within 30 days). Ask her for the renewed one.",
                icon="clock",
                color_scheme="orange",
                width="100%",
                id="doc-soon-callout",
            ),
        ),
        rx.fragment(),
    )


def _photo() -> rx.Component:
    src = "/api/photos/" + S.performer_id + "?v=" + S.photo_version.to_string()
    picture = rx.cond(
        S.profile["photo"] != "",
        rx.image(
            src=src,
            width="128px",
            height="128px",
            object_fit="cover",
            border_radius="12px",
            alt="Photo of " + S.profile["stage_name"],
            id="model-photo",
        ),
        rx.center(
            rx.icon("user", size=40, color=rx.color("gray", 8)),
            width="128px",
            height="128px",
            border_radius="12px",
            background=rx.color("gray", 3),
        ),
    )
    return rx.vstack(
        picture,
        rx.cond(
            S.access == "full",
            rx.vstack(
                rx.upload(
                    rx.button(
                        rx.icon("upload", size=14), "Upload photo", size="1", variant="soft", type="button"
                    ),
                    id="photo-upload",
                    multiple=False,
                    max_files=1,
                    accept={"image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"], "image/webp": [".webp"]},
                    on_drop=S.upload_photo(rx.upload_files(upload_id="photo-upload")),
                    border="none",
                    padding="0",
                ),
                rx.cond(
                    S.profile["photo"] != "",
                    confirm_dialog(
                        rx.button("Remove", size="1", variant="ghost", color_scheme="red", id="remove-photo"),
                        "Remove the photo?",
                        "The photo of " + S.profile["stage_name"] + " is deleted. You can upload a new one.",
                        "Remove",
                        S.remove_photo,
                        id_="remove-photo-confirm",
                    ),
                    rx.fragment(),
                ),
                rx.text("JPEG, PNG or WebP, up to 5 MB.", size="1", color_scheme="gray"),
                rx.cond(
                    S.photo_error != "",
                    rx.text(S.photo_error, color_scheme="red", size="1", id="error-photo", role="alert"),
                    rx.fragment(),
                ),
                spacing="1",
                align="start",
            ),
            rx.fragment(),
        ),
        spacing="2",
        align="start",
        width="10rem",
    )


def _profile_form() -> rx.Component:
    e, p = S.profile_errors, S.profile
    return rx.form(
        rx.vstack(
            rx.grid(
                form_field("Stage name", "stage_name", e, default_value=p["stage_name"], max_length=80),
                rx.vstack(
                    rx.el.label("Status", html_for="status", class_name="field-label"),
                    rx.select.root(
                        rx.select.trigger(id="status", width="100%"),
                        rx.select.content(
                            *[rx.select.item(o["label"], value=o["value"]) for o in STATUS_OPTIONS]
                        ),
                        name="status",
                        default_value=p["status"],
                        size="3",
                    ),
                    field_error(e, "status"),
                    spacing="1",
                    width="100%",
                    align="start",
                ),
                form_field("Email", "email", e, type="email", default_value=p["email"]),
                form_field("Phone", "phone", e, default_value=p["phone"]),
                form_field("Telegram", "telegram", e, default_value=p["telegram"]),
                form_field("Payout split (%)", "payout_split", e, default_value=p["split"]),
                columns="2",
                spacing="3",
                width="100%",
            ),
            rx.el.label("Notes", html_for="notes", class_name="field-label"),
            rx.text_area(
                name="notes",
                id="notes",
                default_value=p["notes"],
                width="100%",
                max_length=performers.NOTES_MAX,
            ),
            rx.text(
                f"Only owners and managers see these notes. At most {performers.NOTES_MAX:,} characters.",
                size="1",
                color_scheme="gray",
            ),
            field_error(e, "notes"),
            rx.button("Save profile", type="submit", id="profile-submit"),
            spacing="2",
            width="100%",
        ),
        on_submit=S.save_profile,
        reset_on_submit=False,
        key=p["id"] + p["stage_name"],
    )


def _contact_form() -> rx.Component:
    e, p = S.contact_errors, S.profile
    return rx.form(
        rx.vstack(
            rx.text(
                "Your contact details: the studio uses them to reach you.", size="2", color_scheme="gray"
            ),
            form_field("Email", "email", e, type="email", default_value=p["email"]),
            form_field("Phone", "phone", e, default_value=p["phone"]),
            form_field("Telegram", "telegram", e, default_value=p["telegram"]),
            rx.button("Save contact details", type="submit", id="contact-submit"),
            spacing="2",
            width="100%",
            max_width="28rem",
        ),
        on_submit=S.save_contact,
        reset_on_submit=False,
        key=p["id"],
    )


def _link_section() -> rx.Component:
    return rx.vstack(
        rx.heading("Her StudioOS account", size="3"),
        rx.cond(
            S.profile["linked"] != "",
            rx.text(
                "Linked: she sees her own profile and schedule.",
                size="2",
                color_scheme="green",
                id="linked-account",
            ),
            rx.vstack(
                rx.text(
                    "Not linked yet. Invite her by email: accepting the invitation links her account "
                    "to this profile.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.form(
                    rx.hstack(
                        rx.input(
                            name="email",
                            type="email",
                            placeholder="her@email.com",
                            # Her profile's email, when it has one: that is where the invitation goes.
                            default_value=S.profile["email"],
                            key=S.profile["id"] + ":" + S.profile["email"],
                            id="model-invite-email",
                            width="18rem",
                        ),
                        rx.button("Send invitation", type="submit", variant="soft", id="model-invite-submit"),
                        class_name="phone-stack",
                    ),
                    on_submit=S.invite_model,
                    reset_on_submit=True,
                ),
                field_error(S.link_errors, "email"),
                field_error(S.link_errors, "role"),
                rx.cond(
                    S.model_members.length() > 0,
                    rx.select.root(
                        rx.select.trigger(placeholder="Or link an existing Model account", id="link-account"),
                        rx.select.content(
                            rx.foreach(S.model_members, lambda m: rx.select.item(m["name"], value=m["id"]))
                        ),
                        on_change=S.link_member,
                    ),
                    rx.fragment(),
                ),
                field_error(S.link_errors, "user_id"),
                spacing="2",
                align="start",
            ),
        ),
        spacing="2",
        align="start",
        margin_top="1rem",
    )


def _profile_tab() -> rx.Component:
    return rx.hstack(
        _photo(),
        rx.box(
            rx.match(
                S.access,
                ("full", rx.vstack(_profile_form(), _link_section(), width="100%")),
                ("own", _contact_form()),
                rx.vstack(
                    rx.text("Stage name: ", S.profile["stage_name"]),
                    rx.text("Analysts see stage names and status only.", size="2", color_scheme="gray"),
                ),
            ),
            flex="1",
            min_width="0",
        ),
        spacing="6",
        align="start",
        width="100%",
        class_name="phone-stack",
    )


def _accounts_tab() -> rx.Component:
    e = S.account_errors
    table = rx.cond(
        S.accounts.length() > 0,
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Platform"),
                    rx.table.column_header_cell("Handle"),
                    rx.table.column_header_cell(""),
                )
            ),
            rx.table.body(
                rx.foreach(
                    S.accounts,
                    lambda a: rx.table.row(
                        rx.table.cell(a["platform"]),
                        rx.table.cell(rx.code(a["handle"])),
                        rx.table.cell(
                            rx.cond(
                                S.access == "full",
                                confirm_dialog(
                                    rx.icon_button(
                                        rx.icon("trash-2", size=14),
                                        variant="ghost",
                                        color_scheme="red",
                                        aria_label="Remove",
                                    ),
                                    "Remove this platform account?",
                                    "The " + a["platform"] + " account " + a["handle"] + " is removed from "
                                    "this model's profile. Earnings already imported stay; you can add "
                                    "the account again.",
                                    "Remove",
                                    S.remove_account(a["id"]),
                                    id_="remove-account",
                                ),
                                rx.fragment(),
                            )
                        ),
                        data_account_id=a["id"],
                    ),
                )
            ),
            width="100%",
            id="accounts-table",
        ),
        empty_state(
            "at-sign",
            "No platform accounts yet",
            rx.cond(
                S.access == "full",
                "Add her handle on each platform she streams on, below.",
                "The studio adds her handles on each platform.",
            ),
        ),
    )
    add = rx.vstack(
        rx.form(
            rx.hstack(
                rx.vstack(
                    rx.select.root(
                        rx.select.trigger(placeholder="Platform", id="account-platform"),
                        rx.select.content(rx.foreach(S.platform_names, lambda n: rx.select.item(n, value=n))),
                        name="platform",
                        size="3",
                    ),
                    field_error(e, "platform"),
                    spacing="1",
                ),
                rx.vstack(
                    rx.input(name="handle", id="handle", placeholder="handle", size="3", max_length=80),
                    field_error(e, "handle"),
                    spacing="1",
                ),
                rx.button("Add account", type="submit", size="3", id="account-submit"),
                align="start",
                spacing="3",
                class_name="phone-stack",
            ),
            on_submit=S.add_account,
            reset_on_submit=False,
        ),
        rx.form(
            rx.hstack(
                rx.input(
                    name="platform_name",
                    id="platform_name",
                    placeholder="Another platform",
                    size="1",
                    max_length=60,
                ),
                rx.button("Add to list", type="submit", size="1", variant="soft", id="platform-submit"),
                field_error(S.platform_errors, "name"),
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            on_submit=S.add_platform,
            reset_on_submit=False,
        ),
        spacing="3",
        margin_top="1rem",
    )
    return rx.vstack(table, rx.cond(S.access == "full", add, rx.fragment()), width="100%")


def _schedule_tab() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            week_nav(S),
            rx.spacer(),
            rx.cond(
                SessionState.caps.contains(Cap.SCHEDULE_MANAGE.value),
                rx.link(rx.button("Book shifts", variant="soft"), href="/schedule"),
                rx.fragment(),
            ),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        week_calendar(S, show_room=True),
        rx.heading("This month (" + S.hours_label + ")", size="3", margin_top="1rem"),
        rx.cond(
            S.hours.length() > 0,
            rx.hstack(
                rx.badge(S.hours[0]["shifts"] + " shifts", size="2"),
                rx.badge(
                    S.hours[0]["hours"] + " h worked", size="2", color_scheme="green", id="hours-worked"
                ),
                rx.badge(S.hours[0]["late"] + " late", size="2", color_scheme="orange"),
                rx.badge(S.hours[0]["no_shows"] + " no-shows", size="2", color_scheme="red"),
                spacing="2",
                wrap="wrap",
            ),
            rx.text("No shifts this month yet.", size="2", color_scheme="gray"),
        ),
        spacing="3",
        width="100%",
    )


def _documents_tab() -> rx.Component:
    e, lg = S.legal_errors, S.legal
    return rx.cond(
        S.legal_loaded,
        rx.vstack(
            rx.cond(
                lg["expired"] != "",
                rx.callout(
                    "This document has expired. Enter the renewed one.",
                    icon="octagon-alert",
                    color_scheme="red",
                    variant="surface",
                    width="100%",
                ),
                rx.fragment(),
            ),
            rx.text(
                "Encrypted at rest. Every time this tab is opened, the audit log records who looked.",
                size="1",
                color_scheme="gray",
            ),
            rx.form(
                rx.vstack(
                    rx.grid(
                        form_field(
                            "Legal name", "legal_name", e, default_value=lg["legal_name"], max_length=160
                        ),
                        form_field(
                            "Birth date", "birth_date", e, type="date", default_value=lg["birth_date"]
                        ),
                        rx.vstack(
                            rx.el.label("ID document", html_for="doc_type", class_name="field-label"),
                            rx.select.root(
                                rx.select.trigger(id="doc_type", placeholder="Type", width="100%"),
                                rx.select.content(
                                    *[rx.select.item(o["label"], value=o["value"]) for o in DOC_OPTIONS]
                                ),
                                name="doc_type",
                                default_value=lg["doc_type"],
                                size="3",
                            ),
                            field_error(e, "doc_type"),
                            spacing="1",
                            width="100%",
                            align="start",
                        ),
                        form_field(
                            "Document number", "doc_number", e, default_value=lg["doc_number"], max_length=40
                        ),
                        form_field(
                            "Issuing country",
                            "doc_country",
                            e,
                            default_value=lg["doc_country"],
                            max_length=3,
                            placeholder="RO",
                        ),
                        form_field("Expires", "doc_expiry", e, type="date", default_value=lg["doc_expiry"]),
                        columns="2",
                        spacing="3",
                        width="100%",
                    ),
                    rx.button("Save identity", type="submit", id="legal-submit"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=S.save_legal,
                reset_on_submit=False,
                key=lg["doc_expiry"] + lg["legal_name"],
            ),
            spacing="3",
            width="100%",
        ),
        rx.center(rx.spinner(), padding="2rem", width="100%"),
    )


def body() -> rx.Component:
    can_legal = SessionState.caps.contains(Cap.LEGAL_FIELDS.value)
    return rx.cond(
        S.missing,
        empty_state(
            "user-x",
            "No such model",
            "This model does not exist in your studio, or you may not see her.",
            rx.link(rx.button("Back to models", variant="soft"), href="/models"),
        ),
        rx.vstack(
            # A model reading her own profile may not open the Models list: her way back is her schedule.
            rx.link(
                rx.hstack(
                    rx.icon("arrow-left", size=14),
                    rx.text(rx.cond(S.access == "own", "My schedule", "Models"), size="2"),
                    align="center",
                ),
                href=rx.cond(S.access == "own", "/my-schedule", "/models"),
                color_scheme="gray",
                id="back-link",
            ),
            page_header(
                S.profile["stage_name"],
                rx.cond(S.profile["created"] != "", "Model since " + S.profile["created"], ""),
                status_badge(S.profile["status_label"], S.profile["color"]),
                rx.cond(S.access == "full", doc_badge(S.doc, S.doc_expiry, labelled=True), rx.fragment()),
            ),
            _doc_callout(),
            card(
                rx.tabs.root(
                    rx.tabs.list(
                        rx.tabs.trigger("Profile", value="profile", id="tab-profile"),
                        rx.tabs.trigger("Platform accounts", value="accounts", id="tab-accounts"),
                        rx.tabs.trigger("Schedule", value="schedule", id="tab-schedule"),
                        rx.cond(
                            can_legal & (S.access == "full"),
                            rx.tabs.trigger("Documents", value="documents", id="tab-documents"),
                            rx.fragment(),
                        ),
                    ),
                    rx.tabs.content(rx.box(_profile_tab(), padding_top="1rem"), value="profile"),
                    rx.tabs.content(rx.box(_accounts_tab(), padding_top="1rem"), value="accounts"),
                    rx.tabs.content(rx.box(_schedule_tab(), padding_top="1rem"), value="schedule"),
                    rx.cond(
                        can_legal & (S.access == "full"),
                        rx.tabs.content(rx.box(_documents_tab(), padding_top="1rem"), value="documents"),
                        rx.fragment(),
                    ),
                    value=S.tab,
                    on_change=S.set_tab,
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
        ),
    )


def page() -> rx.Component:
    # No page-level cap: staff and analysts reach any model, a model her own profile; the services decide.
    return shell(body())
