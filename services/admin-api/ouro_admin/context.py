"""What every request handler shares: settings, the Service shell pieces (Redis, bus, emit), auth,
jobs and pending confirmations. One per app; built in the lifespan, reached through `deps`."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ouro_admin import metrics
from ouro_admin.auth import Authenticator, FailureLimiter
from ouro_admin.confirm import Confirmations
from ouro_admin.jobs import Jobs
from ouro_admin.settings import AdminSettings
from ouro_admin.tokens import Tokens
from ouro_runtime.service import Service, new_id
from ouro_schemas import names
from ouro_schemas.messages import AdminAction, AdminCommand, ControlCommand, ControlMessage, LogKind


@dataclass
class AdminContext:
    settings: AdminSettings
    svc: Service
    auth: Authenticator
    jobs: Jobs = field(default_factory=Jobs)
    confirmations: Confirmations = field(default_factory=lambda: Confirmations(60.0))

    @classmethod
    def build(cls, settings: AdminSettings, svc: Service, tokens: Tokens) -> AdminContext:
        limiter = FailureLimiter(settings.auth_max_failures, settings.auth_window_s)
        return cls(settings=settings, svc=svc, auth=Authenticator(tokens, limiter),
                   confirmations=Confirmations(settings.confirm_ttl_s))

    @property
    def redis(self) -> Any:
        return self.svc.redis

    @property
    def data_dir(self) -> Path:
        return Path(self.settings.data_dir)

    async def emit(self, kind: LogKind, message: str, **fields: Any) -> None:
        await self.svc.emit(names.LOG_ADMIN, kind, message, **fields)

    async def control(self, command: ControlCommand, by: str, args: dict[str, Any] | None = None) -> ControlMessage:
        """Publish one control message (broadcast to every service) and log who sent it."""
        msg = ControlMessage(id=new_id("ctl-"), command=command, at=time.time(), args=args or {}, issued_by=by)
        await self.svc.bus.publish(names.CONTROL, msg)
        metrics.CONTROL_SENT.labels(command.value).inc()
        await self.emit(LogKind.CONTROL, f"{command.value} sent by {by}", data={"control_id": msg.id,
                                                                               "args": msg.args})
        return msg

    async def admin_command(self, action: AdminAction, proposal_id: str, by: str, reason: str = "",
                            payload: dict[str, Any] | None = None,
                            flavor: dict[str, str | list[str]] | None = None) -> AdminCommand:
        cmd = AdminCommand(id=new_id("adm-"), action=action, proposal_id=proposal_id, at=time.time(), by=by,
                           reason=reason, payload=payload, flavor=flavor)
        await self.svc.bus.publish(names.ADMIN_COMMANDS, cmd)
        metrics.ADMIN_COMMANDS.labels(action.value).inc()
        await self.emit(LogKind.CONTROL, f"{action.value} {proposal_id} by {by}", proposal_id=proposal_id,
                        data={"command_id": cmd.id, "reason": reason})
        return cmd
