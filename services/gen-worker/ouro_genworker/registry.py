"""The generator registry: one generator per proposal type the gen-worker drafts."""

from __future__ import annotations

from types import ModuleType
from typing import Final

from ouro_genworker.generators import block, building, event, expansion, item, npc, quest
from ouro_genworker.types import Generator
from ouro_schemas.proposal import ProposalType


def _gen(module: ModuleType) -> Generator:
    return Generator(name=module.NAME, version=module.VERSION, generate=module.generate)


GENERATORS: Final[dict[ProposalType, Generator]] = {
    ProposalType.NPC: _gen(npc),
    ProposalType.ITEM: _gen(item),
    ProposalType.QUEST: _gen(quest),
    ProposalType.BUILDING: _gen(building),
    ProposalType.BLOCK: _gen(block),
    ProposalType.EVENT: _gen(event),
    ProposalType.WORLD_EXPANSION: _gen(expansion),
}
