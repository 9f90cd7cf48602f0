"""The publisher: the gate (validate, balance, filter, approve) and the only commit (DESIGN §5).

Pure: `gate.run_gate` (with `validate`, `balance`, `qm`, `textfilter`, `inventory`, `patches`).
Shell: `app.Publisher` (proposals, commit), `admin` (approvals, undo, engine results), `world`
(the world view from Redis and the content library), `windows` (rarity/throttle/economy memory).
"""
