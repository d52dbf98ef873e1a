"""Privacy requests: asked in the app or logged by support, the identity check before completion,
the 30-day due date, final outcomes told to the person, and a history nobody can edit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import permutations
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from studioos.models import AuditLog, PrivacyRequest, Role, SupportRequest, User
from studioos.services import audit, privacy_requests, support
from studioos.services.errors import NotFound, PermissionDenied, ValidationFailed
from studioos.services.permissions import Actor
from studioos.services.privacy_requests import due_text, for_request, set_privacy_status
from tests.factories import actor_for, add_member, add_support_user, make_studio, random_email
from tests.foundation_helpers import body_of, mails_to

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOT_VERIFIED = "Verify the person's identity before completing this request."


@dataclass
class Scene:
    owner: Actor  # of the person's studio
    person: Actor  # Mara, a manager: the requests are about her data
    stranger: Actor  # another studio's owner
    agent: Actor
    agent2: Actor


@pytest.fixture
def scene(db: Session) -> Scene:
    studio, owner = make_studio(db, "Studio A")
    person = add_member(db, studio, Role.MANAGER, name="Mara Manager")
    other, other_owner = make_studio(db, "Studio B")
    return Scene(
        owner=actor_for(db, owner, studio),
        person=actor_for(db, person, studio),
        stranger=actor_for(db, other_owner, other),
        agent=actor_for(db, add_support_user(db, "Sam Support")),
        agent2=actor_for(db, add_support_user(db, "Alex Agent")),
    )


def _log(db: Session, s: Scene, *, kind: str = "deletion", channel: str = "email", at: datetime = T0) -> int:
    view = privacy_requests.log_on_behalf(
        db, s.agent, email=s.person.email, kind=kind, channel=channel, message="Please act.", now=at
    )
    db.commit()
    return view.request_id


def _status(db: Session, request_id: int) -> tuple[str, bool]:
    db.expire_all()
    row = db.exec(select(PrivacyRequest).where(PrivacyRequest.request_id == request_id)).one()
    return row.status, row.identity_verified_at is not None


# --- asked in the app --------------------------------------------------------------------------


def test_asked_in_the_app_is_verified_due_in_30_days_and_on_both_lists(db: Session, scene: Scene) -> None:
    with pytest.raises(ValidationFailed) as bad:
        privacy_requests.open_privacy_request(db, scene.person, "gossip", "  ", now=T0)
    assert bad.value.errors == {
        "kind": "Choose what you are asking for from the list.",
        "message": "Write your message.",
    }
    with pytest.raises(ValidationFailed) as long:
        privacy_requests.open_privacy_request(
            db, scene.person, "access", "x" * (support.BODY_MAX + 1), now=T0
        )
    assert set(long.value.errors) == {"message"}

    view = privacy_requests.open_privacy_request(
        db, scene.person, "access", "What do you hold on me?", now=T0
    )
    db.commit()
    assert (view.kind_label, view.status, view.status_label) == ("Access to my data", "received", "Received")
    assert (view.received_at, view.due_at, view.due_text) == (T0, T0 + timedelta(days=30), "due in 30 days")
    assert (view.channel, view.channel_label, view.logged_by_name) == ("app", "In the app", "")
    assert view.identity_verified
    assert (
        view.identity_text == "Verified on 2 Mar 2026 by Mara Manager: Signed in to the account when asking"
    )
    assert (view.person_name, view.person_email, view.finished) == ("Mara Manager", scene.person.email, False)

    rid = view.request_id
    mine = support.my_requests(db, scene.person)
    assert [(r.id, r.title, r.category, r.studio_name) for r in mine] == [
        (rid, "Access to my data", "privacy", "Studio A")
    ]
    assert rid in [r.id for r in support.queue(db, scene.agent, category="privacy", now=T0)]
    assert [v.request_id for v in privacy_requests.privacy_queue(db, scene.agent, now=T0)] == [rid]
    assert support.thread(db, scene.person, rid).messages[0].body == "What do you hold on me?"
    # A member's request about their data stays out of the studio's audit log.
    rows, _ = audit.list_entries(db, scene.owner, limit=500)
    assert [r for r in rows if r.target == f"support_request:{rid}"] == []
    assert db.exec(select(AuditLog.studio_id).where(AuditLog.target == f"support_request:{rid}")).all() == [
        None,
        None,
        None,
    ]


def test_nobody_else_reads_or_confirms_a_request(db: Session, scene: Scene) -> None:
    rid = privacy_requests.open_privacy_request(db, scene.person, "deletion", "Delete me.", now=T0).request_id
    logged = _log(db, scene)
    db.commit()
    # The person's own studio owner and another studio's owner: not found, either way.
    for stranger in (scene.owner, scene.stranger):
        for request_id in (rid, logged):
            with pytest.raises(NotFound):
                for_request(db, stranger, request_id)
            with pytest.raises(NotFound):
                privacy_requests.confirm_identity(db, stranger, request_id)
            with pytest.raises(NotFound):
                support.thread(db, stranger, request_id)
    # Only the person confirms: support cannot do it for them.
    with pytest.raises(NotFound):
        privacy_requests.confirm_identity(db, scene.agent, logged)
    assert _status(db, logged) == ("verifying_identity", False)
    with pytest.raises(NotFound):
        for_request(db, scene.person, logged + 1000)

    view = for_request(db, scene.agent, rid)
    assert view is not None and view.kind == "deletion"
    mine = for_request(db, scene.person, rid)
    assert mine is not None and mine.request_id == rid
    # A support request of another category has no privacy side; a stranger still gets NotFound.
    plain = support.open_request(db, scene.person, "Cannot sign in", "account", "Help", now=T0).id
    db.commit()
    assert for_request(db, scene.person, plain) is None
    assert for_request(db, scene.agent, plain) is None
    with pytest.raises(NotFound):
        for_request(db, scene.stranger, plain)


# --- logged by support -------------------------------------------------------------------------


def test_logged_by_email_waits_for_the_persons_confirmation(db: Session, scene: Scene) -> None:
    day = date(2026, 2, 28)
    view = privacy_requests.log_on_behalf(
        db,
        scene.agent,
        email=f"  {scene.person.email.upper()} ",
        kind="deletion",
        channel="email",
        message="I want my account gone. -- Mara",
        received_on=day,
        now=T0,
    )
    db.commit()
    rid = view.request_id
    received = datetime(2026, 2, 28, 9, 0, tzinfo=UTC)
    assert (view.user_id, view.status, view.identity_verified) == (
        scene.person.user_id,
        "verifying_identity",
        False,
    )
    assert (view.received_at, view.due_at, view.due_text) == (
        received,
        received + timedelta(days=30),
        "due in 28 days",
    )
    assert (view.channel_label, view.logged_by_name, view.identity_text) == (
        "Email",
        "Sam Support",
        "Not verified yet",
    )

    mails = mails_to(scene.person.email)
    assert len(mails) == 1
    assert mails[0]["Subject"] == "A request about your data was received in your name"
    body = body_of(mails[0])
    assert "by email" in body and "Delete my data" in body
    assert f"http://testserver/support?request={rid}" in body
    assert "If it was not you, tell us there" in body
    # In the person's own list, the first message says where it came from.
    assert [r.id for r in support.my_requests(db, scene.person)] == [rid]
    first = support.thread(db, scene.person, rid).messages[0]
    assert first.from_support and first.author_name == "Sam Support"
    assert first.body == (
        "Logged by StudioOS support from Email (received on 28 Feb 2026):\n\nI want my account gone. -- Mara"
    )

    # Not completed before the identity is checked, even once work has started.
    with pytest.raises(ValidationFailed) as early:
        set_privacy_status(db, scene.agent, rid, "completed", now=T0)
    assert early.value.errors == {"status": NOT_VERIFIED}
    set_privacy_status(db, scene.agent, rid, "in_progress", now=T0)
    with pytest.raises(ValidationFailed):
        set_privacy_status(db, scene.agent, rid, "completed", now=T0)
    assert _status(db, rid) == ("in_progress", False)

    confirmed = privacy_requests.confirm_identity(db, scene.person, rid, now=T0 + timedelta(hours=2))
    db.commit()
    assert confirmed.identity_verified and confirmed.status == "in_progress"
    assert (
        confirmed.identity_text
        == "Verified on 2 Mar 2026 by Mara Manager: Confirmed by the person while signed in"
    )
    assert db.get(SupportRequest, rid).status == "waiting_on_us"  # type: ignore[union-attr]

    done = set_privacy_status(db, scene.agent2, rid, "completed", now=T0 + timedelta(days=3))
    db.commit()
    assert (done.status, done.completed_at, done.due_text, done.finished) == (
        "completed",
        T0 + timedelta(days=3),
        "",
        True,
    )
    assert db.get(SupportRequest, rid).status == "resolved"  # type: ignore[union-attr]
    last = support.thread(db, scene.person, rid).messages[-1]
    assert (last.author_name, last.internal) == ("Alex Agent", False)
    assert last.body == "We have completed your request: \u201cDelete my data\u201d."
    mails = mails_to(scene.person.email)
    assert len(mails) == 2
    assert mails[1]["Subject"] == "New reply to your request: Delete my data"
    assert "We have completed your request" in body_of(mails[1])


def test_an_agent_can_verify_the_identity_another_way(db: Session, scene: Scene) -> None:
    rid = _log(db, scene, kind="correction", channel="telegram")
    assert for_request(db, scene.agent, rid).logged_by_name == "Sam Support"  # type: ignore[union-attr]
    for method, message in (
        ("   ", "Say how you checked the person's identity."),
        ("x" * 201, "How the identity was checked can be at most 200 characters (you typed 201)."),
    ):
        with pytest.raises(ValidationFailed) as bad:
            privacy_requests.verify_identity(db, scene.agent2, rid, method, now=T0)
        assert bad.value.errors == {"method": message}
    view = privacy_requests.verify_identity(
        db, scene.agent2, rid, "Replied from the account's email address", now=T0 + timedelta(days=1)
    )
    db.commit()
    assert view.status == "in_progress"
    assert (
        view.identity_text == "Verified on 3 Mar 2026 by Alex Agent: Replied from the account's email address"
    )
    with pytest.raises(ValidationFailed) as again:
        privacy_requests.verify_identity(db, scene.agent, rid, "Called back", now=T0)
    assert again.value.errors == {"method": "The person's identity is already verified."}
    # The person confirming afterwards changes nothing.
    assert privacy_requests.confirm_identity(db, scene.person, rid).identity_text == view.identity_text
    assert set_privacy_status(db, scene.agent, rid, "completed", now=T0).status == "completed"


def test_refusing_needs_a_reason_the_person_is_told(db: Session, scene: Scene) -> None:
    rid = privacy_requests.open_privacy_request(db, scene.person, "objection", "Stop it.", now=T0).request_id
    db.commit()
    for reason in ("", "   "):
        with pytest.raises(ValidationFailed) as bare:
            set_privacy_status(db, scene.agent, rid, "refused", reason=reason, now=T0)
        assert set(bare.value.errors) == {"reason"}
    with pytest.raises(ValidationFailed) as long:
        set_privacy_status(db, scene.agent, rid, "refused", reason="x" * 2001, now=T0)
    assert set(long.value.errors) == {"reason"}
    assert _status(db, rid) == ("received", True)

    reason = "Payroll records must be processed by law for 5 years."
    view = set_privacy_status(db, scene.agent, rid, "refused", reason=reason, now=T0 + timedelta(days=2))
    db.commit()
    assert (view.status, view.refusal_reason, view.completed_at) == (
        "refused",
        reason,
        T0 + timedelta(days=2),
    )
    assert db.get(SupportRequest, rid).status == "resolved"  # type: ignore[union-attr]
    last = support.thread(db, scene.person, rid).messages[-1]
    assert not last.internal and reason in last.body and "We cannot carry out your request" in last.body
    assert reason in body_of(mails_to(scene.person.email)[-1])
    assert for_request(db, scene.person, rid).refusal_reason == reason  # type: ignore[union-attr]


def test_completed_and_refused_are_final(db: Session, scene: Scene) -> None:
    done = privacy_requests.open_privacy_request(
        db, scene.person, "access", "Copy please.", now=T0
    ).request_id
    set_privacy_status(db, scene.agent, done, "completed", now=T0)
    refused = _log(db, scene)
    set_privacy_status(db, scene.agent, refused, "refused", reason="It was not her.", now=T0)
    db.commit()
    mails_before = len(mails_to(scene.person.email))
    for rid, final in ((done, "completed"), (refused, "refused")):
        for status in ("received", "verifying_identity", "in_progress", "completed", "refused"):
            with pytest.raises(ValidationFailed) as late:
                set_privacy_status(db, scene.agent, rid, status, reason="Another go", now=T0)
            assert set(late.value.errors) == {"status"}
        assert _status(db, rid)[0] == final
    with pytest.raises(ValidationFailed):
        privacy_requests.confirm_identity(db, scene.person, refused)
    with pytest.raises(ValidationFailed):
        privacy_requests.verify_identity(db, scene.agent, refused, "Called back")
    assert _status(db, refused) == ("refused", False)
    assert len(mails_to(scene.person.email)) == mails_before


# --- who may do what -----------------------------------------------------------------------------


def test_only_support_logs_verifies_and_changes_status(db: Session, scene: Scene) -> None:
    rid = _log(db, scene)
    for who in (scene.owner, scene.person, scene.stranger):
        with pytest.raises(PermissionDenied):
            privacy_requests.log_on_behalf(
                db, who, email=scene.person.email, kind="access", channel="email", message="Hi"
            )
        with pytest.raises(PermissionDenied):
            privacy_requests.verify_identity(db, who, rid, "I say so")
        for status in ("in_progress", "completed", "refused"):
            with pytest.raises(PermissionDenied):
                set_privacy_status(db, who, rid, status, reason="No")
        with pytest.raises(PermissionDenied):
            privacy_requests.privacy_queue(db, who)
        with pytest.raises(PermissionDenied):
            privacy_requests.for_requests(db, who, [rid])
    assert _status(db, rid) == ("verifying_identity", False)
    assert len(db.exec(select(PrivacyRequest)).all()) == 1


def test_an_agent_does_not_handle_their_own_request(db: Session, scene: Scene) -> None:
    own = privacy_requests.open_privacy_request(db, scene.agent, "deletion", "Delete me.", now=T0).request_id
    db.commit()
    with pytest.raises(PermissionDenied):
        set_privacy_status(db, scene.agent, own, "completed", now=T0)
    with pytest.raises(ValidationFailed) as self_logged:
        privacy_requests.log_on_behalf(
            db, scene.agent, email=scene.agent.email, kind="access", channel="email", message="Me"
        )
    assert set(self_logged.value.errors) == {"email"}
    assert set_privacy_status(db, scene.agent2, own, "completed", now=T0).status == "completed"


def test_logging_refuses_unknown_addresses_and_impossible_days(db: Session, scene: Scene) -> None:
    gone = User(email=random_email("gone"), name="Gone", password_hash="x", is_active=False, deleted_at=T0)
    db.add(gone)
    db.commit()
    no_account = (
        "No StudioOS account uses this address. Check it with the person: it must be the address they "
        "sign in with."
    )

    def errors(**kw: Any) -> dict[str, str]:
        args: dict[str, Any] = {
            "email": scene.person.email,
            "kind": "access",
            "channel": "email",
            "message": "Hello",
            "now": T0,
        }
        with pytest.raises(ValidationFailed) as refused:
            privacy_requests.log_on_behalf(db, scene.agent, **(args | kw))
        return refused.value.errors

    assert errors(email="nobody-here@example.com") == {"email": no_account}
    assert errors(email=gone.email) == {"email": no_account}
    assert errors(email="not an address") == {"email": "Enter a valid email address, like name@example.com."}
    assert errors(received_on=date(2026, 3, 3)) == {
        "received_on": "The day the request reached us cannot be in the future."
    }
    assert errors(received_on=date(2025, 1, 1)) == {
        "received_on": "The day the request reached us cannot be before 1 Mar 2025."
    }
    assert errors(channel="app") == {
        "channel": "Choose how the request reached us: email, Telegram or phone."
    }
    assert set(errors(kind="everything", message=" ", channel="fax")) == {"kind", "message", "channel"}
    assert db.exec(select(PrivacyRequest)).all() == []
    assert mails_to(scene.person.email) == []
    # Today itself (UTC) is fine, late in the evening too.
    late = datetime(2026, 3, 2, 23, 59, tzinfo=UTC)
    view = privacy_requests.log_on_behalf(
        db,
        scene.agent,
        email=scene.person.email,
        kind="access",
        channel="phone",
        message="Called in",
        received_on=date(2026, 3, 2),
        now=late,
    )
    assert (view.received_at, view.due_text) == (late, "due in 30 days")


# --- due dates -----------------------------------------------------------------------------------


def test_due_text_counts_utc_days() -> None:
    due = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
    assert due_text(due, datetime(2026, 4, 1, 0, 0, tzinfo=UTC)) == "due today"
    assert due_text(due, datetime(2026, 4, 1, 23, 59, tzinfo=UTC)) == "due today"
    assert due_text(due, datetime(2026, 3, 31, 23, 59, tzinfo=UTC)) == "due in 1 day"
    assert due_text(due, datetime(2026, 3, 20, 9, 0, tzinfo=UTC)) == "due in 12 days"
    assert due_text(due, datetime(2026, 4, 2, 0, 0, 1, tzinfo=UTC)) == "overdue by 1 day"
    assert due_text(due, datetime(2026, 4, 4, 12, 0, tzinfo=UTC)) == "overdue by 3 days"
    # 1 Apr 23:30 UTC is already 2 Apr in Bucharest; the count stays on UTC days.
    bucharest = datetime(2026, 4, 1, 23, 30, tzinfo=UTC).astimezone(ZoneInfo("Europe/Bucharest"))
    assert bucharest.day == 2
    assert due_text(due, bucharest) == "due today"


def test_the_queue_orders_by_due_date_and_moves_the_clock(db: Session, scene: Scene) -> None:
    late = _log(db, scene, at=T0)  # due 1 Apr
    soon = privacy_requests.open_privacy_request(
        db, scene.person, "access", "Copy", now=T0 + timedelta(days=5)
    ).request_id  # due 6 Apr
    finished_first = privacy_requests.open_privacy_request(
        db, scene.person, "objection", "No", now=T0
    ).request_id
    finished_last = privacy_requests.open_privacy_request(
        db, scene.person, "restriction", "Hold", now=T0
    ).request_id
    set_privacy_status(db, scene.agent, finished_first, "completed", now=T0 + timedelta(days=1))
    set_privacy_status(
        db, scene.agent, finished_last, "refused", reason="Unfounded.", now=T0 + timedelta(days=2)
    )
    db.commit()

    on_due_day = datetime(2026, 4, 1, 23, 0, tzinfo=UTC)
    rows = privacy_requests.privacy_queue(db, scene.agent, now=on_due_day)
    assert [(r.request_id, r.due_text) for r in rows] == [
        (late, "due today"),
        (soon, "due in 5 days"),
        (finished_last, ""),
        (finished_first, ""),
    ]
    a_day_later = privacy_requests.privacy_queue(db, scene.agent, now=on_due_day + timedelta(hours=2))
    assert a_day_later[0].due_text == "overdue by 1 day"
    assert [r.request_id for r in privacy_requests.privacy_queue(db, scene.agent, status="completed")] == [
        finished_first
    ]
    with pytest.raises(ValidationFailed):
        privacy_requests.privacy_queue(db, scene.agent, status="lost")
    view = for_request(db, scene.person, soon, now=datetime(2026, 4, 6, 0, 1, tzinfo=UTC))
    assert view is not None and view.due_text == "due today"


def test_the_queue_reads_many_requests_in_a_fixed_number_of_queries(
    db: Session, engine: Engine, scene: Scene
) -> None:
    plain = support.open_request(db, scene.person, "Billing", "billing", "Invoice?", now=T0).id
    ids = [_log(db, scene) for _ in range(2)]

    def count(request_ids: list[int]) -> tuple[int, dict[int, privacy_requests.PrivacyView]]:
        seen: list[str] = []

        def on_execute(*args: Any) -> None:
            seen.append(args[2])

        event.listen(engine, "before_cursor_execute", on_execute)
        try:
            result = privacy_requests.for_requests(db, scene.agent, request_ids, now=T0)
        finally:
            event.remove(engine, "before_cursor_execute", on_execute)
        return len(seen), result

    few, two = count([*ids, plain])
    ids += [_log(db, scene) for _ in range(4)]
    many, six = count([*ids, plain])
    assert sorted(two) == sorted(ids[:2]) and sorted(six) == sorted(ids)  # not the billing request
    assert few == many <= 3
    assert all(len(v.history) == 1 for v in six.values())


# --- the history ---------------------------------------------------------------------------------


def test_the_history_lists_every_step_in_order_with_who_did_it(db: Session, scene: Scene) -> None:
    rid = _log(db, scene, kind="portability", channel="telegram")
    set_privacy_status(db, scene.agent, rid, "received", reason="Waiting for her answer", now=T0)
    privacy_requests.confirm_identity(db, scene.person, rid, now=T0 + timedelta(hours=1))
    set_privacy_status(
        db, scene.agent2, rid, "refused", reason="Already sent last week.", now=T0 + timedelta(days=1)
    )
    db.commit()
    for viewer in (scene.person, scene.agent):
        view = for_request(db, viewer, rid)
        assert view is not None
        assert [(h.who, h.what) for h in view.history] == [
            (
                "Sam Support",
                "Logged by support: A copy to take elsewhere (portability), "
                "received on Telegram on 2 Mar 2026",
            ),
            (
                "Sam Support",
                "Status changed from Verifying identity to Received. Reason: Waiting for her answer",
            ),
            ("Mara Manager", "Identity verified: Confirmed by the person while signed in"),
            ("Mara Manager", "Status changed from Received to In progress"),
            ("Alex Agent", "Status changed from In progress to Refused. Reason: Already sent last week."),
        ]
        whens = [h.when for h in view.history]
        assert whens == sorted(whens)
    app = privacy_requests.open_privacy_request(db, scene.person, "access", "Copy", now=T0)
    assert [(h.who, h.what) for h in app.history] == [
        ("Mara Manager", "Asked in the app: Access to my data"),
        ("Mara Manager", "Identity verified: Signed in to the account when asking"),
    ]
    actions = db.exec(select(AuditLog.action).where(AuditLog.target == f"support_request:{rid}")).all()
    assert all(audit.action_label(a) != a for a in actions)  # every code has a label


# --- no way around the identity check ------------------------------------------------------------


@pytest.mark.parametrize("order", list(permutations(["received", "verifying_identity", "in_progress"])))
def test_no_order_of_steps_completes_without_a_verification(
    db: Session, scene: Scene, order: tuple[str, ...]
) -> None:
    rid = _log(db, scene)
    for step in order:
        set_privacy_status(db, scene.agent, rid, step, reason="step", now=T0)
        with pytest.raises(ValidationFailed) as refused:
            set_privacy_status(db, scene.agent, rid, "completed", now=T0)
        assert refused.value.errors == {"status": NOT_VERIFIED}
        # Nobody but the person and support staff can supply the missing check.
        with pytest.raises(NotFound):
            privacy_requests.confirm_identity(db, scene.owner, rid)
        with pytest.raises(PermissionDenied):
            privacy_requests.verify_identity(db, scene.person, rid, "Trust me")
        assert _status(db, rid) == (step, False)
    # The check itself is the way on.
    privacy_requests.confirm_identity(db, scene.person, rid)
    assert set_privacy_status(db, scene.agent, rid, "completed", now=T0).status == "completed"
