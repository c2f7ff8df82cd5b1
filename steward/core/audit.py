"""The audit log: who changed what, when, from where, with before/after, in a hash chain.

Changes are captured by model signals for every registered model, so the API, the web UI, the
admin, the CLI and background jobs are all covered without each remembering to log. Entry points
only say who is acting and through which door (``acting_as``); the middleware and the CLI do that.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone

from steward.core.choices import AuditAction, AuditSource
from steward.core.models import AuditChainHead, AuditEntry

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class Actor:
    id: int | None
    name: str
    source: str


# Actor is a frozen dataclass, so sharing the default is safe.
_actor: contextvars.ContextVar[Actor] = contextvars.ContextVar(
    "steward_audit_actor",
    default=Actor(None, "", AuditSource.SYSTEM),  # noqa: B039
)


@contextmanager
def acting_as(user: Any, source: str) -> Iterator[None]:
    """Attribute every audited change inside the block to ``user`` arriving through ``source``."""
    if user is not None and getattr(user, "is_authenticated", False):
        actor = Actor(user.pk, user.get_username(), source)
    else:
        actor = Actor(None, "", source)
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> Actor:
    return _actor.get()


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    return value


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """The hash of one entry: SHA-256 over the previous hash and the entry's canonical JSON."""
    canonical = json.dumps(_jsonable(fields), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}|{canonical}".encode()).hexdigest()


HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "source",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "client_id",
    "before",
    "after",
)


def hashed_content(entry: AuditEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in HASHED_FIELDS}


def record(
    action: str,
    *,
    object_type: str,
    object_id: str = "",
    object_repr: str = "",
    client_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor: Actor | None = None,
) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction when there is one.

    1. Lock the chain head (PostgreSQL: row lock; SQLite: IMMEDIATE transactions serialise writers).
    2. Build the entry with the next seq and hash it with the head's hash.
    3. Move the head to it.
    """
    who = actor or current_actor()
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = AuditChainHead.objects.create(pk=1)
        entry = AuditEntry(
            seq=head.last_seq + 1,
            at=timezone.now(),
            actor_id=who.id,
            actor_name=who.name,
            source=who.source,
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:200],
            client_id=client_id,
            before=_jsonable(before) if before is not None else None,
            after=_jsonable(after) if after is not None else None,
            prev_hash=head.last_hash,
        )
        # Hash what the database will hand back: microsecond-precision ISO times, JSON values.
        entry.hash = entry_hash(entry.prev_hash, hashed_content(entry))
        entry.save()
        AuditChainHead.objects.filter(pk=1).update(last_seq=entry.seq, last_hash=entry.hash)
    return entry


# --- Verification -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"audit entry #{self.seq}: {self.reason}"


def verify_chain(batch_size: int = 5000) -> ChainProblem | None:
    """Walk the chain in order; return the first bad entry, or None when every link holds."""
    expected_seq = 1
    prev_hash = GENESIS_HASH
    last_id = 0
    while True:
        batch = list(AuditEntry.objects.filter(seq__gt=last_id).order_by("seq")[:batch_size])
        if not batch:
            break
        for entry in batch:
            if entry.seq != expected_seq:
                return ChainProblem(expected_seq, f"missing (next entry found is #{entry.seq})")
            if entry.prev_hash != prev_hash:
                return ChainProblem(entry.seq, "does not link to the entry before it")
            if entry_hash(entry.prev_hash, hashed_content(entry)) != entry.hash:
                return ChainProblem(entry.seq, "content does not match its hash (edited)")
            prev_hash = entry.hash
            expected_seq += 1
        last_id = batch[-1].seq
    head = AuditChainHead.objects.filter(pk=1).first()
    last_seq = expected_seq - 1
    if head is not None and (head.last_seq != last_seq or head.last_hash != prev_hash):
        return ChainProblem(head.last_seq, f"missing (the log ends at #{last_seq})")
    return None


# --- Model registry -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditSpec:
    exclude: frozenset[str]
    client_field: str | None


_registry: dict[type[models.Model], AuditSpec] = {}
_PREVIOUS = "_audit_previous_state"


def snapshot(instance: models.Model, spec: AuditSpec) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in spec.exclude:
            continue
        state[field.attname] = _jsonable(field.value_from_object(instance))
    return state


def _client_id(instance: models.Model, spec: AuditSpec) -> int | None:
    if spec.client_field is None:
        return None
    if spec.client_field == "pk":
        return instance.pk  # type: ignore[no-any-return]
    value = getattr(instance, f"{spec.client_field}_id", None)
    return int(value) if value is not None else None


def _label(instance: models.Model) -> str:
    return instance._meta.label_lower


def _on_pre_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    spec = _registry[sender]
    previous = None
    if instance.pk is not None and not kwargs.get("raw"):
        old = sender._default_manager.filter(pk=instance.pk).first()
        previous = snapshot(old, spec) if old is not None else None
    setattr(instance, _PREVIOUS, previous)


def _on_post_save(
    sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any
) -> None:
    spec = _registry[sender]
    before = getattr(instance, _PREVIOUS, None)
    after = snapshot(instance, spec)
    if before is not None and not created:
        changed = {k for k in after if before.get(k) != after[k]}
        if not changed:
            return
        before = {k: before.get(k) for k in sorted(changed)}
        after = {k: after[k] for k in sorted(changed)}
    record(
        AuditAction.CREATE if created else AuditAction.UPDATE,
        object_type=_label(instance),
        object_id=str(instance.pk),
        object_repr=str(instance),
        client_id=_client_id(instance, spec),
        before=None if created else before,
        after=after,
    )


def _on_post_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    spec = _registry[sender]
    record(
        AuditAction.DELETE,
        object_type=_label(instance),
        object_id=str(instance.pk),
        object_repr=str(instance),
        client_id=_client_id(instance, spec),
        before=snapshot(instance, spec),
    )


def _m2m_name(sender: type[models.Model], instance: models.Model, model: Any, reverse: bool) -> str:
    """The name the changed relation has on ``instance``'s side: the field when the change was
    made from the model that declares it, the reverse accessor (``assigned_staff``) otherwise."""
    owner = model if reverse else type(instance)
    field = next(
        f
        for f in owner._meta.many_to_many
        if f.remote_field.through is sender  # type: ignore[union-attr]
    )
    if reverse:
        return str(field.remote_field.get_accessor_name())  # type: ignore[union-attr]
    return field.name


def _on_m2m_changed(
    sender: type[models.Model],
    instance: models.Model,
    action: str,
    pk_set: set[Any] | None,
    **kw: Any,
) -> None:
    if type(instance) not in _registry:
        return
    if action == "pre_clear":
        # post_clear carries no ids: remember which rows the clear is about to remove.
        accessor = _m2m_name(sender, instance, kw["model"], kw["reverse"])
        setattr(instance, f"_audit_clearing_{accessor}", list(getattr(instance, accessor).all()))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    name = _m2m_name(sender, instance, kw["model"], kw["reverse"])
    if action == "post_clear":
        pk_set = {row.pk for row in getattr(instance, f"_audit_clearing_{name}", [])}
    change = {"add": "added", "remove": "removed", "clear": "cleared"}[action.removeprefix("post_")]
    record(
        AuditAction.UPDATE,
        object_type=_label(instance),
        object_id=str(instance.pk),
        object_repr=str(instance),
        client_id=_client_id(instance, _registry[type(instance)]),
        after={name: {change: sorted(pk_set or [])}},
    )


def register(
    model: type[models.Model],
    *,
    exclude: tuple[str, ...] = (),
    client_field: str | None = None,
) -> None:
    """Audit every create, update and delete of ``model`` from any entry point.

    ``exclude`` names fields never copied into the log (password hashes, token hashes);
    ``client_field`` names the foreign key to the client ("pk" for the client itself), so entries
    can be filtered per client.
    """
    _registry[model] = AuditSpec(frozenset(exclude), client_field)
    uid = f"steward-audit-{model._meta.label_lower}"
    pre_save.connect(_on_pre_save, sender=model, dispatch_uid=f"{uid}-pre", weak=False)
    post_save.connect(_on_post_save, sender=model, dispatch_uid=f"{uid}-post", weak=False)
    post_delete.connect(_on_post_delete, sender=model, dispatch_uid=f"{uid}-del", weak=False)
    for m2m in model._meta.many_to_many:
        through = m2m.remote_field.through  # type: ignore[union-attr]
        m2m_changed.connect(_on_m2m_changed, sender=through, dispatch_uid=f"{uid}-{m2m.name}")
