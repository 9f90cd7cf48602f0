"""Entry point: python -m ouro_admin"""

from __future__ import annotations

from ouro_runtime.service import Service, run_service
from ouro_runtime.settings import ServiceSettings
from ouro_schemas import names


async def setup(svc: Service) -> None:
    """Placeholder wiring until the service's own issue lands: health and metrics only."""


def main() -> None:
    run_service(names.SERVICE_ADMIN, ServiceSettings, setup)


if __name__ == "__main__":
    main()
