"""Editor accounts and sessions on real SQLite and PostgreSQL databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, select

from aggregator.editors import (
    EditorError,
    SessionPolicy,
    add_editor,
    authenticate,
    change_password,
    close_session,
    disable_editor,
    normalize_name,
    open_session,
    session_for,
    token_hash,
)
from aggregator.store.editors import EditorExistsError, Editors
from aggregator.store.schema import EditorSessionRow

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "Elbwiesen-2026!"


@pytest.fixture
def editors(engine: Engine) -> Editors:
    return Editors(engine)


def test_add_stores_a_normalized_name_and_an_argon2id_hash(editors: Editors) -> None:
    editor = add_editor(editors, "  Anna.Krause ", PASSWORD, NOW, FAST)

    assert editor.name == "anna.krause"
    assert editors.get("anna.krause") == editor
    found = editors.credentials("anna.krause")
    assert found is not None
    assert found[1].startswith("$argon2id$")
    assert PASSWORD not in found[1]
    assert editors.all()[0].created_at == NOW


def test_names_are_unique_whatever_their_case(editors: Editors) -> None:
    add_editor(editors, "anna", PASSWORD, NOW, FAST)
    with pytest.raises(EditorExistsError, match="anna"):
        add_editor(editors, "ANNA", PASSWORD, NOW, FAST)


@pytest.mark.parametrize("name", ["", "anna krause", "a" * 65, "anna<script>"])
def test_unusable_names_are_refused(name: str) -> None:
    with pytest.raises(EditorError):
        normalize_name(name)


def test_short_passwords_are_refused(editors: Editors) -> None:
    with pytest.raises(EditorError, match="at least 12"):
        add_editor(editors, "anna", "elf-zeichen", NOW, FAST)
    assert editors.all() == []


def test_authenticate_right_wrong_unknown_disabled(editors: Editors) -> None:
    add_editor(editors, "anna", PASSWORD, NOW, FAST)
    add_editor(editors, "bernd", PASSWORD, NOW, FAST)
    disable_editor(editors, "bernd")

    editor = authenticate(editors, "Anna", PASSWORD, FAST)
    assert editor is not None and editor.name == "anna"
    assert authenticate(editors, "anna", PASSWORD + "x", FAST) is None
    assert authenticate(editors, "niemand", PASSWORD, FAST) is None
    assert authenticate(editors, "bernd", PASSWORD, FAST) is None
    assert authenticate(editors, "kein name", PASSWORD, FAST) is None


def test_a_hash_with_old_parameters_is_replaced_on_login(editors: Editors) -> None:
    add_editor(editors, "anna", PASSWORD, NOW, FAST)
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)

    assert authenticate(editors, "anna", PASSWORD, stronger) is not None

    found = editors.credentials("anna")
    assert found is not None
    assert "m=16,t=2,p=1" in found[1]
    assert not stronger.check_needs_rehash(found[1])
    assert authenticate(editors, "anna", PASSWORD, stronger) is not None


def test_session_token_is_stored_only_as_its_hash(editors: Editors, engine: Engine) -> None:
    editor = add_editor(editors, "anna", PASSWORD, NOW, FAST)
    token, session = open_session(editors, editor, NOW)

    with engine.connect() as conn:
        stored = conn.execute(select(EditorSessionRow.token_hash)).scalars().all()
    assert stored == [token_hash(token)]
    assert token not in stored
    assert session_for(editors, token, NOW) == session
    assert session.editor_name == "anna"
    assert len(session.csrf_token) >= 40
    assert session_for(editors, token + "x", NOW) is None


def test_session_ends_after_idle_time_unless_used(editors: Editors) -> None:
    policy = SessionPolicy(idle=timedelta(hours=12), max_age=timedelta(days=7))
    editor = add_editor(editors, "anna", PASSWORD, NOW, FAST)
    token, _ = open_session(editors, editor, NOW, policy)

    used = NOW + timedelta(hours=11)
    assert session_for(editors, token, used, policy) is not None  # starts the idle time again
    assert session_for(editors, token, used + timedelta(hours=11, minutes=59), policy) is not None
    late = used + timedelta(hours=11, minutes=59) + timedelta(hours=12)
    assert session_for(editors, token, late, policy) is None


def test_session_ends_after_its_maximum_age_even_when_used(editors: Editors) -> None:
    policy = SessionPolicy(idle=timedelta(hours=12), max_age=timedelta(days=7))
    editor = add_editor(editors, "anna", PASSWORD, NOW, FAST)
    token, _ = open_session(editors, editor, NOW, policy)
    hours = range(10, 180, 10)  # used every 10 hours: never idle for long
    alive = [session_for(editors, token, NOW + timedelta(hours=h), policy) for h in hours]
    assert [h for h, session in zip(hours, alive, strict=True) if session is None] == [170]
    assert editors.purge_sessions(NOW + timedelta(hours=170), policy.idle) == 1


def test_logout_password_change_and_disable_end_sessions(editors: Editors) -> None:
    editor = add_editor(editors, "anna", PASSWORD, NOW, FAST)
    first, _ = open_session(editors, editor, NOW)
    second, _ = open_session(editors, editor, NOW)
    third, _ = open_session(editors, editor, NOW)

    assert close_session(editors, first)
    assert session_for(editors, first, NOW) is None
    assert session_for(editors, second, NOW) is not None

    change_password(editors, "anna", "Neues-Passwort-123", FAST)
    assert session_for(editors, second, NOW) is None
    assert session_for(editors, third, NOW) is None
    assert authenticate(editors, "anna", PASSWORD, FAST) is None
    assert authenticate(editors, "anna", "Neues-Passwort-123", FAST) is not None

    fourth, _ = open_session(editors, editor, NOW)
    disable_editor(editors, "anna")
    assert session_for(editors, fourth, NOW) is None
    assert editors.all()[0].disabled


def test_unknown_editor_for_password_change_or_disable(editors: Editors) -> None:
    with pytest.raises(EditorError, match="no editor named 'niemand'"):
        change_password(editors, "niemand", PASSWORD, FAST)
    with pytest.raises(EditorError, match="no editor named 'niemand'"):
        disable_editor(editors, "niemand")
