"""Entry point: python -m ouro_director"""

from __future__ import annotations

from ouro_director.app import Director, load_state
from ouro_director.hotwatch import HotReloader
from ouro_director.settings import DirectorSettings
from ouro_runtime.service import Service, run_service
from ouro_schemas import names


async def setup(svc: Service) -> None:
    settings = svc.settings
    assert isinstance(settings, DirectorSettings)
    state, why = await load_state(svc.redis)
    director = Director(svc, settings, state)
    director.wire()
    await director.note_start(why, await director.restore_throttles())
    if settings.hot_reload:
        reloader = HotReloader(director)
        svc.task(reloader.watch)


def main() -> None:
    run_service(names.SERVICE_DIRECTOR, DirectorSettings, setup)


if __name__ == "__main__":
    main()
