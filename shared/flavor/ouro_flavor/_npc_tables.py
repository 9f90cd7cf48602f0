"""Word tables for NPCs: what each role looks like, what it says, how dangerous it reads.

Templates use ``str.format`` fields filled from the district theme: ``{adj}`` (``{a_adj}`` with its article), ``{smell}``, ``{sound}``,
``{people}``, ``{noun}``, and ``{them}`` ("them", or "it" for a drone).
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES: tuple[str, ...] = (
    "vendor", "fixer", "ganger", "corp_security", "drone", "boss", "civilian", "netrunner", "medic", "bartender",
)


@dataclass(frozen=True, slots=True)
class RoleWords:
    """Sentences for one role: an opening look, a detail, and things it says."""

    openers: tuple[str, ...]
    details: tuple[str, ...]
    barks: tuple[str, ...]
    them: str = "them"


ROLE_WORDS: dict[str, RoleWords] = {
    "vendor": RoleWords(
        openers=(
            "A wiry vendor hunched over a cart of steaming skewers.",
            "A stall-keeper with a cashbox chained to one wrist.",
            "A grinning hawker wrapped in a plastic rain cape, arms full of bootleg chips.",
            "A tired merchant counting creds under {a_adj} awning.",
            "A fast-talking seller with a tray of knock-off optics hung from the neck.",
        ),
        details=(
            "One eye is a cheap replacement lens that whirs when it prices you up.",
            "Fingerless gloves, nicotine-yellow nails, and a voice worn down by shouting.",
            "A handwritten sign promises NO REFUNDS in four languages.",
            "A tiny drone hovers at the shoulder, scanning every customer's credit rating.",
            "Prices change depending on how rich you look.",
        ),
        barks=(
            "Fresh today, mostly!", "Creds only, no IOUs.", "You break it, you bought it, choom.",
            "Special price, just for you.", "Don't ask where it fell off the truck.", "Best noodles this side of the river.",
            "Touch it again and you're paying.", "Rain's good for business. Everyone wants to stay inside.",
            "Corps tax me, gangs tax me, and now you want a discount?", "Two for one, today only. Every day only.",
        ),
    ),
    "fixer": RoleWords(
        openers=(
            "A sharp-dressed fixer nursing a drink that is never finished.",
            "A soft-spoken middleman whose phone never stops buzzing.",
            "A heavyset broker in a booth with a clear view of every exit.",
            "A fixer in mirrored shades, even here, even now.",
            "A lean operator with three burner phones lined up like cards.",
        ),
        details=(
            "Rings on every finger, each one a data vault.",
            "A jaw implant lets them talk without moving their lips.",
            "They remember every name and every debt.",
            "A small scar under one eye, the only thing they never explain.",
            "Their smile stops exactly where business begins.",
        ),
        barks=(
            "I've got work, if you've got nerve.", "Payment on delivery. Half up front if I like you.",
            "Don't ask who the client is.", "Everyone owes somebody. Right now you owe me.",
            "Keep it quiet and keep it clean.", "You didn't hear it from me.",
            "Your reputation walks in before you do.", "The job's simple. The people are not.",
            "I only deal in sure things. And you, apparently.",
        ),
    ),
    "ganger": RoleWords(
        openers=(
            "A jittery ganger in colours, cracking knuckles over and over.",
            "A tattooed street soldier leaning on a graffiti-covered wall.",
            "A young ganger with a chrome jaw and something to prove.",
            "A hulking enforcer wearing a spiked jacket and a bored scowl.",
            "A wiry kid with a too-big pistol stuffed in a waistband.",
        ),
        details=(
            "Gang tattoos glow faintly under the skin.",
            "One arm is bare military chrome, scratched and dented.",
            "The eyes are dilated wide from something cheap and strong.",
            "A trophy necklace of dead optic lenses rattles with every step.",
            "Their knuckles are wrapped in tape that used to be white.",
        ),
        barks=(
            "This is our turf, choom.", "You lost? You look lost.", "Toll's fifty creds. Pay up.",
            "Wrong street, wrong night.", "Keep walking, corpo.", "Eyes down.",
            "Boss says nobody passes.", "Nice chrome. Be a shame if it came off.", "What you looking at?",
            "We run this block.",
        ),
    ),
    "corp_security": RoleWords(
        openers=(
            "A corporate guard in matte-black armour, visor down.",
            "A security officer whose company logo glows on both shoulders.",
            "A square-jawed contractor with a smartgun and a checklist.",
            "A bored corp guard scanning IDs with a flick of one finger.",
            "A sentry in polished riot gear, perfectly still.",
        ),
        details=(
            "An earpiece murmurs a constant stream of threat scores.",
            "The armour is spotless; the knuckles are not.",
            "Optics flick red whenever someone without a badge gets close.",
            "A laminated card lists the exact force they are authorised to use.",
            "Their posture says they have been trained; their eyes say they have been bought.",
        ),
        barks=(
            "Badge, please.", "Move along, citizen.", "This area is restricted.", "Step away from the door.",
            "Your visit is being recorded.", "Hands where I can see them.", "Company property. Don't touch.",
            "Loitering is a billable offence.", "Have a productive day.",
        ),
    ),
    "drone": RoleWords(
        openers=(
            "A patrol drone hovering on four whining rotors.",
            "A squat security drone with a scratched lens and a dangling antenna.",
            "A delivery drone, repurposed, now armed with something it should not have.",
            "A spider-legged maintenance bot clicking across the ground.",
            "A sleek surveillance drone painted in corporate colours.",
        ),
        details=(
            "Its sensor array sweeps back and forth with a soft red glow.",
            "Someone spray-painted a smiley face across its chassis.",
            "Its speaker crackles with a recorded warning on loop.",
            "A dangling cable sparks whenever it turns.",
            "A serial number has been filed off its side.",
        ),
        barks=(
            "PLEASE REMAIN CALM.", "SCANNING. SCANNING.", "CITIZEN, STATE YOUR BUSINESS.",
            "THIS AREA IS MONITORED.", "ERROR. ERROR. HAVE A NICE DAY.", "UNAUTHORISED PRESENCE DETECTED.",
            "COMPLIANCE IS APPRECIATED.", "RECHARGING. DO NOT APPROACH.",
        ),
        them="it",
    ),
    "boss": RoleWords(
        openers=(
            "A towering figure more chrome than flesh, seated on a throne of salvaged car seats.",
            "A gang boss in a tailored coat, surrounded by nervous lieutenants.",
            "A scarred warlord with a cybernetic arm that hums at rest.",
            "A calm, silver-haired kingpin stroking a mechanical cat.",
            "A boss whose face is hidden behind a shifting holographic mask.",
        ),
        details=(
            "Every gesture makes the room flinch.",
            "Gold-plated subdermal armour gleams through a torn shirt.",
            "A necklace of credchips, each one a favour owed.",
            "Their voice never rises; it never has to.",
            "Old bullet holes in the jacket, kept as a reminder.",
        ),
        barks=(
            "You're in my house now.", "I built this block from nothing.", "Nobody leaves until I say.",
            "Kneel, or be knelt.", "I've buried better than you.", "Everyone pays. Everyone.",
            "Interesting. Nobody's made it this far in years.", "Take them apart.",
        ),
    ),
    "civilian": RoleWords(
        openers=(
            "A tired commuter in a cheap raincoat, eyes glued to a phone.",
            "An old street cook smoking under an umbrella.",
            "A teenager in an LED jacket, dancing to music only they can hear.",
            "A courier with a parcel strapped to a bruised back.",
            "A worn-out nurse heading home from a double shift.",
        ),
        details=(
            "A cheap implant behind one ear blinks a low-battery warning.",
            "Their shoes are soaked through and they have stopped caring.",
            "A lucky charm dangles from a shopping bag.",
            "They keep glancing at the drones overhead.",
            "A company lanyard is tucked carefully out of sight.",
        ),
        barks=(
            "Rain again. Always rain.", "Don't make trouble, please.", "Have you seen the price of water?",
            "I just want to get home.", "The trains are late again.", "Stay off the main road after dark.",
            "My cousin knows a guy, if you need things.", "Heard the gangs are fighting again.",
            "Spare a cred?",
        ),
    ),
    "netrunner": RoleWords(
        openers=(
            "A gaunt netrunner hunched over a battered cyberdeck.",
            "A runner in a cooling vest, cables trailing from the base of the skull.",
            "A twitchy hacker with eyes flicking across invisible windows.",
            "A pale console cowboy sipping an energy drink through a straw.",
            "A netrunner in mirrored contacts, lips moving silently as code scrolls by.",
        ),
        details=(
            "Neural ports run down their neck like a row of buttons.",
            "Their fingers drum out keystrokes even at rest.",
            "A sticker on the deck reads ICE IS JUST WATER.",
            "Faint burns on the temples from a bad jack-in.",
            "They have not blinked in a while.",
        ),
        barks=(
            "I'm in.", "Your firewall's a joke.", "Don't touch the cables.", "Data wants to be free. I'm just helping.",
            "ICE is thicker than usual tonight.", "Give me five minutes and a clean line.",
            "Everything is connected. Everything leaks.", "Shh. Something's watching the net.",
        ),
    ),
    "medic": RoleWords(
        openers=(
            "A street medic in a blood-flecked apron, scalpel tucked behind one ear.",
            "A ripperdoc with steady chrome hands and shaky real ones.",
            "A trauma medic in a patched orange jacket, med-kit always open.",
            "A calm doctor who runs a clinic out of an old dentist's chair.",
            "A young medic with tired eyes and a bandolier of stims.",
        ),
        details=(
            "Their hands smell of antiseptic and solder.",
            "A diploma from a university that no longer exists hangs nearby.",
            "Surgical optics flip down over their eyes when they look at you.",
            "They hum old lullabies while they work.",
            "A jar of extracted bullets sits on a shelf, labelled by year.",
        ),
        barks=(
            "Sit down before you fall down.", "That's going to need stitches. Or a new arm.",
            "I don't ask how. I only ask who's paying.", "Hold still. This will hurt.",
            "Cheap chrome, cheap infections.", "Insurance? Down here? Funny.", "Next!",
            "Keep pressure on it.",
        ),
    ),
    "bartender": RoleWords(
        openers=(
            "A bartender with a cybernetic arm that pours three drinks at once.",
            "A barkeep who has heard every story twice.",
            "A tattooed bartender polishing a glass that will never be clean.",
            "A quiet bartender behind a counter scarred by knife games.",
            "A cheerful barkeep in a neon bowtie.",
        ),
        details=(
            "A shotgun rests under the bar within easy reach.",
            "They know what you drink before you do.",
            "One optic is tuned to spot fake creds.",
            "A photo of the bar's founder hangs behind them, draped in black.",
            "They remember every regular and every tab.",
        ),
        barks=(
            "What'll it be?", "No fighting inside.", "Tab's getting long, friend.",
            "Heard a rumour, if you're buying.", "Last call was an hour ago. Pour you one anyway.",
            "House special tonight. Don't ask what's in it.", "Quiet night. Too quiet.",
            "Leave your weapon at the door. Or don't, and find out.",
        ),
    ),
}

GENERIC_ROLE = RoleWords(
    openers=(
        "A stranger in a rain-soaked coat.", "A figure half in shadow, watching the street.",
        "Someone who looks like they have been waiting a long time.", "A local with a guarded expression.",
    ),
    details=(
        "Cheap chrome glints at the wrists.", "Their clothes are patched in a dozen places.",
        "They keep one hand in a pocket.", "Their eyes follow every movement.",
    ),
    barks=("Evening.", "Something I can do for you?", "Mind the rain.", "Keep your head down around here."),
)

THEME_LINES: tuple[str, ...] = (
    "{People} give {them} a wide berth.",
    "A whiff of {smell} clings to {them}.",
    "Behind {them}, the {adj} street never goes quiet: {sound}.",
    "The {adj} district suits {them}.",
    "Nearby, {noun} frames {them} like a postcard from the gutter.",
)

THREAT_LINES: tuple[tuple[str, ...], ...] = (
    (  # 0-1
        "Nothing about {them} reads as a threat.", "Harmless, as far as anyone can tell.",
        "Not the kind of trouble anyone worries about.",
    ),
    (  # 2-3
        "A holstered weapon suggests {them} can handle a scuffle.", "Wary, and quick to reach for a blade.",
        "Small-time trouble, but trouble.",
    ),
    (  # 4-6
        "Scars and fresh chrome say this is not a first fight.", "Dangerous. The kind who shoots first.",
        "Combat implants idle with a soft, hungry whine.",
    ),
    (  # 7+
        "Street sense screams to keep your distance.", "Even the rain seems to avoid {them}.",
        "Lethal. Everyone on this block knows the name, and nobody says it.",
    ),
)
