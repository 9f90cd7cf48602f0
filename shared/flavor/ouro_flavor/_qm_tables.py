"""Word tables for Questmakers: persona traits per tag, and message pools per situation and tone.

``MESSAGES[situation][tone]`` is one pool per pair; the pools of different situations never share a
template, so the tone of a message follows the situation (tests check this structurally).
Fields: ``{player}``.
"""

from __future__ import annotations

QM_TAGS: tuple[str, ...] = (
    "impatient", "benevolent", "cruel", "cryptic", "mercantile", "vengeful", "playful", "paranoid",
)
SITUATIONS: tuple[str, ...] = ("idle", "progress", "deviation", "failure", "completion")
NEUTRAL = "neutral"
"""The tone used when none of the given tags is known."""

# Pairs that make an incoherent persona.
CONFLICTS: frozenset[frozenset[str]] = frozenset(
    {frozenset({"benevolent", "cruel"}), frozenset({"benevolent", "vengeful"}), frozenset({"playful", "paranoid"})}
)

TRAITS: dict[str, str] = {
    "impatient": "restless and short-tempered, counting every wasted second",
    "benevolent": "quietly kind, protective of the people the city forgets",
    "cruel": "cold and cruel, amused by other people's pain",
    "cryptic": "cryptic, speaking in riddles and half-truths",
    "mercantile": "mercantile to the bone, pricing every favour",
    "vengeful": "vengeful, nursing a grudge older than the arcologies",
    "playful": "playful and theatrical, treating the city as a game board",
    "paranoid": "paranoid, convinced every camera is watching back",
}
GOALS: dict[str, str] = {
    "impatient": "They want results now, not excuses later.",
    "benevolent": "They want the weak protected and the debts of the powerful paid.",
    "cruel": "They want their rivals broken and everyone else afraid.",
    "cryptic": "They want a secret uncovered that they will not name.",
    "mercantile": "They want profit, leverage and a cut of every deal.",
    "vengeful": "They want the people who wronged them to suffer, one by one.",
    "playful": "They want a good story, with twists, and a runner worth watching.",
    "paranoid": "They want to know who is watching, and to erase their own tracks.",
}
PLEASED: dict[str, str] = {
    "impatient": "speed", "benevolent": "mercy and keeping civilians safe", "cruel": "ruthlessness",
    "cryptic": "players who read between the lines", "mercantile": "a good bargain", "vengeful": "loyalty to the grudge",
    "playful": "style and surprise", "paranoid": "discretion",
}
ANGERED: dict[str, str] = {
    "impatient": "dawdling", "benevolent": "needless bloodshed", "cruel": "pity", "cryptic": "blunt questions",
    "mercantile": "waste and broken deals", "vengeful": "sparing enemies", "playful": "boring play",
    "paranoid": "loose talk and witnesses",
}
ROLE_NOUNS: tuple[str, ...] = (
    "a shadow broker of the city's favours", "an old AI ghost haunting the municipal net",
    "a retired fixer who still pulls strings", "a street saint with a network of informants",
    "a corp defector living off stolen secrets", "a voice on a pirate frequency",
    "a syndicate accountant who keeps the real books", "a netrunner who never logged off",
)
TITLES: tuple[str, ...] = (
    "Archivist", "Broker", "Gardener", "Widow", "Conductor", "Lamplighter", "Auditor", "Ferryman",
    "Cartographer", "Puppeteer", "Undertaker", "Switchboard", "Tailor", "Landlord",
)
AI_NAMES: tuple[str, ...] = ("MOTHER", "ORACLE", "JANUS", "CASSANDRA", "SEXTANT", "LAZARUS", "HALCYON", "MINOTAUR")

NPC_WRAPS: tuple[str, ...] = ('{npc} leans in: "{msg}"', 'A message via {npc}: "{msg}"', '{npc} relays: "{msg}"')

SIGNOFFS: dict[str, tuple[str, ...]] = {
    "impatient": ("Tick tock.", "Move."), "benevolent": ("Stay safe.", "I'm with you."),
    "cruel": ("Try not to disappoint me.", "I'm watching."), "cryptic": ("The rain remembers.", "Three knocks, then silence."),
    "mercantile": ("Business is business.", "Invoice to follow."), "vengeful": ("They will pay.", "I never forget."),
    "playful": ("Ha!", "Let's see what you do next."), "paranoid": ("Burn this message.", "Trust no camera."),
    NEUTRAL: ("Out.", "End of message."),
}

MESSAGES: dict[str, dict[str, tuple[str, ...]]] = {
    "idle": {
        "impatient": ("{player}. You're standing still. I don't pay for standing still.",
                      "Every minute you waste, {player}, costs me. Move.", "Still waiting on you, {player}. Don't make me wait longer."),
        "benevolent": ("Take a breath if you need it, {player}, but people are counting on you.",
                       "{player}, the job's still open. So is my door, if you need help."),
        "cruel": ("Lost your nerve, {player}? I could find someone hungrier.",
                  "Idle hands, {player}. I know ways to keep them busy."),
        "cryptic": ("The clock in the tower stopped, {player}. Did you?", "{player}. The path does not walk itself."),
        "mercantile": ("{player}, the meter's running and you're not earning.",
                       "Time is money, {player}, and you're spending mine."),
        "vengeful": ("They're still out there, {player}, breathing. Why are you?",
                     "Every hour you wait, {player}, they forget what they did. I don't."),
        "playful": ("Hello? {player}? The audience is getting restless.",
                    "Did you fall asleep, {player}? I had such plans for you."),
        "paranoid": ("{player}, if you're stalling because someone got to you, blink twice.",
                     "Too quiet, {player}. Quiet means someone's listening."),
        NEUTRAL: ("{player}, the job is still waiting.", "Checking in, {player}. Any movement?"),
    },
    "progress": {
        "impatient": ("Finally, {player}. Keep that pace.", "Good, {player}. Now faster."),
        "benevolent": ("Well done, {player}. You're making the street safer.",
                       "That was good work, {player}. Proud of you."),
        "cruel": ("Not bad, {player}. I almost felt something.", "Adequate, {player}. Don't let it go to your head."),
        "cryptic": ("One door opens, {player}. Count the others.", "The pieces move, {player}, as foretold."),
        "mercantile": ("Now we're profitable, {player}. Keep it coming.", "That's worth something, {player}. Noted on your account."),
        "vengeful": ("Yes, {player}. One step closer to them.", "Good. Let them feel it, {player}."),
        "playful": ("Oh, nicely done, {player}! Encore!", "Ha! Didn't see that coming, {player}. Do it again."),
        "paranoid": ("Good, {player}. Did anyone see you?", "Progress, {player}. Now cover your tracks."),
        NEUTRAL: ("Good progress, {player}.", "That's a step forward, {player}."),
    },
    "deviation": {
        "impatient": ("Wrong way, {player}. I don't have time for detours.", "That's not the job, {player}. Get back on it."),
        "benevolent": ("That's not the way, {player}. Come back before someone gets hurt.",
                       "{player}, I think you've lost the thread. Let me help you find it."),
        "cruel": ("Wandering off, {player}? Leashes can be arranged.", "Go on, {player}, stray. See what it costs."),
        "cryptic": ("The river bends, {player}, but you are swimming against it.", "Not that door, {player}. Never that door."),
        "mercantile": ("Side ventures aren't in the contract, {player}.", "I'm not paying for sightseeing, {player}."),
        "vengeful": ("You're letting them slip away, {player}.", "Did they buy you off, {player}? Get back on their trail."),
        "playful": ("Ooh, a plot twist, {player}? Not the one I wrote.", "Off-script, {player}! Bold. Wrong, but bold."),
        "paranoid": ("Why are you there, {player}? Who sent you there?", "{player}, that's not the route. Are you being followed?"),
        NEUTRAL: ("{player}, you're drifting off the job.", "That's not where you need to be, {player}."),
    },
    "failure": {
        "impatient": ("Too slow, {player}. Now it's too late.", "You had one window, {player}. It closed."),
        "benevolent": ("It went wrong, {player}. People will suffer for it; so will the streets.",
                       "We lost this one, {player}. Learn from it, and there will be a cost to carry."),
        "cruel": ("Pathetic, {player}. You'll pay for that, in ways you won't enjoy.",
                  "Failure has a price, {player}. I'm collecting."),
        "cryptic": ("The candle went out, {player}. Something in the dark noticed.", "You broke the pattern, {player}. Patterns break back."),
        "mercantile": ("That failure is going on your tab, {player}. With interest.", "Bad investment, {player}. I'm cutting my losses, not yours."),
        "vengeful": ("They got away because of you, {player}. I'll remember that.", "You failed me, {player}. Now you're on my list."),
        "playful": ("Oh dear, {player}. That ending was a tragedy. Consequences next act.", "Boo, {player}! The crowd wants blood. Maybe yours."),
        "paranoid": ("You were compromised, {player}. Everything we built is burned.", "They know now, {player}. Because of you. Go dark."),
        NEUTRAL: ("The job failed, {player}. There will be consequences.", "That's a failure, {player}. It will cost you."),
    },
    "completion": {
        "impatient": ("Done. About time, {player}.", "Finished, {player}. Took you long enough, but finished."),
        "benevolent": ("It's over, {player}. You did right by this city.", "Thank you, {player}. Truly."),
        "cruel": ("It's done, {player}. I suppose you've earned a scrap.", "Complete, {player}. I'll find another use for you."),
        "cryptic": ("The circle closes, {player}. Another opens.", "And so it ends, {player}, as it began: in rain."),
        "mercantile": ("Contract fulfilled, {player}. Payment released.", "Pleasure doing business, {player}."),
        "vengeful": ("It's finished, {player}. They know who sent you.", "Justice, {player}. Mine, at last."),
        "playful": ("Bravo, {player}! Take a bow.", "What a finale, {player}! Same time next week?"),
        "paranoid": ("It's done, {player}. Now forget we ever spoke.", "Complete, {player}. Wipe your logs."),
        NEUTRAL: ("The job is done, {player}.", "Completed, {player}. Well done."),
    },
}
GENERIC_MESSAGES: tuple[str, ...] = ("{player}, the city is watching.", "A word for you, {player}.")
