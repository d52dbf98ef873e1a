"""Creating accounts outside sign-up: support staff and members added by an operator."""

from __future__ import annotations

from sqlmodel import Session, select

from studioos.models import Membership, Role, Studio, User, row_id
from studioos.services.passwords import hash_password
from studioos.services.validation import FormErrors, clean_name, normalize_email


def create_user(
    db: Session,
    *,
    email: str,
    name: str,
    password: str,
    support: bool = False,
    studio_id: int | None = None,
    role: str | None = None,
) -> User:
    form = FormErrors()
    email_c = form.check("email", normalize_email, email)
    name_c = form.check("name", clean_name, name, "Name")
    form.password_pair(password, password, about=(email, name))
    if email_c and db.exec(select(User.id).where(User.email == email_c)).first():
        form.add("email", "An account with this email already exists.")
    if not support:
        if studio_id is None or db.get(Studio, studio_id) is None:
            form.add("studio", "No studio with this id.")
        if role not in {r.value for r in Role}:
            form.add("role", "Choose owner, manager, analyst or performer.")
    form.raise_if_any()
    assert email_c and name_c
    user = User(email=email_c, name=name_c, password_hash=hash_password(password), is_support=support)
    db.add(user)
    db.flush()
    if not support:
        assert studio_id is not None and role is not None
        db.add(Membership(user_id=row_id(user), studio_id=studio_id, role=role))
    return user
