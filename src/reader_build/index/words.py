"""The words that the index's name finder reads: what is no name by itself, and the cues
that tell a person from a place.

Every list here is general English (function words, titles and offices, months, words for
documents and institutions, countries, geographic features), never words of one book.
What a single book needs beyond them is decided from the book's own text by the rules in
:mod:`check` (a word the text also writes in lower case is a common word; a word that
mostly stands before a lower-case noun is a modifier, "Soviet troops").
"""
from __future__ import annotations

import re

STOP = set("""
a about above across after against all almost also although among an and another any anyone anything
are as at be because been before being below besides between both but by can cf could did do does during
each either else et even ever every for from further had has have he hence her here hers herself him
himself his how however i if in indeed into is it its itself just least less many may meanwhile might
more moreover most much must my namely neither never nevertheless no nor not note now of off often on
once one only or other others otherwise our out over own per perhaps rather same see several shall she
should since so some still such than that the their theirs them themselves then there thereafter
therefore these they this those though thus to together too toward towards under unless until upon us
very via was we were what whatever when whenever where whereas wherever whether which while who whoever
whole whom whose why will with within without would yet you your yes strictly first second third last
next later earlier today yesterday tomorrow here ibid ibidem op cit viz ie eg etc two three four five
six seven eight nine ten eleven twelve twenty hundred thousand big little small grand old young
""".split())

TITLES = set("""
president vice prime minister ministers foreign secretary ambassador ambassadors chairman chairwoman
general admiral marshal emperor empress king queen prince princess premier chancellor
deputy envoy consul delegate delegation head chief director commander commander-in-chief
supreme allied representative senator governor mayor professor prof dr mr mrs ms sir lord lady st
saint pope cardinal bishop father brother sister colonel captain major lieutenant sergeant private
chairperson speaker commissioner attorney judge justice
""".split())

INSTITUTIONS = set("""
treaty treaties declaration declarations agreement agreements conference conferences convention
conventions memorandum memoranda protocol protocols act acts charter charters constitution law laws
article articles art chapter chapters section sections part parts volume volumes vol no doc docs
document documents page pages pp figure figures table tables map maps appendix note notes ministry
ministries department departments council councils committee committees commission commissions
government governments parliament diet congress senate assembly court office bureau agency
university press institute museum library archive archives academy party parties army navy force
forces fleet command headquarters union republic republics federation kingdom empire state states
nations organization organisation war wars revolution crisis period era age dynasty summit talks
world edition editions series journal review times
news herald gazette post daily weekly monthly quarterly annual report reports newspaper
newspapers agency house houses embassy embassies cabinet relations affairs peace
headquarters group groups power powers doctor science sciences fisheries fishery agriculture forestry chronology assistance
people peoples time distress nation allies alliance coalition presidium politburo
""".split())

MONTHS = set("""
january february march april may june july august september october november december jan feb mar apr
jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday
""".split())

# Countries and continents (an index of people and places usually leaves them out), and words
# of regions and directions that only make a name with another word.
PLACES_NOT_INDEXED = set("""
afghanistan albania algeria andorra angola armenia azerbaijan bahamas bahrain bangladesh barbados
belarus belize benin bhutan bolivia bosnia botswana brunei burundi cambodia cameroon chad colombia
comoros congo croatia cuba cyprus djibouti dominica ecuador eritrea estonia eswatini ethiopia fiji
gabon gambia georgia ghana grenada guatemala guinea guyana haiti honduras iceland jamaica jordan
kazakhstan kenya kiribati kuwait kyrgyzstan laos latvia lebanon lesotho liberia libya liechtenstein
lithuania luxembourg madagascar malawi malaysia maldives mali malta mauritania mauritius micronesia
moldova monaco montenegro morocco mozambique namibia nauru nepal nicaragua niger nigeria oman palau
panama paraguay peru qatar rwanda samoa senegal serbia seychelles singapore slovakia slovenia somalia
sudan suriname syria tajikistan tanzania togo tonga tunisia turkmenistan tuvalu uganda ukraine
uruguay uzbekistan vanuatu venezuela yemen zambia zimbabwe ceylon persia siam manchukuo
north south east west northern southern eastern western far near middle central upper lower
""".split()) | set("""
japan russia china korea america britain england scotland wales ireland france germany italy spain
portugal poland czechoslovakia hungary romania bulgaria yugoslavia austria switzerland netherlands
holland belgium sweden norway denmark finland greece turkey india pakistan indonesia philippines
vietnam burma thailand mongolia canada mexico brazil argentina chile australia zealand egypt israel
iran iraq syria europe asia africa oceania antarctica arctic eurasia ussr usa uk un prc dprk
""".split())

CONNECTORS = {"of", "de", "du", "des", "da", "di", "von", "van", "der", "den", "la", "le", "al", "el", "bin",
              "ibn", "y", "and"}
SENTENCE_END = ".!?:\u2026\u201c\"\u2018"
CLOSING = "\u201d\u2019\"')]"
MAX_WORDS = 3                      # longer capitalised runs are titles of works, not names
WORD = re.compile(r"[^\W\d_][\w'\u2019\-]*")
ROMAN = re.compile(r"(?i)^[ivxlcdm]+$")
DEMONYM_ENDING = re.compile(r"(?:ese|ian|ish|ean|ican|ans|ians)$")
DEMONYMS = set("""
thai arab arabs american african latin anglo slav slavic nordic european asiatic oriental
allied turkish swiss dutch french greek czech polish british scottish irish welsh jewish muslim catholic
protestant orthodox christian buddhist imperial
""".split())
COUNTRY_PHRASES = {"saudi arabia", "sri lanka", "el salvador", "new zealand", "south africa", "costa rica",
                   "dominican republic", "united states", "united kingdom", "great britain", "soviet union",
                   "south korea", "north korea", "east germany", "west germany", "czech republic",
                   "ivory coast", "papua new guinea", "trinidad and tobago", "sierra leone", "burkina faso",
                   "cape verde", "san marino", "vatican city", "united arab emirates", "marshall islands",
                   "solomon islands", "east timor", "south sudan", "north macedonia", "latin america"}


def is_cap(word: str) -> bool:
    return word[:1].isupper() and not (len(word) > 1 and word.replace("-", "").isupper())


def base_form(word: str) -> str:
    """Case-folded, without a possessive "'s" or a final apostrophe."""
    base = word.casefold()
    for suffix in ("'s", "\u2019s", "'", "\u2019"):
        if base.endswith(suffix):
            return base[:-len(suffix)]
    return base


def skip_word(word: str) -> bool:
    """Capitalised words that are no name of a person or place by themselves."""
    base = base_form(word)
    if "-" in base:                 # "Anglo-American", "Russian-sourced", "Asia-Pacific"
        parts = [p for p in word.split("-") if p]
        return any(not is_cap(p) for p in parts) or all(skip_word(p) for p in parts) or len(parts) > 1
    return (base in STOP or base in TITLES or base in MONTHS or bool(ROMAN.match(word))
            or base in PLACES_NOT_INDEXED or base in DEMONYMS or bool(DEMONYM_ENDING.search(base)) or len(base) < 2)




# -- cues for a guess of person or place (index suggest) ----------------------------------

# A phrase that contains one of these is the name of a place ("Hudson River", "Mount Fuji").
PLACE_WORDS = set("""
river rivers island islands isle isles bay lake lakes mount mountain mountains sea ocean strait straits cape
valley city town village street road avenue square county province prefecture district region peninsula
gulf harbour harbor port castle bridge forest desert hill hills coast canal abbey cathedral falls
archipelago plain plains heights point sound channel lagoon glacier reef park station airport
""".split())
# Lower-case words just before a place: "the city of X", "in X", "near X".
PLACE_BEFORE = {("city", "of"): 2, ("town", "of"): 2, ("village", "of"): 2, ("port", "of"): 2,
                ("island", "of"): 2, ("province", "of"): 2, ("capital", "of"): 1, ("river",): 2,
                ("in",): 1, ("at",): 1, ("near",): 1, ("outside",): 1, ("across",): 1, ("around",): 1,
                ("into",): 1, ("towards",): 1, ("toward",): 1, ("visited",): 1, ("reached",): 1}
# Lower-case words just after a place: "X harbour", "X was founded".
PLACE_AFTER = {"harbour", "harbor", "river", "valley", "region", "province", "district", "prefecture"}
# Words just after a person: "X said", "X, who".
PERSON_AFTER = {"said", "says", "wrote", "writes", "argued", "argues", "told", "replied", "asked", "answered",
                "believed", "thought", "insisted", "died", "himself", "herself", "who", "whose", "whom"}
PERSON_BEFORE = {("by",): 1}            # titles before a person: TITLES
