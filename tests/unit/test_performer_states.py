"""The model page's states: personal data is sealed in whichever substate holds it, and each tab's
data sits in its own substate."""

from __future__ import annotations

import pickle

import pytest
from reflex.state import BaseState, State

from studioos.pages.performer_detail import (
    TABS,
    DocumentsTab,
    LegalView,
    PerformerDetailState,
    ProfileView,
    Tab,
)

SECRET_EMAIL = "zora.private@example.org"
SECRET_NOTE = "Prefers the late shift"
SECRET_DOC = "DOCNUM998877"


@pytest.fixture(scope="module")
def root_state() -> State:
    import studioos.studioos  # noqa: F401  (registers the pages)

    return State(_reflex_internal_init=True)


def _state(root: State, cls: type[BaseState]) -> BaseState:
    return root.get_substate(cls.get_full_name().split(".")[1:])


def test_each_tab_is_a_substate_of_the_page(root_state: State) -> None:
    assert set(TABS) == set(Tab)
    assert {cls.get_parent_state() for cls in TABS.values()} == {PerformerDetailState}
    # The tabs' own vars are not the page's: an event of one tab does not carry another's.
    page_vars = set(PerformerDetailState.__fields__)
    for cls in TABS.values():
        own = {name for name, f in cls.__fields__.items() if f._owner is cls}
        assert own and not own & page_vars, cls.__name__


def test_personal_vars_are_sealed_where_they_are_held(root_state: State) -> None:
    page = _state(root_state, PerformerDetailState)
    documents = _state(root_state, DocumentsTab)
    assert isinstance(page, PerformerDetailState) and isinstance(documents, DocumentsTab)
    page.profile = ProfileView(id=7, stage_name="Zora", email=SECRET_EMAIL, notes=SECRET_NOTE)
    documents.legal = LegalView(legal_name="Xenia Secret", doc_number=SECRET_DOC)

    for state, name, secrets in (
        (page, "profile", [SECRET_EMAIL, SECRET_NOTE]),
        (documents, "legal", ["Xenia Secret", SECRET_DOC]),
    ):
        blob = pickle.dumps(state)  # what the state store writes
        assert [s for s in secrets if s.encode() in blob] == [], type(state).__name__
        opened = pickle.loads(blob)
        assert getattr(opened, name) == getattr(state, name)

    # Every var that holds a profile or legal view is sealed by the state that owns it.
    held = {
        (cls.__name__, name)
        for cls in (PerformerDetailState, *TABS.values())
        for name, f in cls.__fields__.items()
        if f._owner is cls and f.type_ in (ProfileView, LegalView)
    }
    assert held == {("PerformerDetailState", "profile"), ("DocumentsTab", "legal")}
    assert PerformerDetailState._sealed == ("profile",) and DocumentsTab._sealed == ("legal",)
