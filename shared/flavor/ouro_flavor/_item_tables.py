"""Word tables for items: base nouns per kind, what each effect id sounds like, rarity vocabulary.

Shared by ``names.item_name`` and ``describe.item_description`` so a name and its description agree.
"""

from __future__ import annotations

KINDS: tuple[str, ...] = ("weapon", "armor", "cyberware", "consumable", "junk", "key")
RARITIES: tuple[str, ...] = ("common", "uncommon", "rare", "epic", "legendary")
EFFECTS: tuple[str, ...] = ("armor_shred", "burn", "shock", "bleed", "emp", "lifesteal", "stun", "hack_boost")

BASES: dict[str, tuple[str, ...]] = {
    "weapon": (
        "Pistol", "Smartgun", "Monoblade", "Shotgun", "SMG", "Rail Rifle", "Katana", "Shock Baton",
        "Revolver", "Machete", "Flechette Gun", "Nailgun", "Combat Knife", "Thermal Blade", "Needler",
        "Sledgehammer", "Carbine", "Tonfa", "Crossbow", "Gauss Pistol",
    ),
    "armor": (
        "Armored Jacket", "Ballistic Vest", "Trenchcoat", "Riot Helmet", "Plated Gloves", "Subdermal Weave",
        "Kevlar Hoodie", "Combat Boots", "Tactical Rig", "Ceramic Plates", "Biker Leathers", "Rain Poncho",
        "Face Shield", "Exo-Frame Harness",
    ),
    "cyberware": (
        "Optics", "Reflex Booster", "Subdermal Mesh", "Neural Link", "Arm Blades", "Grip Servos",
        "Cochlear Implant", "Pain Editor", "Smartlink", "Bone Lacing", "Synth-Lung", "Memory Buffer",
        "Chrome Spine", "Dermal Plating", "Ghost Jack",
    ),
    "consumable": (
        "Stim", "Medpatch", "Nanite Spray", "Injector", "Synth-Noodles", "Combat Drug", "Trauma Gel",
        "Rad Pills", "Energy Drink", "Booster Shot", "Antitox", "Focus Inhaler",
    ),
    "junk": (
        "Drone Rotor", "Datachip", "Circuit Board", "Cable Spool", "Vending Token", "Battery Cell",
        "Holo-Projector", "Servo Motor", "Keyboard", "Dead Phone", "Scrap Plate", "Rubber Duck",
    ),
    "key": (
        "Keycard", "Access Chip", "Maglock Key", "Cipher Shard", "Biometric Glove", "Door Code",
        "Passkey", "Security Token", "Elevator Fob",
    ),
}
GENERIC_BASES: tuple[str, ...] = ("Gadget", "Device", "Trinket", "Module", "Contraption", "Kit")

MAKERS: tuple[str, ...] = (
    "Kessler", "Halcyon", "Arasu", "Tessel", "Meridian", "Kirigane", "Helix", "Aegis", "Vektor",
    "Hoshizora", "Obsidian", "Ferrum", "Kuroi", "Daedalus", "Corvid", "Axiom", "Budget-Arms", "Milton-Tek",
)
MODEL_LETTERS: tuple[str, ...] = ("K", "M", "X", "R", "Z", "V", "T", "S", "HX", "GT", "MK")

CONDITIONS: tuple[str, ...] = (
    "Battered", "Scuffed", "Standard-Issue", "Budget", "Secondhand", "Knock-off", "Patched", "Street",
)
RARE_ADJ: tuple[str, ...] = ("Tuned", "Custom", "Milspec", "Prototype", "Hand-Built", "Blackmarket")
EPITHETS: tuple[str, ...] = (
    "Widowmaker", "Last Call", "Heartbreaker", "Saint Static", "Monsoon", "Paper Tiger", "Lullaby",
    "Neon Requiem", "Good Intentions", "Dead Air", "Jackpot", "Undertow", "Quiet Riot", "Kingmaker",
    "Second Sun", "Mercy Rule", "Blue Screen", "Red Letter", "Tin Halo", "The Bill Collector",
)
LEGEND_TAILS: tuple[str, ...] = (
    "the Drowned City", "the Last Blackout", "the Rain King", "the First Netrunner", "Tower Nine",
    "the Harbor Massacre", "the Old Republic", "a Dead God", "the Kowloon Fire",
)

EFFECT_ADJ: dict[str, tuple[str, ...]] = {
    "armor_shred": ("Rending", "Shredder", "Piercing", "Sundering"),
    "burn": ("Searing", "Incendiary", "Scorching", "Thermite"),
    "shock": ("Voltaic", "Arc", "Static", "Tesla"),
    "bleed": ("Serrated", "Barbed", "Hemorrhage", "Razor"),
    "emp": ("Pulse", "Blackout", "Fried-Circuit", "Ionic"),
    "lifesteal": ("Leeching", "Vampiric", "Parasite", "Siphon"),
    "stun": ("Concussive", "Stagger", "Dazer", "Knockout"),
    "hack_boost": ("Overclocked", "ICEbreaker", "Backdoor", "Rootkit"),
}
EFFECT_NOUN: dict[str, tuple[str, ...]] = {
    "armor_shred": ("Ruin", "Open Wounds", "Broken Shields"),
    "burn": ("Cinders", "the Furnace", "Second Sun"),
    "shock": ("the Storm", "Live Wires", "Lightning"),
    "bleed": ("Red Rain", "Knives", "the Butcher"),
    "emp": ("Silence", "Dead Signals", "the Blackout"),
    "lifesteal": ("Hunger", "the Leech", "Borrowed Time"),
    "stun": ("Thunder", "the Hammer", "Sudden Sleep"),
    "hack_boost": ("Open Doors", "the Ghost", "Root Access"),
}
EFFECT_DESC: dict[str, tuple[str, ...]] = {
    "armor_shred": (
        "It chews through plating like wet paper.", "Microfilament edges peel armor apart on contact.",
        "Whatever it hits stops being protected for a while.",
    ),
    "burn": (
        "It leaves targets smouldering.", "A thermite core sets whatever it hits alight.",
        "The air above it shimmers with heat.",
    ),
    "shock": (
        "Blue arcs crawl along it when it is armed.", "Each hit dumps a capacitor's worth of current.",
        "It crackles, and smells of ozone.",
    ),
    "bleed": (
        "Its wounds do not close on their own.", "Serrated edges leave long, ragged cuts.",
        "Someone filed hooks into it on purpose.",
    ),
    "emp": (
        "A pulse emitter scrambles chrome and drones alike.", "Nearby screens flicker when it discharges.",
        "It turns cyberware into dead weight for a few seconds.",
    ),
    "lifesteal": (
        "Nanites harvest what they take and feed it back to the user.",
        "It feels warmer after every hit.", "A biofeedback loop patches you up as you hurt them.",
    ),
    "stun": (
        "A hit rattles teeth and scrambles balance.", "Targets tend to stay down for a moment.",
        "The impact rings like a dropped dumpster lid.",
    ),
    "hack_boost": (
        "Custom firmware makes ICE feel thinner.", "It whispers exploits straight into your deck.",
        "Netrunners would kill for its preloaded scripts.",
    ),
}

KIND_DESC: dict[str, tuple[str, ...]] = {
    "weapon": (
        "{A_maker} weapon, its grip worn smooth by other hands.", "Balanced, brutal, and stamped with the {maker} logo.",
        "A street-legal frame hiding very illegal modifications.", "Heavier than it looks, and louder than it should be.",
    ),
    "armor": (
        "Layered ballistic fabric under {a_maker} shell.", "It smells of old sweat and gun oil.",
        "Scuffed plates, re-stitched seams, still holding.", "Cut to look like fashion, built to stop a round.",
    ),
    "cyberware": (
        "{A_maker} implant sealed in a sterile pouch.", "Chrome and biogel, warm to the touch.",
        "Still twitching faintly, as if it remembers its last owner.", "Install at a clinic you trust. If you know one.",
    ),
    "consumable": (
        "Single use, sealed, with {a_maker} hologram on the foil.", "The label lists side effects in very small print.",
        "Street-brewed, probably safe, definitely effective.", "It fizzes when shaken.",
    ),
    "junk": (
        "Worthless to most people. Not to a scavenger.", "Salvage, dented and grimy.",
        "It might still work, with a little love.", "{A_maker} part, long out of warranty.",
    ),
    "key": (
        "It opens something, somewhere, for someone.", "{A_maker} access device with a worn magnetic strip.",
        "The chip is scratched with a room number.", "Whoever lost it is looking for it.",
    ),
}
GENERIC_DESC: tuple[str, ...] = (
    "An odd piece of kit of uncertain purpose.", "Someone built this for a reason; the reason is gone.",
    "It hums quietly when held.",
)
RARITY_DESC: dict[str, tuple[str, ...]] = {
    "common": ("Mass-produced and easy to replace.", "Every second pocket in the city has one.", "Nothing special."),
    "uncommon": ("Better than street stock.", "A cut above the usual junk.", "Someone took care of this one."),
    "rare": ("Hard to find outside corp armouries.", "Fixers would pay well for this.", "Precision work, tuned by hand."),
    "epic": (
        "A one-off, built by someone who knew exactly what they were doing.",
        "Collectors and killers both want one.", "There are maybe a dozen like it in the city.",
    ),
    "legendary": (
        "Stories about it are told in every bar from the docks to the spires.",
        "Its serial number is on three corporations' most-wanted lists.", "Only one was ever made. People died for it.",
    ),
}
MARKS: tuple[str, ...] = (
    "Someone scratched the name {handle} into it.", "A faded sticker reads PROPERTY OF {handle}.",
    "Tally marks cover one side.", "A tiny prayer charm is tied to it.", "Its previous owner painted it {colour}.",
)
COLOURS: tuple[str, ...] = ("hot pink", "matte black", "chrome gold", "toxic green", "police blue", "blood red")
