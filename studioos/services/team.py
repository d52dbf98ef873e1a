"""The studio's team: members, roles and invitations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from studioos.models import Invitation, Membership, Role, Studio, User, row_id, utcnow
from studioos.services import audit, auth, mail, performers, reauth
from studioos.services.auth import revoke_user_sessions
from studioos.services.errors import NotFound, PermissionDenied, ValidationFailed
from studioos.services.passwords import hash_password
from studioos.services.permissions import ROLE_LABELS, Actor, Cap, require
from studioos.services.tokens import hash_token, new_token
from studioos.services.validation import FormErrors, clean_name, normalize_email
from studioos.settings import get_settings

INVITE_TTL = timedelta(days=7)
INVITABLE_ROLES = (Role.MANAGER, Role.ANALYST, Role.PERFORMER)


@dataclass(frozen=True)
class MemberRow:
    user_id: int
    name: str
    email: str
    role: str
    role_label: str
    joined_at: datetime
    is_me: bool


@dataclass(frozen=True)
class InvitationRow:
    id: int
    email: str
    role: str
    role_label: str
    invited_by: str
    created_at: datetime
    expires_at: datetime
    expired: bool


@dataclass(frozen=True)
class InvitationInfo:
    """What the acceptance page shows before anyone signs in."""

    studio_name: str
    email: str
    role_label: str
    account_exists: bool


def list_members(db: Session, actor: Actor) -> list[MemberRow]:
    studio_id = require(actor, Cap.TEAM_VIEW)
    rows = db.exec(
        select(Membership, User)
        .join(User, col(User.id) == Membership.user_id)
        .where(Membership.studio_id == studio_id)
        .order_by(col(User.name))
    ).all()
    return [
        MemberRow(
            user_id=row_id(u),
            name=u.name,
            email=u.email,
            role=m.role,
            role_label=ROLE_LABELS.get(m.role, m.role),
            joined_at=m.created_at,
            is_me=u.id == actor.user_id,
        )
        for m, u in rows
    ]


def open_invitations(studio_id: int) -> tuple[ColumnElement[bool], ...]:
    """The studio's invitations nobody has accepted or revoked (lapsed ones included)."""
    return (
        Invitation.studio_id == studio_id,  # type: ignore[return-value]  # a SQL expression, typed as bool
        col(Invitation.accepted_at).is_(None),
        col(Invitation.revoked_at).is_(None),
    )


def list_invitations(db: Session, actor: Actor) -> list[InvitationRow]:
    studio_id = require(actor, Cap.TEAM_VIEW)
    rows = db.exec(
        select(Invitation).where(*open_invitations(studio_id)).order_by(col(Invitation.created_at).desc())
    ).all()
    inviters = {
        u.id: u.name
        for u in db.exec(select(User).where(col(User.id).in_({r.invited_by_id for r in rows}))).all()
    }
    return [_invitation_row(r, inviters.get(r.invited_by_id, "—")) for r in rows]


def _invitation_row(invitation: Invitation, invited_by: str) -> InvitationRow:
    return InvitationRow(
        id=row_id(invitation),
        email=invitation.email,
        role=invitation.role,
        role_label=ROLE_LABELS.get(invitation.role, invitation.role),
        invited_by=invited_by,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        expired=invitation.expires_at <= utcnow(),
    )


def count_pending_invitations(db: Session, actor: Actor) -> int:
    studio_id = require(actor, Cap.TEAM_VIEW)
    return db.exec(
        select(func.count())
        .select_from(Invitation)
        .where(*open_invitations(studio_id), Invitation.expires_at > utcnow())
    ).one()


def _may_grant(actor: Actor, role: str) -> bool:
    if role == Role.MANAGER:
        return actor.can(Cap.TEAM_INVITE_MANAGER)
    return role in INVITABLE_ROLES


def _send_invitation(db: Session, invitation: Invitation, raw: str) -> None:
    studio = db.get(Studio, invitation.studio_id)
    inviter = db.get(User, invitation.invited_by_id) if invitation.invited_by_id else None
    link = get_settings().url(f"/invite/{raw}")
    role = ROLE_LABELS.get(invitation.role, invitation.role)
    mail.send(
        invitation.email,
        f"You are invited to {studio.name if studio else 'a studio'} on StudioOS",
        f"Hello,\n\n{inviter.name if inviter else 'A colleague'} invited you to join "
        f"{studio.name if studio else 'their studio'} on StudioOS as {role}.\n\n"
        f"Accept the invitation here (the link works once and expires in 7 days):\n{link}\n\n"
        f"If you were not expecting this, ignore this email.\n",
    )


def invite(
    db: Session, actor: Actor, *, email: str, role: str, performer_id: int | None = None
) -> InvitationRow:
    """Invite by email; `performer_id` (role Model only) links the new account to that profile."""
    studio_id = require(actor, Cap.TEAM_INVITE)
    form = FormErrors()
    email_c = form.check("email", normalize_email, email)
    if performer_id is not None:
        if role != Role.PERFORMER:
            form.add("role", "Only the Model role can be linked to a model profile.")
        performers.get_row(db, studio_id, performer_id)  # another studio's id: NotFound
        if db.exec(
            select(Membership.id).where(
                Membership.studio_id == studio_id, Membership.performer_id == performer_id
            )
        ).first():
            form.add("email", "This model already has an account in the studio.")
    if role not in INVITABLE_ROLES:
        form.add("role", "Choose a role.")
    elif not _may_grant(actor, role):
        form.add("role", "Only owners can invite managers.")
    if email_c:
        member = db.exec(
            select(Membership.id)
            .join(User, col(User.id) == Membership.user_id)
            .where(Membership.studio_id == studio_id, User.email == email_c)
        ).first()
        if member:
            form.add("email", "This person is already on the team.")
    form.raise_if_any()
    assert email_c is not None
    now = utcnow()
    # A new invitation to the same address replaces the open one.
    for old in db.exec(
        select(Invitation).where(*open_invitations(studio_id), Invitation.email == email_c)
    ).all():
        old.revoked_at = now
        db.add(old)
    raw, digest = new_token()
    invitation = Invitation(
        studio_id=studio_id,
        email=email_c,
        role=role,
        token_hash=digest,
        invited_by_id=actor.user_id,
        performer_id=performer_id,
        expires_at=now + INVITE_TTL,
    )
    db.add(invitation)
    db.flush()
    audit.record_by(db, actor, "invitation.sent", target=email_c or "", detail=f"role={role}")
    _send_invitation(db, invitation, raw)
    return _invitation_row(invitation, actor.name)


def _studio_invitation(db: Session, actor: Actor, invitation_id: int) -> Invitation:
    studio_id = require(actor, Cap.TEAM_INVITE)
    invitation = db.get(Invitation, invitation_id)
    if (
        invitation is None
        or invitation.studio_id != studio_id
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
    ):
        raise NotFound("This invitation no longer exists.")
    if not _may_grant(actor, invitation.role):
        raise PermissionDenied("Only owners can manage invitations for managers.")
    return invitation


def resend_invitation(db: Session, actor: Actor, invitation_id: int) -> None:
    """A fresh link and a fresh 7 days; the old link stops working."""
    invitation = _studio_invitation(db, actor, invitation_id)
    raw, digest = new_token()
    invitation.token_hash = digest
    invitation.expires_at = utcnow() + INVITE_TTL
    db.add(invitation)
    audit.record_by(db, actor, "invitation.resent", target=invitation.email)
    _send_invitation(db, invitation, raw)


def revoke_invitation(db: Session, actor: Actor, invitation_id: int) -> None:
    invitation = _studio_invitation(db, actor, invitation_id)
    invitation.revoked_at = utcnow()
    db.add(invitation)
    audit.record_by(db, actor, "invitation.revoked", target=invitation.email)


def _open_invitation(db: Session, raw: str) -> Invitation:
    invitation = db.exec(select(Invitation).where(Invitation.token_hash == hash_token(raw or ""))).first()
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= utcnow()
    ):
        raise NotFound("This invitation link is invalid, already used or expired. Ask for a new one.")
    return invitation


def invitation_info(db: Session, raw: str) -> InvitationInfo:
    invitation = _open_invitation(db, raw)
    studio = db.get(Studio, invitation.studio_id)
    exists = db.exec(select(User.id).where(User.email == invitation.email)).first() is not None
    return InvitationInfo(
        studio_name=studio.name if studio else "",
        email=invitation.email,
        role_label=ROLE_LABELS.get(invitation.role, invitation.role),
        account_exists=exists,
    )


def accept_invitation(
    db: Session,
    raw: str,
    *,
    name: str = "",
    password: str = "",
    password_confirm: str = "",
    ip: str = "",
    user_agent: str = "",
) -> tuple[User, int]:
    """Create the account (or attach the existing one) and join the studio. Returns (user, studio id).

    An existing account must prove it is theirs with its password; a new one chooses name and password.
    """
    invitation = _open_invitation(db, raw)
    user = db.exec(select(User).where(User.email == invitation.email)).first()
    form = FormErrors()
    if user is None:
        name_c = form.check("name", clean_name, name, "Your name")
        form.password_pair(password, password_confirm, about=(invitation.email, name))
        form.raise_if_any()
        assert name_c is not None
        user = User(email=invitation.email, name=name_c, password_hash=hash_password(password))
        db.add(user)
        db.flush()
    else:
        # Proving the password is a sign-in: same throttle, same history, same audit rows.
        try:
            auth.authenticate(db, email=user.email, password=password, client=auth.Client(ip, user_agent))
        except ValidationFailed as exc:
            raise ValidationFailed({"password": "Wrong password for this account."}) from exc
    join_invited_studio(db, invitation, user, ip=ip, user_agent=user_agent)
    return user, invitation.studio_id


def join_invited_studio(
    db: Session, invitation: Invitation, user: User, *, ip: str = "", user_agent: str = "", how: str = ""
) -> None:
    """What accepting an invitation does once the person is known (by password, or by the sign-in
    provider: `how` says which in the audit row): the membership, the model's profile linked for
    a performer, the invitation used up."""
    already = db.exec(
        select(Membership).where(Membership.user_id == user.id, Membership.studio_id == invitation.studio_id)
    ).first()
    if already is None:
        db.add(Membership(user_id=row_id(user), studio_id=invitation.studio_id, role=invitation.role))
        db.flush()
    if invitation.performer_id is not None and invitation.role == Role.PERFORMER:
        performers.link_membership(
            db, studio_id=invitation.studio_id, user_id=row_id(user), performer_id=invitation.performer_id
        )
    invitation.accepted_at = utcnow()
    invitation.accepted_user_id = user.id
    db.add(invitation)
    audit.record(
        db,
        "invitation.accepted",
        studio_id=invitation.studio_id,
        actor_user_id=user.id,
        target=invitation.email,
        detail=f"role={invitation.role}" + (f"; {how}" if how else ""),
        ip=ip,
        user_agent=user_agent,
    )
    db.flush()


def _membership(db: Session, studio_id: int, user_id: int) -> Membership:
    m = db.exec(
        select(Membership).where(Membership.studio_id == studio_id, Membership.user_id == user_id)
    ).first()
    if m is None:
        raise NotFound("This person is not on the team.")
    return m


def _owner_count(db: Session, studio_id: int) -> int:
    return db.exec(
        select(func.count())
        .select_from(Membership)
        .where(Membership.studio_id == studio_id, Membership.role == Role.OWNER)
    ).one()


def change_role(db: Session, actor: Actor, user_id: int, role: str) -> None:
    studio_id = require(actor, Cap.TEAM_MANAGE_ROLES)
    reauth.require_recent(db, actor)
    if role not in {r.value for r in Role}:
        raise ValidationFailed({"role": "Choose a role."})
    m = _membership(db, studio_id, user_id)
    if m.role == role:
        return
    if m.role == Role.OWNER and _owner_count(db, studio_id) <= 1:
        raise ValidationFailed(
            {"role": "The last owner cannot be demoted. Make someone else owner first."},
            "The last owner cannot be demoted. Make someone else owner first.",
        )
    old = m.role
    m.role = role
    db.add(m)
    user = db.get(User, user_id)
    audit.record_by(
        db, actor, "member.role_changed", target=user.email if user else "", detail=f"{old}->{role}"
    )


def remove_member(db: Session, actor: Actor, user_id: int) -> None:
    studio_id = require(actor, Cap.TEAM_MANAGE_ROLES)
    m = _membership(db, studio_id, user_id)
    if m.role == Role.OWNER and _owner_count(db, studio_id) <= 1:
        raise ValidationFailed(
            {"member": "The last owner cannot be removed."}, "The last owner cannot be removed."
        )
    db.delete(m)
    user = db.get(User, user_id)
    # Sessions opened in this studio must stop at once; resolve_actor also re-checks membership.
    other = db.exec(
        select(Membership.id).where(Membership.user_id == user_id, Membership.studio_id != studio_id)
    ).first()
    if other is None:
        revoke_user_sessions(db, user_id)
    audit.record_by(db, actor, "member.removed", target=user.email if user else "")
