"""Entry point: python -m ouro_genworker"""

from __future__ import annotations

from ouro_genworker.service import GenWorkerSettings, setup
from ouro_runtime.service import run_service
from ouro_schemas import names


def main() -> None:
    run_service(names.SERVICE_GEN_WORKER, GenWorkerSettings, setup)


if __name__ == "__main__":
    main()
