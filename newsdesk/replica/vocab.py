"""Word lists the replica builds its (fictional) news from.

Nothing here is random: the generator draws from these lists with its own
seeded ``random.Random``. Names never contain a comma or `` and `` (authors are
split on those), and ``&`` only ever appears between spaces (so that an HTML
unescape of raw text cannot mistake it for a legacy entity such as ``&not``).
"""

from __future__ import annotations

# (group, slug, menu label): the 17 menu sections, in menu order.
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("news", "politics", "Politics"),
    ("news", "economy", "Economy"),
    ("news", "sports", "Sports"),
    ("news", "arts-culture", "Arts&Culture"),
    ("news", "health", "Health"),
    ("news", "miscellaneous", "Miscellaneous"),
    ("news", "technology", "Technology"),
    ("news", "environment", "Environment"),
    ("articles", "opinion", "Opinion"),
    ("articles", "analysis", "Analysis"),
    ("articles", "blog", "Blog"),
    ("articles", "features", "Features"),
    ("videos", "newsfeed", "NewsFeed"),
    ("videos", "video-features", "Video Features"),
    ("videos", "explainers", "Explainers"),
    ("videos", "tv", "TV"),
    ("videos", "digital-series", "Digital Series"),
)

# Relative weight of each section when articles are spread over the site.
SECTION_WEIGHTS: dict[str, float] = {
    "politics": 8.0,
    "economy": 3.0,
    "sports": 2.0,
    "arts-culture": 1.5,
    "health": 1.5,
    "miscellaneous": 1.5,
    "technology": 2.0,
    "environment": 1.5,
    "opinion": 2.0,
    "analysis": 2.0,
    "blog": 1.5,
    "features": 1.5,
    "newsfeed": 1.2,
    "video-features": 1.0,
    "explainers": 1.0,
    "tv": 1.0,
    "digital-series": 0.8,
}

GROUP_LABELS: dict[str, str] = {"news": "News", "articles": "Articles", "videos": "Videos"}
POSTTYPES: dict[str, str] = GROUP_LABELS

REGIONS: tuple[str, ...] = (
    "Africa",
    "Asia",
    "Asia-Pacific",
    "Europe",
    "Latin America",
    "MENA",
    "Palestine",
    "US & Canada",
)

# city -> region (the metadata `country` class)
CITIES: dict[str, str] = {
    "Tehran": "MENA",
    "Beirut": "MENA",
    "Damascus": "MENA",
    "Baghdad": "MENA",
    "Cairo": "MENA",
    "Sanaa": "MENA",
    "Ankara": "MENA",
    "Gaza": "Palestine",
    "Ramallah": "Palestine",
    "Jenin": "Palestine",
    "Manila": "Asia-Pacific",
    "Jakarta": "Asia-Pacific",
    "Tokyo": "Asia-Pacific",
    "Beijing": "Asia",
    "New Delhi": "Asia",
    "Havana": "Latin America",
    "Caracas": "Latin America",
    "Bogota": "Latin America",
    "Kyiv": "Europe",
    "Moscow": "Europe",
    "Brussels": "Europe",
    "Helsinki": "Europe",
    "Nairobi": "Africa",
    "Johannesburg": "Africa",
    "Niamey": "Africa",
    "Washington": "US & Canada",
    "Ottawa": "US & Canada",
}

# (as a sentence start, inside a sentence)
ACTORS: tuple[tuple[str, str], ...] = (
    ("The prime minister", "the prime minister"),
    ("The central bank", "the central bank"),
    ("The energy minister", "the energy minister"),
    ("Local residents", "local residents"),
    ("The election commission", "the election commission"),
    ("A senior official", "a senior official"),
    ("Lawmakers", "lawmakers"),
    ("Health authorities", "health authorities"),
    ("The defense ministry", "the defense ministry"),
    ("The foreign ministry", "the foreign ministry"),
    ("Union leaders", "union leaders"),
    ("UN experts", "UN experts"),
    ("Rescue teams", "rescue teams"),
    ("The army command", "the army command"),
)

VERBS: tuple[str, ...] = (
    "rejected",
    "confirmed",
    "condemned",
    "questioned",
    "welcomed",
    "proposed",
    "announced",
    "denied",
    "warned",
    "praised",
    "discussed",
    "reported",
)

OBJECTS: tuple[str, ...] = (
    "the transfer window",
    "the satellite launch",
    "the vaccination drive",
    "the trade agreement",
    "an emergency session",
    "the water-sharing deal",
    "the sanctions package",
    "the ceasefire proposal",
    "a prisoner exchange",
    "the reconstruction effort",
    "the budget plan",
    "the climate pledge",
    "a new round of talks",
    "the film festival",
    "a joint statement",
    "the security arrangements",
    "the grain corridor",
    "the power-sharing formula",
)

ATTRIBUTIONS: tuple[str, ...] = ("sources", "officials", "witnesses", "a statement")
CONCERN: tuple[str, ...] = ("fresh", "growing", "renewed")
WEEKDAYS: tuple[str, ...] = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
MONTHS_ABBR: tuple[str, ...] = (
    "",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
MONTHS_FULL: tuple[str, ...] = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

HOUSE_AUTHOR = "Al Mayadeen English"
# Named writers (opinion pieces, features, co-bylines). Some need escaping.
WRITERS: tuple[str, ...] = (
    "Mohammad Hammoud",
    "Zeinab Haidar",
    "Ali Rizk",
    "Karim Sharara",
    "Rania O'Neill",
    "Hussein Assaf",
    "Lina Fakhoury",
    "Tariq Al-Mansour",
    "Maya Ghandour",
    "Daniel Kovac",
    "Nour Saade",
    "Samir Qassem",
)

SOURCES: tuple[str, ...] = (
    "Agencies",
    "Agencies",
    "Agencies",
    "Al Mayadeen English",
    "Al Mayadeen Net",
    "Agencies & Al Mayadeen",
    "News websites",
    "Reuters",
)

COVERAGES: dict[str, str] = {
    "Russia & NATO": (
        "As the Draconian Western-led sanctions on Russia exacerbate the economic "
        "crisis worldwide..."
    ),
    "War on Gaza": "Follow the latest on the war on Gaza and its regional repercussions...",
    "Lebanon Under Fire": "Coverage of the attacks on Lebanon and the resistance...",
    "Red Sea & Yemen": "Shipping, strikes and diplomacy around the Red Sea...",
    "US Elections 2024": "The race for the White House and what it means abroad...",
}

TAGS: tuple[str, ...] = (
    "Nato",
    "Finland",
    "Russia",
    "China",
    "Gaza",
    "Lebanon",
    "Oil",
    "Africa",
    "Syria",
    "Iran",
    "Yemen",
    "Palestine",
    "Ukraine",
    "BRICS",
    "Cuba",
    "Venezuela",
    "United States",
    "European Union",
    "Indo-Pacific Region",
    "Artificial Intelligence",
    "Climate Change",
    "Football",
    "Sanctions",
    "Israeli occupation",
    "UNRWA",
    "Oil & Gas",
    "US & Canada",
    "Jens Stoltenberg",
)

CREDITS: tuple[str, ...] = ("AP", "AP", "AFP", "Reuters", "Social media", "Al Mayadeen English")

# Short quotes used in titles and bodies (they bring quotes and apostrophes).
QUOTES: tuple[str, ...] = (
    "we will not back down",
    "this is a red line",
    "the people's patience is running out",
    "no deal without guarantees",
    "history will judge us",
)

TITLE_SUFFIXES_ON_EDIT: tuple[str, ...] = (
    ", officials say",
    ", sources say",
    " amid growing concern",
    " as talks resume",
)

TICKER: tuple[str, ...] = (
    "Al Mayadeen's correspondent in Lebanon: IOF infiltrate Khallet Wardeh towards the "
    "municipality in the town of Aita al-Shaab, south of Lebanon.",
    "Leaders of the United States, Egypt, Qatar, and Turkey sign a ceasefire agreement in Gaza.",
    "Trump arrives in Sharm el-Sheikh",
)

STATIC_PAGES: dict[str, tuple[str, str]] = {
    "/about-us": (
        "About Us",
        "Al Mayadeen is an Arab Independent Media Satellite Channel launched in Beirut.",
    ),
    "/privacy-policy": (
        "Privacy Policy",
        "This policy explains what we collect when you visit the site, and why.",
    ),
    "/contact-us": ("Contact Us", "Write to the newsroom: newsroom@example.invalid."),
    "/authors": ("Authors", "The writers and editors of Al Mayadeen English."),
    "/infographs": ("Infographs", "Data stories and infographics."),
    "/in-pictures": ("In Pictures", "Photo galleries from around the world."),
    "/live": ("LIVE", "The live broadcast of Al Mayadeen."),
}
