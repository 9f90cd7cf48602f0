"""Word tables for ``names``: given names, surnames and handles from many cultures, corp and gang parts.

Tuples of plain strings, split with ``str.split`` once at import so the tables stay readable.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


GIVEN: tuple[str, ...] = _words(
    # Japanese, Korean, Chinese, Vietnamese, Filipino
    """Akira Hana Kenji Yuki Ren Sora Haruto Mei Daichi Naomi Hiroshi Emi
    Ji-woo Min-jun Seo-yeon Hye-jin Tae-yang Da-eun Wei Lin Jun Xiu Bao Zhen Yan Lei
    Linh Minh Thao Quan Bao-Anh Ramon Marisol Jericho Liza Dante
    """
    # Yoruba, Igbo, Swahili, Amharic, Zulu
    """Adebayo Chiamaka Oluwaseun Ngozi Kwame Amara Tunde Ife Zuri Jabari Makena Tariku Selam
    Thabo Nandi Sipho Femi Chidi
    """
    # Slavic, Nordic, German, Anglo
    """Dmitri Katya Yuri Mila Oksana Pavel Zoran Vesna Anja Sven Freya Ingrid Leif Astrid Bjorn
    Lukas Greta Jonah Mara Silas Tess Wren Declan Rhiannon Cass Eli Nadia Piotr Irina
    """
    # Latin American, Brazilian, Iberian
    """Mateo Lucia Diego Valentina Rafael Ximena Joao Beatriz Thiago Caio Renata Ines Alejandro
    Paloma Esteban Camila Santiago Rosa
    """
    # South Asian, Arabic, Persian, Turkish
    """Priya Arjun Devika Rohan Sanjay Anika Ishaan Kavya Omar Layla Karim Yasmin Tariq Samira
    Dariush Shirin Emre Elif Kerem Zeynep Farid Noor
    """
    # Pacific, Indigenous, Irish, Hebrew, Greek
    """Kai Leilani Tane Moana Aroha Niamh Cian Aoife Eitan Tamar Noa Yael Nikos Eleni Theo Iris
    Kenta Rin Yuna Hyun-woo Soo-ah Mingyu Xin Hao Ying Duc Hoa Imani Kofi Ebere Chinedu Ayodele Lerato
    Goran Milena Bogdan Sasha Hedda Rune Otto Ada Ezra Jude Ruby Flint Juniper Aurelio Catalina Bruno
    Luana Nayeli Aditi Vikram Meera Zainab Hamid Leila Cyrus Aylin Baran Mahina Keanu Oisin Saoirse"""
)

SURNAMES: tuple[str, ...] = _words(
    """Tanaka Ishikawa Mori Kuroda Sato Nakamura Fujiwara Takeda Park Kim Choi Yoon Han Chen Wu Zhao
    Liang Xu Huang Nguyen Tran Pham Le Santos Reyes Bautista Dela-Cruz Okafor Adeyemi Mensah Eze Nwosu
    Abara Balogun Okonkwo Kamau Odhiambo Tesfaye Dlamini Ndlovu Volkov Petrova Ivanenko Sokolov Novak
    Kowalski Horvat Lindqvist Halvorsen Andersen Krueger Vogel Brandt Weiss Vance Hale Mercer Sloane
    Ashford Cole Brennan Quinn Sutter Graves Whitlock Garza Morales Castillo Vargas Mendoza Rojas Silva
    Oliveira Costa Almeida Ferreira Navarro Ortega Salazar Patel Sharma Iyer Reddy Banerjee Kapoor Desai
    Haddad Nasser Khalil Farouk Rahimi Tehrani Yilmaz Demir Aksoy Kaya Kealoha Makoa Walker Ngata Tupou
    Redcloud Blackfeather Whitehorse O'Rourke Gallagher Byrne Levi Katz Mizrahi Papadakis Doukas
    Kovacs Varga Moreau Laurent Duval Rossi Bianchi Esposito Marchetti Ibarra Kurosawa Abe Ogawa Matsuda
    Hoshino Sakamoto Baek Seo Jang Lau Tang Ho Mok Ong Hayashi Kobayashi Shimizu Lim Kwon Jeon Feng Guo
    Luo Vu Dang Ramos Aquino Obi Achebe Asante Boateng Diallo Keita Mwangi Abebe Zulu Orlov Morozov
    Dragan Nowak Jovanovic Sorensen Nyberg Falk Hartmann Keller Blackwood Thorne Sterling Pryce Lockhart
    Campos Fuentes Herrera Pereira Barros Menon Pillai Chatterjee Qureshi Mansour Saleh Karimi Arslan
    Kahale Tane Moreno Duarte Galloway Vasquez"""
)

HANDLES: tuple[str, ...] = _words(
    """Kestrel Vanta Static Ghostwire Mako Razor Jinx Halo Vesper Cipher Hex Rook Wraith Ember Nyx
    Spindle Chrome Patch Loophole Needle Sparrow Tinker Voodoo Sable Lynx Solder Fuse Mantis Cobalt
    Switchblade Lucky Saint Bishop Gutter Kingpin Magpie Dingo Jackal Ratchet Widget Rivet Sprocket
    Sugar Honey Viper Cobra Moth Ghost Echo Glitch Ping Daemon Kernel Proxy Cache Bitrot Nullset Zero
    Onyx Quartz Neon Acid Tango Blitz Deadbolt Padlock Flatline Slick Velvet Mercy Ruin Havoc Rumor
    Whisper Hush Boogie Dice Snake-Eyes Deuce Ace Joker Lefty Smiley Tooth Knuckles Brick Tank Moxie
    Sunny Monsoon Typhoon Drizzle Puddle Smog Soot Cinder Ash Blaze Flicker Strobe Laser Prism Mirror
    Shard Splinter Torque Piston Nitro Turbo Gasket Wrench Pixel Vector Glyph Rune Oracle Prophet Sphinx"""
)

NET_PREFIX: tuple[str, ...] = _words(
    "null zero dead void black root kill ghost neon sub hex byte sys cold grey bit syn dark phreak lag"
)
NET_SUFFIX: tuple[str, ...] = _words(
    "byte_ _wire shell .exe _0x packet daemon vector fault loop spike jack ware mint 404 _sys hook proxy ICE"
)

GANG_ADJ: tuple[str, ...] = _words(
    """Chrome Neon Rust Blood Iron Static Electric Toxic Broken Hollow Burning Black Crimson Silver Jade
    Feral Grinning Drowned Screaming Sixth-Street Low-Rise Concrete Voltage Junkyard Midnight Acid Paper
    Golden Rabid Lucky"""
)
GANG_NOUN: tuple[str, ...] = _words(
    """Jackals Saints Vipers Kings Dragons Ghosts Rats Wolves Orphans Angels Reapers Hounds Mambas Sharks
    Crows Tigers Lotus Knives Hyenas Scorpions Moths Monks Dolls Apostles Marauders Vultures Widows
    Barons Cobras Spiders Priests Foxes"""
)
GANG_FORMS: tuple[str, ...] = (
    "The {adj} {noun}", "{adj} {noun}", "The {adj} {noun}", "The {noun} of {street} Street", "{street} {noun}",
    "The {adj} Syndicate", "{adj} {noun} Crew", "{adj} {noun} MC", "The {adj} Kollective", "{street} Street {noun}",
)

CORP_ROOT: tuple[str, ...] = _words(
    """Kessler Halcyon Arasu Tessel Ouroboros Meridian Kirigane Tyrholm Zaibatsu-9 Helix Aegis Pallas
    Vektor Hoshizora Sunderland Obsidian Castellan Lumen Novasys Ferrum Argent Kuroi Daedalus Aurelia
    Ishida Vantage Corvid Solace Mosaic Quorum Axiom Tempest Continuum Paragon Cerulean Hyperion"""
)
CORP_INDUSTRY: tuple[str, ...] = _words(
    """Dynamics Biotech Systems Cybernetics Robotics Logistics Pharma Securities Arms Aerospace Media
    Neuroware Genomics Holdings Industries Data Energy Foods Orbital Synthetics Microsystems Defense"""
)
CORP_ENTITY: tuple[str, ...] = ("Corp", "Inc.", "KK", "Group", "Consolidated", "AG", "Ltd.", "Conglomerate")
CORP_FUSE: tuple[str, ...] = ("tech", "dyne", "corp", "tronics", "gen", "sys", "net", "ware", "tek", "ion")
CORP_FORMS: tuple[str, ...] = (
    "{a} {ind}", "{a}-{b} {ind}", "{a} {ind} {ent}", "{a} {ent}", "{a}{fuse}", "{a} & {b} {ind}",
)

STREET_WORD: tuple[str, ...] = _words(
    """Lantern Cable Neon Gutter Ash Copper Pylon Sodium Monsoon Glass Ferro Kowloon Orchid Tram Chrome
    Ironbridge Signal Salt Dragon Paper Willow Junction Rainfall Furnace Pachinko Halogen Hollow Ember
    Vending Parallax Dynamo Harbor Cinder Jade Overpass Viaduct Pagoda Broadcast Teahouse Coolant"""
)
STREET_TYPE: tuple[str, ...] = _words(
    "Street Lane Row Alley Way Causeway Walk Underpass Boulevard Avenue Stairs Arcade Ramp Skyway Loop"
)
