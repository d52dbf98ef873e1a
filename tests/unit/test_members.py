"""Members: the totals each role sees, search, sorting and paging, tags, and notes encrypted at rest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select

from studioos.models import AuditLog, Member, Role, Studio
from studioos.services import imports, members, platforms
from studioos.services.errors import NotFound, PermissionDenied, ValidationFailed
from studioos.services.permissions import Actor
from tests.factories import actor_for, add_member, make_studio, new_performer, performer_user

NOTE = "Asks for private shows on Fridays; prefers Spanish"


@dataclass(frozen=True)
class Studio2:
    studio: Studio
    owner: Actor
    ids: dict[str, int]  # models by stage name, members by handle, import batches by file name
    d1: date
    d2: date


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _csv(lines: list[tuple[str, int, datetime, str]]) -> bytes:
    rows = ["User,Token change,Timestamp,Note,Transaction type"]
    rows += [f"{who},{tokens},{at.isoformat()},{kind},{kind}" for who, tokens, at, kind in lines]
    return "\r\n".join(rows).encode()


def _studio(db: Session) -> Studio2:
    """Anna and Bella on Chaturbate; four members, bigtipper giving to both of them."""
    studio, owner_user = make_studio(db)
    owner = actor_for(db, owner_user, studio)
    ids = {"Anna": new_performer(db, owner, "Anna"), "Bella": new_performer(db, owner, "Bella")}
    platforms.add_account(db, owner, ids["Anna"], "Chaturbate", "annarose")
    platforms.add_account(db, owner, ids["Bella"], "Chaturbate", "bellacb")
    db.commit()
    # Whole days back, so no row is in the future (refused) whatever the hour of the run.
    d1, d2 = owner.today() - timedelta(days=3), owner.today() - timedelta(days=2)
    anna = _csv(
        [
            ("bigtipper", 100, _at(d1, 8), "Tip"),
            ("bigtipper", 50, _at(d1, 9), "Tip"),
            ("100%_real", 30, _at(d1, 10), "Tip"),
            ("bigtipper", 600, _at(d2, 9), "Private Show"),
            ("bigtipper", -100, _at(d2, 10), "Refund"),
        ]
    )
    bella = _csv(
        [
            ("bigtipper", 200, _at(d1, 7), "Tip"),
            ("shy", 10, _at(d2, 6), "Tip"),
            ("100x_real", 5, _at(d2, 7), "Tip"),
        ]
    )
    for name, data in (("annarose_tokens.csv", anna), ("bellacb_tokens.csv", bella)):
        report = imports.confirm(db, owner, data, filename=name)
        assert report.rows_refused == 0, report.refused
        ids[name] = report.id
    db.commit()
    for handle, member_id in db.exec(select(Member.handle, Member.id).where(Member.studio_id == studio.id)):
        ids[handle] = member_id or 0
    return Studio2(studio, owner, ids, d1, d2)


def _by_handle(page: members.Page[members.MemberRow]) -> dict[str, members.MemberRow]:
    return {r.handle: r for r in page.rows}


def _handles(db: Session, actor: Actor, **kwargs: object) -> list[str]:
    return [r.handle for r in members.list_members(db, actor, **kwargs).rows]  # type: ignore[arg-type]


# ---------------------------------------------------------------- totals


def test_staff_see_each_members_totals_over_every_model(db: Session) -> None:
    s = _studio(db)
    rows = _by_handle(members.list_members(db, s.owner))
    assert set(rows) == {"bigtipper", "100%_real", "shy", "100x_real"}
    big = rows["bigtipper"]
    # Anna: 100 + 50 + 600 - 100, two tips (a show and a refund are no tips); Bella: one tip of 200.
    assert (big.tokens, big.tips, big.models) == (850, 3, 2)
    # The first tip is Bella's, the last gift Anna's show (a refund is no gift).
    assert (big.first_tip_at, big.last_tip_at) == (_at(s.d1, 7), _at(s.d2, 9))
    assert big.platform == "Chaturbate" and big.tags == [] and big.notes_count == 0
    real = rows["100%_real"]
    assert (real.tokens, real.tips, real.models, real.first_tip_at) == (30, 1, 1, _at(s.d1, 10))
    # One model's filter: her totals only.
    bella = _by_handle(members.list_members(db, s.owner, performer_id=s.ids["Bella"]))
    assert set(bella) == {"bigtipper", "shy", "100x_real"}
    assert (bella["bigtipper"].tokens, bella["bigtipper"].tips, bella["bigtipper"].models) == (200, 1, 1)


def test_the_detail_has_totals_per_model_and_the_history(db: Session) -> None:
    s = _studio(db)
    detail = members.member_detail(db, s.owner, s.ids["bigtipper"])
    assert (detail.handle, detail.tokens, detail.tips) == ("bigtipper", 850, 3)
    assert [(t.stage_name, t.tokens, t.tips) for t in detail.totals] == [("Anna", 650, 2), ("Bella", 200, 1)]
    assert [(h.stage_name, h.tokens, h.entry_type) for h in detail.history] == [
        ("Anna", -100, "refund"),
        ("Anna", 600, "private"),
        ("Anna", 50, "tip"),
        ("Anna", 100, "tip"),
        ("Bella", 200, "tip"),
    ]
    assert detail.history[0].occurred_at == _at(s.d2, 10) and detail.history[0].platform == "Chaturbate"
    assert detail.can_tag and detail.can_read_notes and detail.can_write_notes


def test_an_undo_recounts_and_the_staff_keep_the_member(db: Session) -> None:
    s = _studio(db)
    imports.undo(db, s.owner, s.ids["bellacb_tokens.csv"])
    db.commit()
    rows = _by_handle(members.list_members(db, s.owner))
    assert (rows["bigtipper"].tokens, rows["bigtipper"].tips, rows["bigtipper"].models) == (650, 2, 1)
    # Her tags and notes outlive the records: the member stays, with nothing counted.
    assert (rows["shy"].tokens, rows["shy"].models, rows["shy"].last_tip_at) == (0, 0, None)
    assert _handles(db, s.owner, sort="last_tip")[-2:] == ["shy", "100x_real"]  # no tip sorts last
    shy = members.member_detail(db, s.owner, s.ids["shy"])
    assert (shy.totals, shy.history, shy.tokens, shy.last_tip_at) == ([], [], 0, None)
    assert members.list_members(db, s.owner, performer_id=s.ids["Bella"]).rows == []


# ---------------------------------------------------------------- search, sort, paging


def test_search_is_case_insensitive_and_takes_wildcards_literally(db: Session) -> None:
    s = _studio(db)
    assert _handles(db, s.owner, search="  BIG ") == ["bigtipper"]
    # Unescaped, "%" and "_" would match "100x_real" (and "_" every handle) too.
    assert _handles(db, s.owner, search="100%_") == ["100%_real"]
    assert sorted(_handles(db, s.owner, search="_")) == ["100%_real", "100x_real"]
    assert _handles(db, s.owner, search="%") == ["100%_real"]
    assert _handles(db, s.owner, search="nobody") == []
    assert _handles(db, s.owner, platform="Stripchat") == []
    assert len(_handles(db, s.owner, platform="Chaturbate")) == 4


def test_sorting_and_paging_happen_in_the_database(db: Session) -> None:
    s = _studio(db)
    assert _handles(db, s.owner) == ["bigtipper", "100%_real", "shy", "100x_real"]  # tokens, largest first
    assert _handles(db, s.owner, sort="tokens", descending=False) == [
        "100x_real",
        "shy",
        "100%_real",
        "bigtipper",
    ]
    assert _handles(db, s.owner, sort="tips")[0] == "bigtipper"
    assert _handles(db, s.owner, sort="last_tip", descending=False) == [
        "100%_real",
        "shy",
        "100x_real",
        "bigtipper",
    ]
    assert _handles(db, s.owner, sort="first_tip", descending=False) == [
        "bigtipper",
        "100%_real",
        "shy",
        "100x_real",
    ]
    first = members.list_members(db, s.owner, sort="handle", descending=False, per_page=3)
    second = members.list_members(db, s.owner, sort="handle", descending=False, per_page=3, page=2)
    assert (first.total, first.pages, second.total) == (4, 2, 4)
    assert [r.handle for r in first.rows] == ["100%_real", "100x_real", "bigtipper"]
    assert [r.handle for r in second.rows] == ["shy"]
    fallback = members.list_members(db, s.owner, sort="tags; drop table member")
    assert fallback.sort == "tokens" and fallback.rows[0].handle == "bigtipper"


# ---------------------------------------------------------------- who sees what


def test_an_analyst_sees_totals_but_never_notes(db: Session) -> None:
    s = _studio(db)
    members.add_note(db, s.owner, s.ids["bigtipper"], NOTE)
    db.commit()
    analyst = actor_for(db, add_member(db, s.studio, Role.ANALYST), s.studio)
    big = _by_handle(members.list_members(db, analyst))["bigtipper"]
    assert (big.tokens, big.notes_count) == (850, 0)
    assert _by_handle(members.list_members(db, s.owner))["bigtipper"].notes_count == 1
    detail = members.member_detail(db, analyst, s.ids["bigtipper"])
    assert detail.tokens == 850 and detail.notes == []
    assert not (detail.can_read_notes or detail.can_write_notes or detail.can_tag)
    assert NOTE not in repr(detail)
    with pytest.raises(PermissionDenied):
        members.set_tags(db, analyst, s.ids["bigtipper"], "vip")
    with pytest.raises(PermissionDenied):
        members.add_note(db, analyst, s.ids["bigtipper"], "hello")


def test_a_model_sees_only_her_members_and_her_own_notes(db: Session) -> None:
    s = _studio(db)
    members.add_note(db, s.owner, s.ids["bigtipper"], NOTE)
    db.commit()
    anna = performer_user(db, s.studio, s.ids["Anna"], "Anna User")
    rows = _by_handle(members.list_members(db, anna))
    assert set(rows) == {"bigtipper", "100%_real"}
    assert (rows["bigtipper"].tokens, rows["bigtipper"].tips, rows["bigtipper"].models) == (650, 2, 1)
    assert rows["bigtipper"].first_tip_at == _at(s.d1, 8)
    # Asking for another model's members changes nothing: a model's list is always her own.
    assert set(_by_handle(members.list_members(db, anna, performer_id=s.ids["Bella"]))) == set(rows)
    for other in ("shy", "100x_real"):
        with pytest.raises(NotFound):
            members.member_detail(db, anna, s.ids[other])
        with pytest.raises(NotFound):
            members.add_note(db, anna, s.ids[other], "hello")
    detail = members.member_detail(db, anna, s.ids["bigtipper"])
    assert [t.stage_name for t in detail.totals] == ["Anna"] and detail.tokens == 650
    assert {h.stage_name for h in detail.history} == {"Anna"} and len(detail.history) == 4
    assert detail.notes == [] and detail.can_write_notes and not detail.can_tag

    members.add_note(db, anna, s.ids["bigtipper"], "  Sends roses every Friday  ")
    db.commit()
    notes = members.member_detail(db, anna, s.ids["bigtipper"]).notes
    assert [(n.body, n.author, n.own) for n in notes] == [("Sends roses every Friday", "Anna User", True)]
    assert _by_handle(members.list_members(db, anna))["bigtipper"].notes_count == 1
    # The staff read every note of the studio's member, hers included.
    staff_notes = members.member_detail(db, s.owner, s.ids["bigtipper"]).notes
    assert {n.body for n in staff_notes} == {NOTE, "Sends roses every Friday"}
    assert {n.body: n.own for n in staff_notes} == {NOTE: True, "Sends roses every Friday": False}
    with pytest.raises(PermissionDenied):
        members.set_tags(db, anna, s.ids["bigtipper"], "vip")


def test_another_studio_sees_none_of_it(db: Session) -> None:
    s = _studio(db)
    other_studio, other_user = make_studio(db, "Studio B")
    other = actor_for(db, other_user, other_studio)
    assert members.list_members(db, other).rows == []
    assert members.list_members(db, other).total == 0
    assert members.tag_options(db, other) == [] and members.platform_options(db, other) == []
    for handle in ("bigtipper", "shy"):
        with pytest.raises(NotFound):
            members.member_detail(db, other, s.ids[handle])
        with pytest.raises(NotFound):
            members.set_tags(db, other, s.ids[handle], "vip")
        with pytest.raises(NotFound):
            members.add_note(db, other, s.ids[handle], "hello")
    for bad in ("0", "-1", "abc", str(2**40)):
        with pytest.raises(NotFound):
            members.member_detail(db, s.owner, bad)


# ---------------------------------------------------------------- notes and tags


def test_notes_are_encrypted_at_rest_and_kept_out_of_the_audit_log(db: Session) -> None:
    s = _studio(db)
    note = members.add_note(db, s.owner, s.ids["bigtipper"], NOTE)
    db.commit()
    raw = db.execute(text("SELECT body FROM membernote WHERE id = :id"), {"id": note.id}).scalar_one()
    assert isinstance(raw, str) and raw and NOTE not in raw and "Fridays" not in raw
    assert members.member_detail(db, s.owner, s.ids["bigtipper"]).notes[0].body == NOTE
    logged = db.exec(select(AuditLog).where(AuditLog.action == "members.note_added")).one()
    assert logged.target == "Chaturbate bigtipper" and "Fridays" not in logged.detail


def test_a_note_is_clean_text_of_at_most_2000_characters(db: Session) -> None:
    s = _studio(db)
    for bad in ("", "   \n ", "x" * 2001):
        with pytest.raises(ValidationFailed) as refused:
            members.add_note(db, s.owner, s.ids["shy"], bad)
        assert "body" in refused.value.errors
    kept = members.add_note(db, s.owner, s.ids["shy"], "line one\r\nline\x00 two\x07")
    assert kept.body == "line one\nline two"
    assert len(members.add_note(db, s.owner, s.ids["shy"], "y" * 2000).body) == 2000


def test_tags_are_cleaned_limited_filterable_and_audited(db: Session) -> None:
    s = _studio(db)
    saved = members.set_tags(db, s.owner, s.ids["bigtipper"], " VIP ,regular, vip,,  big   spender\t")
    db.commit()
    assert saved == ["VIP", "regular", "big spender"]
    assert members.member_detail(db, s.owner, s.ids["bigtipper"]).tags == saved
    assert _by_handle(members.list_members(db, s.owner))["bigtipper"].tags == saved
    members.set_tags(db, s.owner, s.ids["shy"], "regular")
    db.commit()
    assert members.tag_options(db, s.owner) == ["big spender", "regular", "VIP"]
    assert _handles(db, s.owner, tag="vip") == ["bigtipper"]
    assert sorted(_handles(db, s.owner, tag="Regular")) == ["bigtipper", "shy"]
    assert _handles(db, s.owner, tag="reg") == []  # a whole tag, not a part of one
    assert _handles(db, s.owner, tag="%") == []
    members.set_tags(db, s.owner, s.ids["100x_real"], "Ñandú")
    assert _handles(db, s.owner, tag="Ñandú") == ["100x_real"]
    with pytest.raises(ValidationFailed) as refused:
        members.set_tags(db, s.owner, s.ids["shy"], "x" * 31)
    assert "30" in refused.value.errors["tags"]
    with pytest.raises(ValidationFailed) as refused:
        members.set_tags(db, s.owner, s.ids["shy"], ",".join(f"t{i}" for i in range(11)))
    assert "10" in refused.value.errors["tags"]
    members.set_tags(db, s.owner, s.ids["shy"], ",".join(f"t{i}" for i in range(10)))
    members.set_tags(db, s.owner, s.ids["shy"], "  ")
    db.commit()
    assert members.member_detail(db, s.owner, s.ids["shy"]).tags == []
    logged = db.exec(
        select(AuditLog.detail).where(AuditLog.action == "members.tagged").order_by(col(AuditLog.id))
    ).all()
    assert logged[0] == "VIP, regular, big spender" and logged[-1] == "no tags"
    # A model reads the tags of her own members only.
    anna = performer_user(db, s.studio, s.ids["Anna"], "Anna User")
    assert members.tag_options(db, anna) == ["big spender", "regular", "VIP"]
    bella = performer_user(db, s.studio, s.ids["Bella"], "Bella User")
    members.set_tags(db, s.owner, s.ids["100%_real"], "anna only")
    db.commit()
    assert "anna only" not in members.tag_options(db, bella)


def test_the_pages_state_seals_the_notes_it_holds() -> None:
    import pickle

    from reflex.state import State

    import studioos.studioos  # noqa: F401  (registers the pages)
    from studioos.pages.members import MembersState, NoteLine

    root = State(_reflex_internal_init=True)
    page = root.get_substate(MembersState.get_full_name().split(".")[1:])
    assert isinstance(page, MembersState)
    page.notes = [NoteLine(1, "Owner", "today", NOTE, True)]
    blob = pickle.dumps(page)  # what the state store writes
    assert NOTE.encode() not in blob and b"Fridays" not in blob
    assert pickle.loads(blob).notes == page.notes
