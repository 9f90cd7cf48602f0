"""Long operations (snapshot, rollback) as jobs with an id and a status the dashboard polls.

In memory: one admin-api process owns its jobs; a restart forgets them (the snapshot itself is on
disk, and the log.admin stream says what happened). Finished jobs are kept, newest `keep` of them.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from ouro_runtime.service import new_id

log = logging.getLogger(__name__)


class JobState(enum.StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass
class Job:
    id: str
    kind: str
    by: str
    state: JobState = JobState.RUNNING
    stage: str = "queued"
    progress: float = 0.0
    message: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    stages: list[dict[str, Any]] = field(default_factory=list)
    started_at: float = field(default_factory=time.time)
    finished_at: float | None = None

    def step(self, stage: str, progress: float, message: str = "") -> None:
        self.stage = stage
        self.progress = round(max(self.progress, min(progress, 1.0)), 3)
        self.message = message
        self.stages.append({"stage": stage, "at": time.time(), "message": message})

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["state"] = self.state.value
        return out


class JobFailed(Exception):
    """Raised inside a job body: the job fails with this message (an expected failure, no traceback)."""


JobBody = Callable[[Job], Awaitable[dict[str, Any]]]


class Jobs:
    def __init__(self, keep: int = 200) -> None:
        self.keep = keep
        self._jobs: dict[str, Job] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def recent(self) -> list[Job]:
        return sorted(self._jobs.values(), key=lambda j: j.started_at, reverse=True)

    def running(self, kind: str | None = None) -> list[Job]:
        return [j for j in self._jobs.values() if j.state is JobState.RUNNING and kind in (None, j.kind)]

    def start(self, kind: str, by: str, body: JobBody) -> Job:
        job = Job(id=new_id("job-"), kind=kind, by=by)
        self._jobs[job.id] = job
        self._trim()
        task = asyncio.create_task(self._run(job, body), name=f"job:{kind}:{job.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job

    async def _run(self, job: Job, body: JobBody) -> None:
        try:
            job.result = await body(job)
            job.state = JobState.DONE
            job.step("done", 1.0, job.message or "done")
        except JobFailed as exc:
            job.state = JobState.FAILED
            job.step("failed", job.progress, str(exc))
        except Exception as exc:  # contain it: the job fails, the API goes on
            log.exception("job failed", extra={"job": job.id, "kind": job.kind})
            job.state = JobState.FAILED
            job.step("failed", job.progress, f"{type(exc).__name__}: {exc}")
        finally:
            job.finished_at = time.time()

    def _trim(self) -> None:
        done = [j for j in self.recent() if j.state is not JobState.RUNNING]
        for job in done[self.keep:]:
            self._jobs.pop(job.id, None)

    async def wait_all(self, timeout: float) -> None:
        """Let running jobs finish (shutdown); cancel what is left after `timeout`."""
        if not self._tasks:
            return
        _, late = await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
