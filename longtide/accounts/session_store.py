"""The session engine (SESSION_ENGINE = "longtide.accounts.session_store"): Django's database
sessions, written to `StaffSession`, whose extra columns let a staff member see and end their
other sessions. Sessions must live on the server for that: a signed-cookie session can be neither
listed nor ended before it expires.

Every column is derived from the session's own data when it is saved, so the row never disagrees
with the session: the user from Django's `_auth_user_id`, the rest from `sessions.META_KEY`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import ValidationError

if TYPE_CHECKING:
    from longtide.accounts.models import StaffSession


def _moment(value: object) -> datetime | None:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    return None


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls) -> Any:
        from longtide.accounts.models import StaffSession

        return StaffSession

    def create_model_instance(self, data: dict[str, Any]) -> StaffSession:
        from longtide.accounts.sessions import META_KEY

        obj = cast("StaffSession", super().create_model_instance(data))
        obj.handle = obj.handle_for(obj.session_key)
        try:
            obj.user_id = get_user_model()._meta.pk.to_python(data.get(SESSION_KEY))
        except ValidationError:
            obj.user_id = None
        meta = data.get(META_KEY)
        if isinstance(meta, dict):
            obj.ip = meta.get("ip") or None
            obj.user_agent = str(meta.get("agent", ""))[:300]
            obj.started_at = _moment(meta.get("since"))
            obj.last_seen = _moment(meta.get("seen"))
        return obj
