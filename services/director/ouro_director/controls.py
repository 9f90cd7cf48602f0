"""Control messages for the director: GO (snapshot first), pause/resume, STOP, sliders, toggles.

The state is saved to `ouro:director:state` on every change, so a restarted director comes back as it
was. STOP sets the mode before the first await: from the moment it is read, `publish_job` and the
Questmaker turns refuse to send.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from ouro_director import metrics
from ouro_runtime import snapshots
from ouro_runtime.bus import REDIS_ERRORS
from ouro_schemas import names
from ouro_schemas.messages import ControlCommand, ControlMessage, DirectorMode, LogKind, Sliders, Toggles

if TYPE_CHECKING:
    from ouro_director.app import Director

_encoder = msgspec.json.Encoder()


async def save_state(d: Director, reason: str) -> None:
    d.state.updated_at = d.clock()
    d.state.reason = reason
    await d.redis.set(names.DIRECTOR_STATE, _encoder.encode(d.state))


async def set_mode(d: Director, mode: DirectorMode, reason: str) -> None:
    before = d.state.mode
    d.state.mode = mode
    await save_state(d, reason)
    await d.note(LogKind.CONTROL, f"director {before.value} -> {mode.value}: {reason}",
                 mode=mode.value, previous=before.value)


async def handle(d: Director, msg: ControlMessage) -> None:
    cmd = msg.command
    if cmd is ControlCommand.STOP:
        d.state.mode = DirectorMode.STOPPED  # at once, before any await
        await set_mode(d, DirectorMode.STOPPED, f"emergency stop by {msg.issued_by or 'unknown'}")
    elif cmd is ControlCommand.PAUSE:
        if d.state.mode is DirectorMode.RUNNING:
            d.state.mode = DirectorMode.PAUSED
            await set_mode(d, DirectorMode.PAUSED, f"paused by {msg.issued_by or 'unknown'}")
    elif cmd is ControlCommand.RESUME:
        if d.state.mode is DirectorMode.PAUSED:
            await set_mode(d, DirectorMode.RUNNING, f"resumed by {msg.issued_by or 'unknown'}")
        else:
            await d.note(LogKind.CONTROL, f"resume ignored: director is {d.state.mode.value} "
                     "(GO starts it)", mode=d.state.mode.value)
    elif cmd is ControlCommand.GO:
        await go(d, msg)
    elif cmd is ControlCommand.SET_SLIDERS:
        await set_struct(d, "sliders", Sliders, msg)
    elif cmd is ControlCommand.SET_TOGGLES:
        await set_struct(d, "toggles", Toggles, msg)
        await d.refresh(d.clock(), force=True)


async def go(d: Director, msg: ControlMessage) -> None:
    """GO: snapshot the clean state first, then run."""
    try:
        manifest = await snapshots.create_snapshot(d.redis, d.data_dir, "go")
    except (OSError, *REDIS_ERRORS) as exc:
        await d.note(LogKind.ERROR, f"GO refused: snapshot failed: {exc}", reason="snapshot_failed")
        return
    d.snapshots_taken.append(manifest.id)
    metrics.SNAPSHOTS.labels("go").inc()
    await d.note(LogKind.INFO, f"snapshot {manifest.id} taken before GO", snapshot_id=manifest.id,
                 key_count=manifest.key_count)
    d.svc.resume_consuming()
    await set_mode(d, DirectorMode.RUNNING, f"GO by {msg.issued_by or 'unknown'} (snapshot {manifest.id})")


async def set_struct(d: Director, name: str, kind: type[Any], msg: ControlMessage) -> None:
    current = msgspec.to_builtins(getattr(d.state, name))
    try:
        value = msgspec.convert({**current, **msg.args}, kind)
    except msgspec.ValidationError as exc:
        await d.note(LogKind.ERROR, f"{msg.command.value} refused: {exc}", args=msg.args)
        return
    setattr(d.state, name, value)
    await save_state(d, f"{msg.command.value} by {msg.issued_by or 'unknown'}")
    shown = msgspec.to_builtins(value)
    await d.note(LogKind.CONTROL, f"{name} set: {shown}", **{name: shown})
