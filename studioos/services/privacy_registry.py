"""The one registry of personal data: every column of every table, classified.

The privacy policy promises that export ("a copy of my data") and erasure (account deletion within
30 days) read one list of personal-data fields, so they cannot disagree. This is that list; export
and erasure, still to come, will read it. ``tests/unit/test_privacy_registry.py`` fails when a table
gains a column that is not classified here, or when an entry names a column that no longer exists.

How a column is judged: it is personal when its value tells something about the person its row
concerns beyond the studio's own bookkeeping: who they are, how to reach them, what they earned,
how they worked, how they use the Service, what was written to or about them. Keys, foreign keys,
status codes and the timestamps of business events are not personal by themselves: they point at a
person only through the table's subject, and stop doing so once the subject's identifying columns
are erased.

How a row concerns a person (``TableEntry.subject``): a column of the table, written
``table.column``, that is either the person's own row id (``user.id``, ``performer.id``,
``member.id``), a foreign key to one of those, or an email address for someone who may have no
account (an invitee, a sign-up, a failed sign-in). A performer's account, when she has one, is
reached through ``membership.performer_id``. ``also`` lists the other columns through which a row
concerns someone (a second person, or the author of its text). An empty subject: the row is the
studio's own and concerns no person.

What erasure does to a row whose subject is erased: the row is deleted, unless one of its columns
is ANONYMISE or KEEP; then the row stays, DELETE columns are cleared, ANONYMISE columns get their
placeholder and KEEP columns wait out their legal hold.

Pure declarations: no database, no Reflex, no models import (the checks take the metadata).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from sqlalchemy import MetaData


class Category(StrEnum):
    """What a personal value says about a person (a closed set: export groups by it)."""

    CONTACT = "contact"
    """How to reach the person: email addresses, phone, messenger handles."""
    IDENTITY = "identity"
    """Who the person is and what proves it: names, handles, birth date, ID document, photo,
    password hashes and sign-in tokens."""
    FINANCIAL = "financial"
    """What the person earned, gave, was paid or owes, and on what terms."""
    WORK = "work"
    """How a model worked: attendance on her shifts, time online."""
    USAGE = "usage"
    """How and from where the person uses the Service: IP addresses, browsers, sessions, sign-ins,
    reading notifications, the audit trail of what they did."""
    COMMUNICATION = "communication"
    """What was written to or about the person: notes, tags, notifications, reasons and decisions,
    tip messages."""
    PREFERENCES = "preferences"
    """Choices the person made about the Service (what they receive, how it looks to them)."""
    CONTENT = "content"
    """What the person put into the Service themselves beyond the above: uploaded files, free text."""


class Strategy(StrEnum):
    """What erasure does to a value when the person its row concerns is erased."""

    DELETE = "delete"
    """The value goes: the row is deleted, or, where the row stays for another column, cleared."""
    ANONYMISE = "anonymise"
    """The value is replaced by a fixed placeholder (or NULL) and the row stays, so what other rows
    point at and the studio's aggregates still add up."""
    KEEP = "keep"
    """Legal hold: kept as it is for ``hold_years`` (after the records it supports), then deleted."""
    NOT_PERSONAL = "not_personal"
    """Not personal data: erasure leaves it alone."""


# Tax and bookkeeping law makes an employer or principal keep payroll records (what was paid to
# whom, and why) for years: ten is the longest among the studios' usual jurisdictions (Colombia's
# commercial books, Germany's §147 AO); five to seven elsewhere. One number for every payroll
# record, so a payout is never kept longer than the earnings and adjustments it was worked out from.
PAYROLL_HOLD_YEARS = 10
# Security logs are kept for accountability (who read a model's documents, who changed a role) past
# an account's deletion, but not forever: a year, the upper end of the CNIL's guidance on access logs.
AUDIT_HOLD_YEARS = 1

_PAYROLL = f"payroll record: tax law keeps it {PAYROLL_HOLD_YEARS} years"
_AUDIT = f"security log: kept {AUDIT_HOLD_YEARS} year for accountability"


@dataclass(frozen=True)
class Classification:
    """How one column is classified. A personal column has a category; only KEEP has hold_years."""

    table: str
    column: str
    category: Category | None
    strategy: Strategy
    hold_years: int | None
    encrypted_at_rest: bool
    reason: str
    # A secret that signs the person in (a password or token hash): erased like the rest, but
    # never handed out, not even to the person (a copy of one is a way in, not information).
    secret: bool = False

    @property
    def personal(self) -> bool:
        return self.strategy is not Strategy.NOT_PERSONAL

    @property
    def name(self) -> str:
        return f"{self.table}.{self.column}"


@dataclass(frozen=True)
class TableEntry:
    """A table: whom its rows concern (``subject``, see the module docstring) and every column."""

    table: str
    subject: str
    columns: dict[str, Classification]
    also: tuple[str, ...] = ()

    @property
    def row_kept(self) -> bool:
        """Whether erasing the subject keeps the row (some column is anonymised or on hold)."""
        return any(c.strategy in (Strategy.ANONYMISE, Strategy.KEEP) for c in self.columns.values())


@dataclass(frozen=True)
class _Rule:
    category: Category | None
    strategy: Strategy
    reason: str
    hold_years: int | None = None
    encrypted: bool = False
    secret: bool = False


def _plain(reason: str) -> _Rule:
    return _Rule(None, Strategy.NOT_PERSONAL, reason)


def _delete(category: Category, reason: str, *, encrypted: bool = False) -> _Rule:
    return _Rule(category, Strategy.DELETE, reason, encrypted=encrypted)


def _anonymise(category: Category, reason: str) -> _Rule:
    return _Rule(category, Strategy.ANONYMISE, reason)


def _keep(category: Category, reason: str, years: int, *, encrypted: bool = False) -> _Rule:
    return _Rule(category, Strategy.KEEP, reason, hold_years=years, encrypted=encrypted)


def _payroll(reason: str = _PAYROLL) -> _Rule:
    return _keep(Category.FINANCIAL, reason, PAYROLL_HOLD_YEARS)


def _audit(reason: str) -> _Rule:
    return _keep(Category.USAGE, f"{reason}; {_AUDIT}", AUDIT_HOLD_YEARS)


_BILLING = "a billing record the tax law makes the studio keep"

KEY = _plain("row id")
REF = _plain("a reference; whom the row concerns is the subject's business")
STUDIO = _plain("the studio the row belongs to")
WHEN = _plain("when a business event happened")
CODE = _plain("a status or kind code")
SETTING = _plain("the studio's own setting or figure")
PLATFORM = _plain("a cam platform's name")

# Reused for every sign-in trace: the same value means the same thing in every table.
_IP = _delete(Category.USAGE, "IP address of a sign-in or request")
_USER_AGENT = _delete(Category.USAGE, "browser and device of a sign-in or request")
_TOKEN_HASH = _Rule(
    Category.IDENTITY, Strategy.DELETE, "hash of a secret that signs the person in", secret=True
)
_PASSWORD_HASH = _Rule(
    Category.IDENTITY, Strategy.DELETE, "one-way hash of the person's password", secret=True
)
_EMAIL = _delete(Category.CONTACT, "email address of someone who may have no account")


def _entry(table: str, subject: str, /, also: tuple[str, ...] = (), **columns: _Rule) -> TableEntry:
    return TableEntry(
        table=table,
        subject=subject,
        also=also,
        columns={
            name: Classification(
                table=table,
                column=name,
                category=rule.category,
                strategy=rule.strategy,
                hold_years=rule.hold_years,
                encrypted_at_rest=rule.encrypted,
                reason=rule.reason,
                secret=rule.secret,
            )
            for name, rule in columns.items()
        },
    )


_ENTRIES: tuple[TableEntry, ...] = (
    # --- accounts -------------------------------------------------------------------------------
    _entry(
        "user",
        "user.id",
        id=KEY,
        # The row stays (others' records point at it, deleted_at marks the erasure): the address
        # becomes a unique placeholder, since the column is unique and required.
        email=_anonymise(Category.CONTACT, "the account's email address"),
        name=_anonymise(Category.IDENTITY, "the person's name, shown on what they did"),
        password_hash=_PASSWORD_HASH,
        is_support=_plain("whether the account is our support staff"),
        is_active=_plain("whether the account may sign in"),
        created_at=WHEN,
        deleted_at=_plain("when the account was deleted: erasure's own record"),
        totp_secret=_Rule(
            Category.IDENTITY,
            Strategy.DELETE,
            "the two-factor authenticator's shared secret",
            encrypted=True,
            secret=True,
        ),
        totp_enabled_at=_delete(Category.USAGE, "since when the person uses two-factor sign-in"),
        totp_last_step=_delete(Category.USAGE, "the time step of the last two-factor code used"),
    ),
    _entry(
        "recoverycode",
        "recoverycode.user_id",
        id=KEY,
        user_id=REF,
        code_hash=_TOKEN_HASH,
        created_at=WHEN,
        used_at=_delete(Category.USAGE, "when the person used a recovery code"),
    ),
    _entry(
        "externalidentity",
        "externalidentity.user_id",
        id=KEY,
        user_id=REF,
        issuer=_delete(Category.IDENTITY, "the sign-in provider the person linked"),
        subject=_delete(Category.IDENTITY, "the person's id at their sign-in provider"),
        email=_delete(Category.CONTACT, "the address the sign-in provider gave"),
        created_at=WHEN,
        last_used_at=_delete(Category.USAGE, "when the person last signed in through the provider"),
    ),
    _entry(
        "oidclogin",
        "oidclogin.user_id",
        also=("oidclogin.email",),
        id=KEY,
        state_hash=_TOKEN_HASH,
        nonce=_Rule(Category.IDENTITY, Strategy.DELETE, "a single-use sign-in check value", secret=True),
        code_verifier=_Rule(
            Category.IDENTITY, Strategy.DELETE, "a single-use sign-in proof", encrypted=True, secret=True
        ),
        browser_hash=_delete(Category.USAGE, "HMAC of the browser that went to the sign-in provider"),
        intent=CODE,
        user_id=REF,
        next_path=_plain("the page to open after signing in"),
        created_at=WHEN,
        expires_at=WHEN,
        used_at=WHEN,
        link_token_hash=_TOKEN_HASH,
        issuer=_delete(Category.IDENTITY, "the sign-in provider the person came from"),
        subject=_delete(Category.IDENTITY, "the person's id at their sign-in provider"),
        email=_delete(Category.CONTACT, "the address the sign-in provider gave"),
        invitation_id=REF,
    ),
    _entry(
        "membership",
        "membership.user_id",
        also=("membership.performer_id",),
        id=KEY,
        user_id=REF,
        studio_id=STUDIO,
        role=CODE,
        created_at=WHEN,
        performer_id=REF,
    ),
    _entry(
        "authsession",
        "authsession.user_id",
        id=KEY,
        user_id=REF,
        studio_id=STUDIO,
        token_hash=_TOKEN_HASH,
        created_at=WHEN,
        last_seen_at=_delete(Category.USAGE, "when the person last used the Service"),
        expires_at=WHEN,
        ip=_IP,
        user_agent=_USER_AGENT,
        revoked_at=WHEN,
        reauthenticated_at=WHEN,
    ),
    _entry(
        "loginevent",
        "loginevent.user_id",
        # A failed sign-in for an address with no account has no user: the address is its subject.
        also=("loginevent.email",),
        id=KEY,
        user_id=REF,
        email=_delete(Category.CONTACT, "the address typed at sign-in"),
        ip=_IP,
        user_agent=_USER_AGENT,
        device_key=_delete(Category.USAGE, "digest of the browser family, OS and device"),
        browser_hash=_delete(Category.USAGE, "HMAC of the browser's cookie: follows one browser"),
        success=_plain("whether the sign-in succeeded"),
        reason=CODE,
        created_at=WHEN,
    ),
    _entry(
        "invitation",
        "invitation.email",
        also=("invitation.accepted_user_id", "invitation.performer_id"),
        id=KEY,
        studio_id=STUDIO,
        email=_EMAIL,
        role=CODE,
        token_hash=_TOKEN_HASH,
        invited_by_id=REF,
        performer_id=REF,
        created_at=WHEN,
        expires_at=WHEN,
        accepted_at=WHEN,
        accepted_user_id=REF,
        revoked_at=WHEN,
    ),
    _entry(
        "usertoken",
        "usertoken.user_id",
        id=KEY,
        user_id=REF,
        purpose=CODE,
        token_hash=_TOKEN_HASH,
        payload=_delete(Category.CONTACT, "the new address of an email change, or a browser's hand-off"),
        created_at=WHEN,
        expires_at=WHEN,
        used_at=WHEN,
    ),
    _entry(
        "trustedbrowser",
        "trustedbrowser.user_id",
        id=KEY,
        user_id=REF,
        browser_hash=_delete(Category.USAGE, "HMAC of a browser's cookie the person signed in from"),
        created_at=WHEN,
        last_seen_at=_delete(Category.USAGE, "when the person last signed in from this browser"),
    ),
    _entry(
        "signuprequest",
        "signuprequest.email",
        id=KEY,
        email=_EMAIL,
        name=_delete(Category.IDENTITY, "the name given at sign-up"),
        studio_name=_plain("a business's name"),
        timezone=SETTING,
        currency=SETTING,
        password_hash=_PASSWORD_HASH,
        token_hash=_TOKEN_HASH,
        ip=_IP,
        created_at=WHEN,
        expires_at=WHEN,
        used_at=WHEN,
    ),
    # --- the studio -----------------------------------------------------------------------------
    _entry(
        "studio",
        "",
        id=KEY,
        name=_plain("a business's name"),
        timezone=SETTING,
        currency=SETTING,
        plan=SETTING,
        stripe_customer_id=_plain("the studio's billing reference at Stripe (a business customer)"),
        stripe_subscription_id=_plain("the studio's subscription reference at Stripe"),
        subscription_status=CODE,
        require_two_factor=SETTING,
        created_at=WHEN,
        revision=_plain("cache counter"),
        deleted_at=WHEN,
        deleted_by_id=REF,
        erased_at=WHEN,
        trial_ends_at=WHEN,
        billing_cycle=SETTING,
        current_period_end=WHEN,
        cancel_at_period_end=SETTING,
        past_due_since=WHEN,
        subscription_changed_at=WHEN,
    ),
    # --- models ---------------------------------------------------------------------------------
    _entry(
        "performer",
        "performer.id",
        id=KEY,
        studio_id=STUDIO,
        # The row stays: the payroll on hold points at it. The work name becomes a placeholder.
        stage_name=_anonymise(Category.IDENTITY, "her work name"),
        status=CODE,
        email=_delete(Category.CONTACT, "her email address"),
        phone=_delete(Category.CONTACT, "her phone number"),
        telegram=_delete(Category.CONTACT, "her Telegram handle"),
        payout_split=_payroll(f"her agreed share, the basis of the payouts kept; {_PAYROLL}"),
        notes=_delete(Category.COMMUNICATION, "staff notes about her", encrypted=True),
        # Payroll kept for the tax authorities must say whom it paid.
        legal_name=_keep(
            Category.IDENTITY,
            f"names the payee of the payroll kept; {_PAYROLL}",
            PAYROLL_HOLD_YEARS,
            encrypted=True,
        ),
        birth_date=_delete(Category.IDENTITY, "her birth date (age check)", encrypted=True),
        doc_type=_delete(Category.IDENTITY, "her ID document's type", encrypted=True),
        doc_number=_delete(Category.IDENTITY, "her ID document's number", encrypted=True),
        doc_country=_delete(Category.IDENTITY, "her ID document's country", encrypted=True),
        doc_expiry=_delete(Category.IDENTITY, "her ID document's expiry", encrypted=True),
        photo_file=_delete(Category.IDENTITY, "her photo (the file on disk goes with it)"),
        photo_type=_plain("the photo's media type"),
        analytics_objected_at=_delete(Category.USAGE, "when she objected to being in analytics"),
        created_at=WHEN,
        updated_at=WHEN,
    ),
    _entry(
        "platformaccount",
        "platformaccount.performer_id",
        id=KEY,
        studio_id=STUDIO,
        performer_id=REF,
        platform=PLATFORM,
        # Earnings on hold point at the account (ON DELETE CASCADE): the row stays, the handle goes.
        handle=_anonymise(Category.IDENTITY, "her handle on a cam platform"),
        handle_key=_anonymise(Category.IDENTITY, "her handle, lower-cased for uniqueness"),
        created_at=WHEN,
    ),
    _entry("platform", "", id=KEY, studio_id=STUDIO, name=PLATFORM, created_at=WHEN),
    _entry(
        "documentreminder",
        "documentreminder.performer_id",
        id=KEY,
        studio_id=STUDIO,
        performer_id=REF,
        doc_key=_delete(Category.IDENTITY, "HMAC of her ID document's number and expiry"),
        threshold_days=SETTING,
        sent_at=WHEN,
    ),
    # --- schedule -------------------------------------------------------------------------------
    _entry(
        "room",
        "",
        id=KEY,
        studio_id=STUDIO,
        name=_plain("a room's name"),
        notes=_plain("notes about a room"),
        is_active=SETTING,
        created_at=WHEN,
    ),
    _entry("schedulesettings", "", studio_id=STUDIO, late_grace_minutes=SETTING),
    _entry(
        "shiftseries",
        "shiftseries.performer_id",
        id=KEY,
        studio_id=STUDIO,
        performer_id=REF,
        room_id=REF,
        weekdays=_plain("a weekly room booking"),
        start_time=_plain("a weekly room booking"),
        end_time=_plain("a weekly room booking"),
        first_day=WHEN,
        last_day=WHEN,
        timezone=SETTING,
        created_by_id=REF,
        created_at=WHEN,
    ),
    _entry(
        "shift",
        "shift.performer_id",
        id=KEY,
        studio_id=STUDIO,
        performer_id=REF,
        room_id=REF,
        series_id=REF,
        # The booking stays in the room's schedule; what it says about her attendance goes.
        starts_at=_plain("a room booking"),
        ends_at=_plain("a room booking"),
        status=CODE,
        notes=_delete(Category.COMMUNICATION, "staff notes on her shift"),
        checked_in_at=_anonymise(Category.WORK, "when she arrived"),
        checked_out_at=_anonymise(Category.WORK, "when she left"),
        late=_anonymise(Category.WORK, "whether she was late"),
        no_show=_anonymise(Category.WORK, "whether she did not come"),
        created_at=WHEN,
    ),
    _entry(
        "shiftrequest",
        "shiftrequest.performer_id",
        also=("shiftrequest.swap_performer_id", "shiftrequest.requested_by_id", "shiftrequest.decided_by_id"),
        id=KEY,
        studio_id=STUDIO,
        kind=CODE,
        shift_id=REF,
        performer_id=REF,
        requested_by_id=REF,
        swap_performer_id=REF,
        swap_shift_id=REF,
        reason=_delete(Category.COMMUNICATION, "why she asked (may be about her health or family)"),
        status=CODE,
        decided_by_id=REF,
        decided_at=WHEN,
        decision_note=_delete(Category.COMMUNICATION, "the manager's answer to her"),
        created_at=WHEN,
    ),
    # --- earnings, members and payroll ----------------------------------------------------------
    _entry(
        "payrollsettings",
        "",
        studio_id=STUDIO,
        pay_period=SETTING,
        period_anchor=SETTING,
        payout_currency=SETTING,
    ),
    _entry(
        "tokenrate",
        "",
        id=KEY,
        studio_id=STUDIO,
        platform=PLATFORM,
        effective_from=WHEN,
        usd_per_token=SETTING,
        created_at=WHEN,
    ),
    _entry(
        "importbatch",
        "",
        id=KEY,
        studio_id=STUDIO,
        format=CODE,
        filename=_plain("the name of the studio's uploaded file"),
        file_hash=_plain("digest of the file, to spot a second upload"),
        account_id=REF,
        uploaded_by_id=REF,
        rows_read=SETTING,
        rows_landed=SETTING,
        rows_duplicate=SETTING,
        rows_refused=SETTING,
        refusals=_plain("line numbers and the parser's reasons"),
        status=CODE,
        created_at=WHEN,
        undone_at=WHEN,
    ),
    _entry(
        "member",
        "member.id",
        id=KEY,
        studio_id=STUDIO,
        platform=PLATFORM,
        # A tipper is a third party, known by handle: the row stays for the totals on hold.
        handle=_anonymise(Category.IDENTITY, "a tipper's handle on a cam platform"),
        handle_key=_anonymise(Category.IDENTITY, "the handle, lower-cased for uniqueness"),
        tags=_delete(Category.COMMUNICATION, "the studio's labels for the tipper"),
        created_at=WHEN,
    ),
    _entry(
        "membertotal",
        "membertotal.member_id",
        also=("membertotal.performer_id",),
        member_id=REF,
        performer_id=REF,
        studio_id=STUDIO,
        tokens=_payroll(f"what a tipper gave her, summed from earnings; {_PAYROLL}"),
        tips=_payroll(f"how often a tipper gave, summed from earnings; {_PAYROLL}"),
        first_tip_at=_payroll(f"from the earnings kept; {_PAYROLL}"),
        last_tip_at=_payroll(f"from the earnings kept; {_PAYROLL}"),
    ),
    _entry(
        "membernote",
        "membernote.member_id",
        also=("membernote.author_id",),
        id=KEY,
        studio_id=STUDIO,
        member_id=REF,
        author_id=REF,
        body=_delete(Category.COMMUNICATION, "a note about a tipper", encrypted=True),
        created_at=WHEN,
    ),
    _entry(
        "earningrecord",
        "earningrecord.performer_id",
        also=("earningrecord.member_id", "earningrecord.entered_by_id"),
        id=KEY,
        studio_id=STUDIO,
        performer_id=REF,
        account_id=REF,
        platform=PLATFORM,
        kind=CODE,
        day=WHEN,
        period_start=WHEN,
        occurred_at=WHEN,
        member_id=REF,
        entry_type=CODE,
        tokens=_payroll(f"what she earned: the payroll's basis; {_PAYROLL}"),
        usd_cents=_payroll(f"what she earned: the payroll's basis; {_PAYROLL}"),
        online_minutes=_keep(
            Category.WORK, f"part of the day's record the pay came from; {_PAYROLL}", PAYROLL_HOLD_YEARS
        ),
        # A tip's message is the tipper's words: the payroll needs only the amounts.
        note=_delete(Category.COMMUNICATION, "a tip's message or the platform's wording"),
        source=CODE,
        batch_id=REF,
        source_line=_plain("line number in the imported file"),
        natural_key=_plain("one-way digest for de-duplicating imports"),
        running_tokens=_payroll(),
        running_cents=_payroll(),
        correction_reason=_payroll(f"why her total went down; {_PAYROLL}"),
        entered_by_id=REF,
        created_at=WHEN,
        updated_at=WHEN,
    ),
    _entry(
        "payrollperiod",
        "",
        id=KEY,
        studio_id=STUDIO,
        starts_on=WHEN,
        ends_on=WHEN,
        status=CODE,
        payout_currency=SETTING,
        fx_rate=SETTING,
        locked_at=WHEN,
        locked_by_id=REF,
        paid_at=WHEN,
        paid_by_id=REF,
        created_at=WHEN,
    ),
    _entry(
        "paytier",
        # A tier with no performer is the studio's default and concerns nobody.
        "paytier.performer_id",
        id=KEY,
        studio_id=STUDIO,
        performer_id=REF,
        from_cents=_payroll(f"her own split terms; {_PAYROLL}"),
        percent=_payroll(f"her own split terms; {_PAYROLL}"),
    ),
    _entry(
        "payrolladjustment",
        "payrolladjustment.performer_id",
        also=("payrolladjustment.created_by_id",),
        id=KEY,
        studio_id=STUDIO,
        period_id=REF,
        performer_id=REF,
        kind=_payroll(f"bonus, advance, deduction... to her pay; {_PAYROLL}"),
        amount_cents=_payroll(),
        note=_payroll(f"why her pay changed; {_PAYROLL}"),
        created_by_id=REF,
        created_at=WHEN,
    ),
    _entry(
        "payout",
        "payout.performer_id",
        id=KEY,
        studio_id=STUDIO,
        period_id=REF,
        performer_id=REF,
        gross_cents=_payroll(),
        model_share_cents=_payroll(),
        studio_share_cents=_payroll(),
        adjustments_cents=_payroll(),
        net_cents=_payroll(),
        payout_currency=_plain("the period's payout currency, the same for every model"),
        fx_rate=_plain("the period's exchange rate, the same for every model"),
        net_payout=_payroll(),
        split=_payroll(f"how her share was worked out; {_PAYROLL}"),
        lines=_payroll(f"her per-platform earnings in the statement; {_PAYROLL}"),
    ),
    # --- notifications, audit, reports ---------------------------------------------------------
    _entry(
        "notification",
        "notification.user_id",
        id=KEY,
        studio_id=STUDIO,
        user_id=REF,
        kind=CODE,
        title=_delete(Category.COMMUNICATION, "a message to the person"),
        body=_delete(Category.COMMUNICATION, "a message to the person"),
        link=_plain("a page of the app"),
        read_at=_delete(Category.USAGE, "when the person read it"),
        created_at=WHEN,
    ),
    _entry(
        "auditlog",
        "auditlog.actor_user_id",
        id=KEY,
        studio_id=STUDIO,
        actor_user_id=REF,
        action=CODE,
        target=_audit("whom or what an action was done to (may be an email address)"),
        detail=_audit("what an action changed"),
        ip=_audit("IP address an action came from"),
        user_agent=_audit("browser an action came from"),
        created_at=WHEN,
    ),
    _entry(
        "consentrecord",
        # A choice made signed out has no user: it concerns a browser, not anyone we can name.
        "consentrecord.user_id",
        id=KEY,
        browser=_delete(Category.USAGE, "HMAC of the browser's id cookie: follows one browser"),
        user_id=REF,
        # Proof of a consent is needed only while there is usage data it allowed, and that goes too.
        analytics=_delete(Category.PREFERENCES, "the person's cookie choice"),
        policy_version=_plain("which policy text the choice was made under"),
        ip=_IP,
        user_agent=_USER_AGENT,
        created_at=WHEN,
    ),
    _entry(
        "accountdeletion",
        # Erasure's own record (when it was asked and done, which model profiles it covered): it
        # outlives the erasure, pointing at the anonymised account, and says nothing about anyone.
        "",
        id=KEY,
        user_id=REF,
        requested_at=WHEN,
        performer_ids=_plain("ids of the model profiles the account was linked to"),
        erased_at=WHEN,
    ),
    _entry(
        "policyversion",
        # The policy's text as published: the publisher is a reference to our own staff's account.
        "",
        id=KEY,
        body=_plain("the privacy policy's text"),
        effective_on=WHEN,
        material=_plain("whether users must acknowledge the change"),
        summary=_plain("what changed"),
        published_at=WHEN,
        published_by_id=REF,
    ),
    _entry(
        "policyacceptance",
        "policyacceptance.user_id",
        id=KEY,
        user_id=REF,
        policy_version_id=REF,
        # Proof of what the person was shown and agreed to: kept while the account is.
        accepted_at=WHEN,
        ip=_IP,
        user_agent=_USER_AGENT,
    ),
    _entry(
        "supportrequest",
        "supportrequest.requester_id",
        id=KEY,
        requester_id=REF,
        studio_id=STUDIO,
        title=_delete(Category.COMMUNICATION, "the subject line: what the person asked about"),
        category=CODE,
        status=CODE,
        assigned_to_id=REF,
        created_at=WHEN,
        updated_at=WHEN,
        first_response_due_at=WHEN,
        first_responded_at=WHEN,
        merged_into_id=REF,
    ),
    _entry(
        "supportmessage",
        # A message in a request's thread: the requester's or support's; its author may be either.
        "supportmessage.author_id",
        id=KEY,
        request_id=REF,
        author_id=REF,
        body=_delete(Category.COMMUNICATION, "what was written in a support request"),
        internal=_plain("whether the message is a note among support staff"),
        created_at=WHEN,
    ),
    _entry(
        "privacyrequest",
        # The structure of a data-rights request; its thread is the support request's.
        "privacyrequest.user_id",
        also=("privacyrequest.logged_by_id", "privacyrequest.identity_verified_by_id"),
        id=KEY,
        request_id=REF,
        user_id=REF,
        kind=CODE,
        status=CODE,
        received_at=WHEN,
        due_at=WHEN,
        channel=CODE,
        logged_by_id=REF,
        identity_verified_at=WHEN,
        identity_verified_by_id=REF,
        identity_method=_delete(Category.IDENTITY, "how the person's identity was checked"),
        refusal_reason=_delete(Category.COMMUNICATION, "why a request was refused, written to the person"),
        completed_at=WHEN,
    ),
    _entry(
        "supportaccessgrant",
        # An owner's permission for support to look into the studio: the studio's own record.
        "",
        id=KEY,
        request_id=REF,
        studio_id=STUDIO,
        granted_by_id=REF,
        created_at=WHEN,
        expires_at=WHEN,
        revoked_at=WHEN,
        revoked_by_id=REF,
    ),
    _entry(
        "supportattachment",
        "supportattachment.uploaded_by_id",
        id=KEY,
        request_id=REF,
        message_id=REF,
        uploaded_by_id=REF,
        filename=_delete(Category.COMMUNICATION, "the name of a file the person sent"),
        content_type=_plain("the file's media type"),
        size_bytes=_plain("the file's size"),
        # The file itself is encrypted in the data folder and removed with the row.
        stored_name=_plain("a random file name"),
        created_at=WHEN,
    ),
    _entry(
        "cannedreply",
        # Support's saved answers: text written for everyone, about no one.
        "",
        id=KEY,
        title=_plain("a saved answer's name"),
        body=_plain("a saved answer's text"),
        created_by_id=REF,
        created_at=WHEN,
        updated_at=WHEN,
    ),
    # --- billing: the studio's own records, kept under the tax law's hold when it is deleted ------
    _entry(
        "billingevent",
        "",
        id=KEY,
        stripe_event_id=_plain("Stripe's id of the event"),
        type=_keep(Category.FINANCIAL, f"what happened to the subscription; {_BILLING}", PAYROLL_HOLD_YEARS),
        stripe_created=WHEN,
        studio_id=STUDIO,
        received_at=WHEN,
        outcome=CODE,
    ),
    _entry(
        "invoice",
        "",
        id=KEY,
        studio_id=STUDIO,
        stripe_invoice_id=_plain("Stripe's id of the invoice"),
        number=_keep(Category.FINANCIAL, f"the studio's invoice number; {_BILLING}", PAYROLL_HOLD_YEARS),
        status=CODE,
        currency=SETTING,
        amount_due_cents=_keep(Category.FINANCIAL, f"what the invoice asked; {_BILLING}", PAYROLL_HOLD_YEARS),
        amount_paid_cents=_keep(Category.FINANCIAL, f"what was paid; {_BILLING}", PAYROLL_HOLD_YEARS),
        hosted_invoice_url=_plain("the invoice's page at Stripe"),
        invoice_pdf=_plain("the invoice's PDF at Stripe"),
        period_start=WHEN,
        period_end=WHEN,
        created_at=WHEN,
        paid_at=WHEN,
        updated_at=WHEN,
    ),
    _entry(
        "dataexport",
        # The file itself is encrypted in the data folder and deleted when the link expires.
        "dataexport.user_id",
        id=KEY,
        user_id=REF,
        status=CODE,
        progress=_plain("how far the build is"),
        file_name=_plain("a random file name"),
        size_bytes=_plain("the file's size"),
        error=_plain("why a build failed (no personal value is written here)"),
        created_at=WHEN,
        finished_at=WHEN,
        expires_at=WHEN,
    ),
    _entry(
        "usageevent",
        "usageevent.user_id",
        id=KEY,
        studio_id=STUDIO,
        user_id=REF,
        name=_delete(Category.USAGE, "what the person used (also purged after the retention days)"),
        path=_delete(Category.USAGE, "which page the person viewed"),
        created_at=WHEN,
    ),
    _entry(
        "weeklyreportsubscription",
        # The row is the person's choice: with no personal column, erasure deletes it.
        "weeklyreportsubscription.user_id",
        studio_id=STUDIO,
        user_id=REF,
        created_at=WHEN,
    ),
    _entry(
        "weeklyreportrun",
        "",
        id=KEY,
        studio_id=STUDIO,
        week_start=WHEN,
        claimed_at=WHEN,
        sent_at=WHEN,
        recipients=_plain("how many got the email"),
    ),
    _entry(
        "jobrun",
        "",
        id=KEY,
        job=CODE,
        started_at=WHEN,
        finished_at=WHEN,
        rows=_plain("how many rows the run changed"),
        error=_plain("why a run failed: the exception's class and first line, no personal value"),
    ),
)


@cache
def _by_table() -> dict[str, TableEntry]:
    entries = {entry.table: entry for entry in _ENTRIES}
    if len(entries) != len(_ENTRIES):
        raise ValueError("privacy registry: a table is classified twice")
    return entries


def registry() -> dict[str, TableEntry]:
    """Every classified table by name (a copy: callers cannot change the registry)."""
    return dict(_by_table())


def personal_columns(table: str) -> list[Classification]:
    """The personal columns of a table (none for a table the registry does not know)."""
    entry = registry().get(table)
    if entry is None:
        return []
    return [c for c in entry.columns.values() if c.personal]


def classification(table: str, column: str) -> Classification | None:
    entry = registry().get(table)
    return None if entry is None else entry.columns.get(column)


def subject_columns(table: str) -> list[str]:
    """The ``table.column`` paths through which a row of the table concerns a person."""
    entry = registry().get(table)
    if entry is None or not entry.subject:
        return []
    return [entry.subject, *entry.also]


def unclassified(metadata: MetaData) -> list[str]:
    """Every ``table.column`` in the metadata that the registry does not classify."""
    entries = _by_table()
    return sorted(
        f"{table.name}.{column.name}"
        for table in metadata.tables.values()
        for column in table.columns
        if column.name not in (entries[table.name].columns if table.name in entries else {})
    )


def unknown(metadata: MetaData) -> list[str]:
    """Registry entries (tables, columns, subject paths) that name nothing in the metadata."""
    missing: list[str] = []
    for name, entry in registry().items():
        table = metadata.tables.get(name)
        if table is None:
            missing.append(name)
            continue
        missing += [f"{name}.{column}" for column in entry.columns if column not in table.columns]
        for path in subject_columns(name):
            owner, _, column = path.partition(".")
            if owner != name or column not in table.columns:
                missing.append(f"{name} subject {path}")
    return sorted(missing)
