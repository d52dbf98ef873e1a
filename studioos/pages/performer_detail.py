"""One model: profile, platform accounts, schedule and (owners/managers) identity documents.

What a role gets is decided by the services' DTOs: an analyst's profile is a PerformerStageRow (stage
name and status only), so no contact or legal value ever reaches her browser.

The page's state holds what every tab shows (the header: her profile and document flags); each tab
is a substate of it holding its own data, loaded when the tab is opened, so a tab's events load only
that tab and the header. The documents tab is loaded only when opened because every read of it is
written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

import reflex as rx
from reflex.vars import ArrayVar, ObjectVar, Var

from studioos.api.guard import MAX_UPLOAD_BYTES
from studioos.models import Role
from studioos.pages.performers import (
    DOC_OPTIONS,
    STATUS_OPTIONS,
    doc_badge,
    status_badge,
    status_color,
    status_label,
)
from studioos.services import attendance, performers, photos, platforms, shifts, team
from studioos.services.errors import NotFound
from studioos.services.formatting import Formats, for_actor
from studioos.services.permissions import Cap
from studioos.ui import toast
from studioos.ui.binding import SealedVars
from studioos.ui.calendar import (
    WeekNav,
    parse_day,
    parse_int,
    week_calendar,
    week_label,
    week_nav,
    week_payload,
)
from studioos.ui.components import card, confirm_dialog, empty_state, field_error, form_field, page_header
from studioos.ui.layout import shell
from studioos.ui.service_call import Answer, ServicePage, service_event
from studioos.ui.session import SessionState

UPLOAD_LIMIT_MB = MAX_UPLOAD_BYTES // 2**20  # what the upload guard lets through (10 MB)


def _photo_rejected(rejected: Var) -> rx.event.EventSpec:
    """The browser refused the file before sending it: say why, in the page's words, right there
    (only the reasons are read: the rejected File itself never travels)."""
    codes = (
        rejected.to(ArrayVar)
        .map(
            lambda r: r.to(ObjectVar)["errors"].to(ArrayVar).map(lambda e: e.to(ObjectVar)["code"]).join(",")
        )
        .join(",")
    )
    return toast.error(
        rx.cond(
            codes.contains("file-too-large"),
            f"The photo is over {UPLOAD_LIMIT_MB} MB; the limit is {photos.MAX_BYTES // 2**20} MB.",
            rx.cond(
                codes.contains("file-invalid-type"),
                "This file is not a JPEG, PNG or WebP image.",
                "Choose one photo: a JPEG, PNG or WebP image.",
            ),
        )
    )


class Access(StrEnum):
    """How much of her profile the viewer gets (the type of the service's answer says it)."""

    FULL = "full"  # owners and managers
    OWN = "own"  # the model herself
    STAGE = "stage"  # analysts: stage name and status


class Tab(StrEnum):
    PROFILE = "profile"
    ACCOUNTS = "accounts"
    SCHEDULE = "schedule"
    DOCUMENTS = "documents"


@dataclass(frozen=True)
class ProfileView:
    """The header and the profile tab. Contact fields and notes stay blank unless the service's
    answer carries them; the document flags are the staff's only."""

    id: int = 0
    stage_name: str = ""
    status: str = ""
    status_label: str = ""
    color: str = "gray"
    email: str = ""
    phone: str = ""
    telegram: str = ""
    split: str = ""
    notes: str = ""
    has_photo: bool = False
    created: str = ""
    linked: bool = False
    doc_expired: bool = False
    doc_expires_soon: bool = False
    doc_expiry: str = ""

    @classmethod
    def of(
        cls,
        found: performers.PerformerDetail | performers.OwnProfile | performers.PerformerStageRow,
        fmt: Formats,
    ) -> ProfileView:
        stage = cls(
            id=found.id,
            stage_name=found.stage_name,
            status=found.status,
            status_label=status_label(found.status),
            color=status_color(found.status),
        )
        if not isinstance(found, performers.OwnProfile):
            return stage
        own = replace(
            stage,
            email=found.email,
            phone=found.phone,
            telegram=found.telegram,
            split=f"{found.payout_split:g}",
            has_photo=found.has_photo,
            created=fmt.day(fmt.local(found.created_at)),
            linked=bool(found.linked_user_ids),
        )
        if not isinstance(found, performers.PerformerDetail):
            return own  # her own view: the staff's notes and document flags are not on its type
        return replace(
            own,
            notes=found.notes,
            doc_expired=found.doc_expired,
            doc_expires_soon=found.doc_expires_soon,
            doc_expiry=fmt.day(found.doc_expiry),
        )


def access_of(
    found: performers.PerformerDetail | performers.OwnProfile | performers.PerformerStageRow,
) -> Access:
    if isinstance(found, performers.PerformerDetail):
        return Access.FULL
    return Access.OWN if isinstance(found, performers.OwnProfile) else Access.STAGE


@dataclass(frozen=True)
class MemberOption:
    """A member with the Model role, offered for linking to this profile."""

    user_id: int
    label: str


@dataclass(frozen=True)
class AccountRow:
    id: int
    platform: str
    handle: str


@dataclass(frozen=True)
class HoursView:
    shifts: int = 0
    hours: str = "0.00"
    late: int = 0
    no_shows: int = 0


@dataclass(frozen=True)
class LegalView:
    """The documents tab's form; the dates are ISO, as <input type=date> takes them."""

    legal_name: str = ""
    birth_date: str = ""
    doc_type: str = ""
    doc_number: str = ""
    doc_country: str = ""
    doc_expiry: str = ""
    expired: bool = False

    @classmethod
    def of(cls, legal: performers.LegalDetails) -> LegalView:
        return cls(
            legal_name=legal.legal_name,
            birth_date=legal.birth_date.isoformat() if legal.birth_date else "",
            doc_type=legal.doc_type,
            doc_number=legal.doc_number,
            doc_country=legal.doc_country,
            doc_expiry=legal.doc_expiry.isoformat() if legal.doc_expiry else "",
            expired=legal.doc_expired,
        )


TabState = TypeVar("TabState", bound="PerformerDetailState")


class PerformerDetailState(SealedVars, ServicePage, rx.State):
    """The header every tab shares; its events (page load, switching tabs) reach every tab."""

    # Decrypted contact data and staff notes never rest in the state store in clear.
    _sealed: ClassVar[tuple[str, ...]] = ("profile",)
    performer_id: str = ""
    missing: bool = False
    access: str = Access.STAGE.value
    profile: ProfileView = ProfileView()
    # Bumped on every photo change, so the browser fetches the new picture (kept across page loads).
    photo_version: int = 0
    tab: str = Tab.PROFILE.value

    def _pid(self) -> int:
        pid = parse_int(self.performer_id)
        if pid is None:
            raise NotFound()
        return pid

    def _reload(self) -> None:
        """The header: her profile as this viewer may see it, or "no such model"."""
        with self._acting() as (db, actor):
            found = performers.find_performer(db, actor, parse_int(self.performer_id))
            fmt = for_actor(actor)
        self.missing = found is None
        self.profile = ProfileView() if found is None else ProfileView.of(found, fmt)
        self.access = Access.STAGE.value if found is None else access_of(found).value

    def _tab(self, cls: type[TabState]) -> TabState:
        # An event of this state has every tab's substate loaded (they are its substates).
        tab = self.get_substate([cls.get_name()])
        assert isinstance(tab, cls)
        return tab

    @service_event
    def load(self) -> Answer:
        # The route's [performer_id] is a var of the root state, which this state's own var shadows.
        self.performer_id = str(self.parent_state.performer_id if self.parent_state else "")[:12]
        self.tab = Tab.PROFILE.value
        for cls in TABS.values():
            self._tab(cls).reset()  # another model's tabs must not show, even for a moment
        self._reload()
        if not self.missing:
            # In this same event (its substates are loaded with it): the page draws with the
            # profile tab filled, and nothing the user does first can land between the two.
            self._tab(ProfileTab)._fill()
        return None

    @rx.event
    def set_tab(self, tab: str) -> Answer:
        if tab not in TABS:
            return None
        self.tab = tab
        return TABS[Tab(tab)].load_tab


class ProfileTab(PerformerDetailState):
    """Her profile (staff) or contact details (herself), photo and StudioOS account."""

    profile_errors: dict[str, str] = {}
    contact_errors: dict[str, str] = {}
    link_errors: dict[str, str] = {}
    photo_errors: dict[str, str] = {}
    model_members: list[MemberOption] = []

    @service_event
    def load_tab(self) -> None:
        self._fill()

    def _fill(self) -> None:
        self.profile_errors, self.contact_errors, self.link_errors, self.photo_errors = {}, {}, {}, {}
        self.model_members = []
        if self.access != Access.FULL:
            return
        with self._acting() as (db, actor):
            if actor.can(Cap.TEAM_VIEW):
                self.model_members = [
                    MemberOption(m.user_id, f"{m.name} ({m.email})")
                    for m in team.list_members(db, actor)
                    if m.role == Role.PERFORMER
                ]

    @service_event(errors="profile_errors")
    def save_profile(self, form: dict[str, Any]) -> Answer:
        self._call(performers.update_profile, self._pid(), performers.ProfileInput.from_form(form))
        self._reload()
        return toast.success("Profile saved.")

    @service_event(errors="contact_errors")
    def save_contact(self, form: dict[str, Any]) -> Answer:
        self._call(
            performers.update_contact,
            self._pid(),
            email=str(form.get("email", "")),
            phone=str(form.get("phone", "")),
            telegram=str(form.get("telegram", "")),
        )
        self._reload()
        return toast.success("Contact details saved.")

    @service_event(errors="link_errors")
    def link_member(self, user_id: str) -> Answer:
        uid = parse_int(user_id)
        if uid is None:
            return None
        self._call(performers.link_account, self._pid(), uid)
        self._reload()
        return toast.success("Account linked: she now sees her own schedule.")

    @service_event(errors="link_errors")
    def invite_model(self, form: dict[str, Any]) -> Answer:
        row = self._call(
            team.invite, email=str(form.get("email", "")), role=Role.PERFORMER, performer_id=self._pid()
        )
        return toast.success(
            f"Invitation sent to {row.email}. Her account links to this profile when she accepts."
        )

    @service_event(errors="photo_errors")
    def upload_photo(self, files: list[rx.UploadFile]) -> Answer:
        if not files:
            return None
        self._call(photos.upload_photo, self._pid(), files[0].file.read())
        self.photo_version += 1
        self.profile = replace(self.profile, has_photo=True)
        return toast.success("Photo saved.")

    @service_event
    def remove_photo(self) -> Answer:
        self._call(photos.delete_photo, self._pid())
        self.photo_version += 1
        self.profile = replace(self.profile, has_photo=False)
        return toast.success("Photo removed.")


class AccountsTab(PerformerDetailState):
    """Her handles on the cam platforms; staff add and remove them."""

    accounts: list[AccountRow] = []
    platform_names: list[str] = []
    account_errors: dict[str, str] = {}
    platform_errors: dict[str, str] = {}

    def _reload(self) -> None:
        pid = self._pid()
        with self._acting() as (db, actor):
            self.accounts = [
                AccountRow(a.id, a.platform, a.handle) for a in platforms.list_accounts(db, actor, pid)
            ]
            full = self.access == Access.FULL
            self.platform_names = platforms.list_platforms(db, actor) if full else []

    @service_event
    def load_tab(self) -> None:
        self._fill()

    def _fill(self) -> None:
        self.account_errors, self.platform_errors = {}, {}
        self._reload()

    @service_event(errors="account_errors")
    def add_account(self, form: dict[str, Any]) -> Answer:
        row = self._call(
            platforms.add_account, self._pid(), str(form.get("platform", "")), str(form.get("handle", ""))
        )
        self._reload()
        return [toast.success(f"{row.platform} handle {row.handle} added."), rx.set_value("handle", "")]

    @service_event
    def remove_account(self, account_id: int) -> Answer:
        aid = parse_int(account_id)
        if aid is None:
            return None
        self._call(platforms.remove_account, aid)
        self._reload()
        return toast.success("Platform account removed.")

    @service_event(errors="platform_errors")
    def add_platform(self, form: dict[str, Any]) -> Answer:
        name = self._call(platforms.add_platform, str(form.get("platform_name", "")))
        self._reload()
        return [toast.success(f"{name} added to the platforms."), rx.set_value("platform_name", "")]


class ScheduleTab(WeekNav, PerformerDetailState):
    """Her week (previous / next week) and this month's hours."""

    hours_label: str = ""
    has_hours: bool = False
    hours: HoursView = HoursView()

    def _reload(self) -> None:
        pid = self._pid()
        with self._acting() as (db, actor):
            today, fmt = actor.today(), for_actor(actor)
            day = parse_day(self.week_of, today)
            view = shifts.performer_week(db, actor, pid, day, include_cancelled=True)
            first = today.replace(day=1)
            worked = attendance.hours_worked(db, actor, first, today, performer_id=pid)
        self.week_of = day.isoformat()
        self.week_text = week_label(view.week_start, fmt)
        self.days, self.cells = week_payload(view, today, fmt)
        self.hours_label = fmt.date_range(first, today)
        self.has_hours = bool(worked)
        self.hours = (
            HoursView(worked[0].shifts, f"{worked[0].hours:.2f}", worked[0].late, worked[0].no_shows)
            if worked
            else HoursView()
        )

    @service_event
    def load_tab(self) -> None:
        self._fill()

    def _fill(self) -> None:
        self._reload()


class DocumentsTab(PerformerDetailState):
    """Legal name, birth date and ID document (owners and managers); every opening is audited."""

    # Decrypted legal identity never rests in the state store in clear.
    _sealed: ClassVar[tuple[str, ...]] = ("legal",)
    legal: LegalView = LegalView()
    legal_loaded: bool = False
    legal_errors: dict[str, str] = {}

    @service_event
    def load_tab(self) -> None:
        self._fill()

    def _fill(self) -> None:
        self.legal_errors = {}
        if not self.legal_loaded:
            self.legal = LegalView.of(self._call(performers.get_legal, self._pid()))
            self.legal_loaded = True

    @service_event(errors="legal_errors")
    def save_legal(self, form: dict[str, Any]) -> Answer:
        saved = self._call(performers.update_legal, self._pid(), performers.LegalInput.from_form(form))
        self.legal, self.legal_loaded = LegalView.of(saved), True
        self._reload()  # the header's document flags
        return toast.success("Identity and document saved.")


TABS: dict[Tab, type[PerformerDetailState]] = {
    Tab.PROFILE: ProfileTab,
    Tab.ACCOUNTS: AccountsTab,
    Tab.SCHEDULE: ScheduleTab,
    Tab.DOCUMENTS: DocumentsTab,
}


# ---------------------------------------------------------------- components

S = PerformerDetailState


def _doc_callout() -> rx.Component:
    p = S.profile
    return rx.cond(
        p.doc_expired,
        rx.callout(
            "Her ID document expired on " + p.doc_expiry + ". She must not stream until it is renewed; "
            "update it in the Documents tab.",
            icon="octagon-alert",
            color_scheme="red",
            variant="surface",
            width="100%",
            id="doc-expired-callout",
        ),
        rx.cond(
            p.doc_expires_soon,
            rx.callout(
                "Her ID document expires on "
                + p.doc_expiry
                + f" (within {performers.EXPIRY_WARNING_DAYS} days). Ask her for the renewed one.",
                icon="clock",
                color_scheme="orange",
                width="100%",
                id="doc-soon-callout",
            ),
            rx.fragment(),
        ),
    )


def _photo() -> rx.Component:
    src = "/api/photos/" + S.performer_id + "?v=" + S.photo_version.to_string()
    picture = rx.cond(
        S.profile.has_photo,
        rx.image(
            src=src,
            width="128px",
            height="128px",
            object_fit="cover",
            border_radius="12px",
            alt="Photo of " + S.profile.stage_name,
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
            S.access == Access.FULL.value,
            rx.vstack(
                rx.upload(
                    rx.button(
                        rx.icon("upload", size=14), "Upload photo", size="1", variant="soft", type="button"
                    ),
                    id="photo-upload",
                    multiple=False,
                    max_files=1,
                    accept={"image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"], "image/webp": [".webp"]},
                    # Larger files than the upload guard lets through are refused by the browser;
                    # up to it the service checks and answers with the size.
                    max_size=UPLOAD_LIMIT_MB * 2**20,
                    on_drop=ProfileTab.upload_photo(rx.upload_files(upload_id="photo-upload")),
                    on_drop_rejected=_photo_rejected,
                    border="none",
                    padding="0",
                ),
                rx.cond(
                    S.profile.has_photo,
                    confirm_dialog(
                        rx.button("Remove", size="1", variant="ghost", color_scheme="red", id="remove-photo"),
                        "Remove the photo?",
                        "The photo of " + S.profile.stage_name + " is deleted. You can upload a new one.",
                        "Remove",
                        ProfileTab.remove_photo,
                        id_="remove-photo-confirm",
                    ),
                    rx.fragment(),
                ),
                rx.text("JPEG, PNG or WebP, up to 5 MB.", size="1", color_scheme="gray"),
                field_error(ProfileTab.photo_errors, "photo"),
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
    e, p = ProfileTab.profile_errors, S.profile
    return rx.form(
        rx.vstack(
            rx.grid(
                form_field("Stage name", "stage_name", e, default_value=p.stage_name, max_length=80),
                rx.vstack(
                    rx.el.label("Status", html_for="status", class_name="field-label"),
                    rx.select.root(
                        rx.select.trigger(id="status", width="100%"),
                        rx.select.content(
                            *[rx.select.item(o["label"], value=o["value"]) for o in STATUS_OPTIONS]
                        ),
                        name="status",
                        default_value=p.status,
                        size="3",
                    ),
                    field_error(e, "status"),
                    spacing="1",
                    width="100%",
                    align="start",
                ),
                form_field("Email", "email", e, type="email", default_value=p.email),
                form_field("Phone", "phone", e, default_value=p.phone),
                form_field("Telegram", "telegram", e, default_value=p.telegram),
                form_field("Payout split (%)", "payout_split", e, default_value=p.split),
                columns="2",
                spacing="3",
                width="100%",
            ),
            rx.el.label("Notes", html_for="notes", class_name="field-label"),
            rx.text_area(
                name="notes",
                id="notes",
                default_value=p.notes,
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
        on_submit=ProfileTab.save_profile,
        reset_on_submit=False,
        key=p.id.to_string() + p.stage_name,
    )


def _contact_form() -> rx.Component:
    e, p = ProfileTab.contact_errors, S.profile
    return rx.form(
        rx.vstack(
            rx.text(
                "Your contact details: the studio uses them to reach you.", size="2", color_scheme="gray"
            ),
            form_field("Email", "email", e, type="email", default_value=p.email),
            form_field("Phone", "phone", e, default_value=p.phone),
            form_field("Telegram", "telegram", e, default_value=p.telegram),
            rx.button("Save contact details", type="submit", id="contact-submit"),
            spacing="2",
            width="100%",
            max_width="28rem",
        ),
        on_submit=ProfileTab.save_contact,
        reset_on_submit=False,
        key=p.id.to_string(),
    )


def _link_section() -> rx.Component:
    return rx.vstack(
        rx.heading("Her StudioOS account", size="3"),
        rx.cond(
            S.profile.linked,
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
                            default_value=S.profile.email,
                            key=S.profile.id.to_string() + ":" + S.profile.email,
                            id="model-invite-email",
                            width="18rem",
                        ),
                        rx.button("Send invitation", type="submit", variant="soft", id="model-invite-submit"),
                        class_name="phone-stack",
                    ),
                    on_submit=ProfileTab.invite_model,
                    reset_on_submit=True,
                ),
                field_error(ProfileTab.link_errors, "email"),
                field_error(ProfileTab.link_errors, "role"),
                rx.cond(
                    ProfileTab.model_members.length() > 0,
                    rx.select.root(
                        rx.select.trigger(placeholder="Or link an existing Model account", id="link-account"),
                        rx.select.content(
                            rx.foreach(
                                ProfileTab.model_members,
                                lambda m: rx.select.item(m.label, value=m.user_id.to_string()),
                            )
                        ),
                        on_change=ProfileTab.link_member,
                    ),
                    rx.fragment(),
                ),
                field_error(ProfileTab.link_errors, "user_id"),
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
                (Access.FULL.value, rx.vstack(_profile_form(), _link_section(), width="100%")),
                (Access.OWN.value, _contact_form()),
                rx.vstack(
                    rx.text("Stage name: ", S.profile.stage_name),
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
    e, a_ = AccountsTab.account_errors, AccountsTab
    table = rx.cond(
        a_.accounts.length() > 0,
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
                    a_.accounts,
                    lambda a: rx.table.row(
                        rx.table.cell(a.platform),
                        rx.table.cell(rx.code(a.handle)),
                        rx.table.cell(
                            rx.cond(
                                S.access == Access.FULL.value,
                                confirm_dialog(
                                    rx.icon_button(
                                        rx.icon("trash-2", size=14),
                                        variant="ghost",
                                        color_scheme="red",
                                        aria_label="Remove",
                                    ),
                                    "Remove this platform account?",
                                    "The " + a.platform + " account " + a.handle + " is removed from "
                                    "this model's profile. Earnings already imported stay; you can add "
                                    "the account again.",
                                    "Remove",
                                    a_.remove_account(a.id),
                                    id_="remove-account",
                                ),
                                rx.fragment(),
                            )
                        ),
                        data_account_id=a.id.to_string(),
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
                S.access == Access.FULL.value,
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
                        rx.select.content(
                            rx.foreach(a_.platform_names, lambda n: rx.select.item(n, value=n))
                        ),
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
            on_submit=a_.add_account,
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
                field_error(a_.platform_errors, "name"),
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            on_submit=a_.add_platform,
            reset_on_submit=False,
        ),
        spacing="3",
        margin_top="1rem",
    )
    return rx.vstack(table, rx.cond(S.access == Access.FULL.value, add, rx.fragment()), width="100%")


def _schedule_tab() -> rx.Component:
    h = ScheduleTab.hours
    return rx.vstack(
        rx.hstack(
            week_nav(ScheduleTab),
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
        week_calendar(ScheduleTab, show_room=True),
        rx.heading("This month (" + ScheduleTab.hours_label + ")", size="3", margin_top="1rem"),
        rx.cond(
            ScheduleTab.has_hours,
            rx.hstack(
                rx.badge(h.shifts.to_string() + " shifts", size="2"),
                rx.badge(h.hours + " h worked", size="2", color_scheme="green", id="hours-worked"),
                rx.badge(h.late.to_string() + " late", size="2", color_scheme="orange"),
                rx.badge(h.no_shows.to_string() + " no-shows", size="2", color_scheme="red"),
                spacing="2",
                wrap="wrap",
            ),
            rx.text("No shifts this month yet.", size="2", color_scheme="gray"),
        ),
        spacing="3",
        width="100%",
    )


def _documents_tab() -> rx.Component:
    e, lg = DocumentsTab.legal_errors, DocumentsTab.legal
    return rx.cond(
        DocumentsTab.legal_loaded,
        rx.vstack(
            rx.cond(
                lg.expired,
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
                            "Legal name", "legal_name", e, default_value=lg.legal_name, max_length=160
                        ),
                        form_field("Birth date", "birth_date", e, type="date", default_value=lg.birth_date),
                        rx.vstack(
                            rx.el.label("ID document", html_for="doc_type", class_name="field-label"),
                            rx.select.root(
                                rx.select.trigger(id="doc_type", placeholder="Type", width="100%"),
                                rx.select.content(
                                    *[rx.select.item(o["label"], value=o["value"]) for o in DOC_OPTIONS]
                                ),
                                name="doc_type",
                                default_value=lg.doc_type,
                                size="3",
                            ),
                            field_error(e, "doc_type"),
                            spacing="1",
                            width="100%",
                            align="start",
                        ),
                        form_field(
                            "Document number", "doc_number", e, default_value=lg.doc_number, max_length=40
                        ),
                        form_field(
                            "Issuing country",
                            "doc_country",
                            e,
                            default_value=lg.doc_country,
                            max_length=3,
                            placeholder="RO",
                        ),
                        form_field("Expires", "doc_expiry", e, type="date", default_value=lg.doc_expiry),
                        columns="2",
                        spacing="3",
                        width="100%",
                    ),
                    rx.button("Save identity", type="submit", id="legal-submit"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=DocumentsTab.save_legal,
                reset_on_submit=False,
                key=lg.doc_expiry + lg.legal_name,
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
                    rx.text(rx.cond(S.access == Access.OWN.value, "My schedule", "Models"), size="2"),
                    align="center",
                ),
                href=rx.cond(S.access == Access.OWN.value, "/my-schedule", "/models"),
                color_scheme="gray",
                id="back-link",
            ),
            page_header(
                S.profile.stage_name,
                rx.cond(S.profile.created != "", "Model since " + S.profile.created, ""),
                status_badge(S.profile.status_label, S.profile.color),
                rx.cond(
                    S.access == Access.FULL.value,
                    doc_badge(
                        S.profile.doc_expired, S.profile.doc_expires_soon, S.profile.doc_expiry, labelled=True
                    ),
                    rx.fragment(),
                ),
            ),
            _doc_callout(),
            card(
                rx.tabs.root(
                    rx.tabs.list(
                        rx.tabs.trigger("Profile", value=Tab.PROFILE.value, id="tab-profile"),
                        rx.tabs.trigger("Platform accounts", value=Tab.ACCOUNTS.value, id="tab-accounts"),
                        rx.tabs.trigger("Schedule", value=Tab.SCHEDULE.value, id="tab-schedule"),
                        rx.cond(
                            can_legal & (S.access == Access.FULL.value),
                            rx.tabs.trigger("Documents", value=Tab.DOCUMENTS.value, id="tab-documents"),
                            rx.fragment(),
                        ),
                    ),
                    rx.tabs.content(rx.box(_profile_tab(), padding_top="1rem"), value=Tab.PROFILE.value),
                    rx.tabs.content(rx.box(_accounts_tab(), padding_top="1rem"), value=Tab.ACCOUNTS.value),
                    rx.tabs.content(rx.box(_schedule_tab(), padding_top="1rem"), value=Tab.SCHEDULE.value),
                    rx.cond(
                        can_legal & (S.access == Access.FULL.value),
                        rx.tabs.content(
                            rx.box(_documents_tab(), padding_top="1rem"), value=Tab.DOCUMENTS.value
                        ),
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
