"""Entry point: python -m ouro_llmworker"""

from __future__ import annotations

from ouro_llmworker.settings import LLMSettings
from ouro_llmworker.worker import setup
from ouro_runtime.service import Service, run_service
from ouro_schemas import names


async def _setup(svc: Service) -> None:
    await setup(svc)


def main() -> None:
    run_service(names.SERVICE_LLM_WORKER, LLMSettings, _setup)


if __name__ == "__main__":
    main()
