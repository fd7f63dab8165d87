"""What patients write about side effects, and which class each means: data only.

The matcher (tracker.domain.side_effects) reads this module; nothing here is
code beyond plain tuples, so the clinical content can be reviewed on its own.

How to read an entry
--------------------
Each entry has a canonical ``term`` (what tracker shows), a ``level`` (the
class: "emergency", "serious" or "common"), the ``source`` of that class, its
``patterns`` and ``examples`` (ways patients write it; a unit test checks that
every example is classified as the entry).

A pattern is one or two slots:

- ``"hives|welt|urticaria"``: any of these words anywhere in the text;
- ``"chest + tight|pain"``: a word of each slot, in either order, in the same
  clause with at most ``MAX_GAP`` words between them ("tightness in my chest");
- ``"pass > out"``: the same, but in this order ("passed out").

Words are written in their base form; the matcher adds plurals and endings
(-s, -es, -ed, -ing, -ness, -y, -ly, -er; "breathe" also finds "breathing",
"hive" finds "hives"). ``@NAME`` stands for a word group defined below.

Sources, as named in ``/work/shared/clinical.md`` (the fact sheet):

- FS1: fact sheet #1, boxed warning "Distant Spread of Toxin Effect";
- FS18: fact sheet #18, Medication Guide ("get medical help right away") and Multum;
- FS19: fact sheet #19, cervical dystonia label, common reactions;
- FS20: fact sheet #20, MedDRA names (routine / emergency / call the doctor now);
- RULES: fact sheet, "Rules the software can safely encode";
- LEADS: fact sheet, "Decisions by the project's leads (December 2026)";
- LEAFLET: patient leaflet "Botox for Back Pain" (seeds/000_...txt), its common
  side-effect list and its warnings (both citing Drugs.com);
- GUIDE: the developers' guide: when a patient's words could mean an emergency,
  tracker treats them as one (used for seizures, which the fact sheet does not list).
"""

from __future__ import annotations

# Words of two slots may be at most this many words apart ("pain in the middle
# of my chest": 5 words between). Chosen so that everyday sentences fit while a
# long sentence does not tie words from unrelated parts together.
MAX_GAP = 5

# Typo tolerance (see side_effects.allowed_edits): words shorter than this are
# matched exactly ("rash" is never "rush", "hive" never "have").
TYPO_MIN_LENGTH = 5
# From this length on, two typing slips are forgiven; below it, one.
TWO_EDITS_FROM_LENGTH = 8

# Shorthands written out before matching. "can't", "cant", "cannot", "can not",
# "unable to", "not able to", "couldn't", "won't" all become "cannot".
CANNOT_PHRASES: tuple[str, ...] = (
    "can not",
    "cannot",
    "cant",
    "couldnt",
    "could not",
    "unable to",
    "unable",
    "not able to",
    "wont",
    "will not",
)

# Conjunctions end the reach of a two-slot pattern ("dry mouth and some
# swelling" is not a swollen mouth) unless the words on both sides of them are
# alike: two body parts ("face and lips swollen") or two symptom words
# ("swelling and itching in my face", "tight and painful chest").
CONJUNCTIONS: frozenset[str] = frozenset(
    {"and", "or", "but", "then", "also", "plus", "so", "because", "though", "although", "yet"}
    | {"nor", "while", "whereas", "however"}
)
# Skipped when looking for the words on either side of a conjunction.
DETERMINERS: frozenset[str] = frozenset(
    {"a", "an", "the", "my", "his", "her", "their", "our", "your", "some", "both", "also"}
)
BODY_PARTS: frozenset[str] = frozenset(
    {"face", "facial", "cheek", "eye", "eyelid", "lid", "jaw", "chin", "mouth", "gum", "lip"}
    | {"tongue", "throat", "neck", "chest", "back", "arm", "leg", "limb", "knee", "hand", "head"}
    | {"nose", "stomach", "tummy", "belly", "skin", "body", "heart", "lung", "brow", "eyebrow"}
)

# Correctly spelt words that are one or two slips away from a vocabulary word
# are never read as a typo of it ("right" is not "tight", "cooking" is not
# "choking"): tracker.domain.effect_real_words lists them, made by
# tools/real_words.py from an English word list. Except these, which patients
# write for the vocabulary word far more often than they mean themselves:
KEEP_AS_TYPOS: frozenset[str] = frozenset(
    {"chocking", "chocked", "feint", "feinted", "feinting", "feints", "horse", "continence"}
)

# Word groups shared by several patterns (@NAME in a pattern).
GROUPS: dict[str, str] = {
    # "trouble breathing", "hard to swallow", "can't talk", "struggling to speak"
    "DIFFICULTY": (
        "difficulty|difficult|trouble|hard|harder|cannot|struggle|struggling|problem|issue"
        "|labour|laboured|labor|labored|effort|impossible|barely|hardly|tough|fight"
    ),
    "PAIN": "pain|painful|hurt|ache|sore|sting|throb|stab|sharp|burn|tender|tenderness",
    # the swelling words of face, lips, tongue and throat
    "SWELL": "swell|swollen|swelled|puffy|puffiness|puff|puffed|enlarged|inflame|inflamed",
    # what a tight or closing throat feels like
    "CLOSING": (
        "tight|tighten|tightness|close|closing|closed|shut|constrict|constriction|narrow|squeeze"
        "|block|blocked|lump|restrict|restricted|stuck|thick|choke|strangle|strangled"
    ),
    # how people describe chest tightness (besides pain)
    "CHEST_FEELING": (
        "tight|tighten|tightness|pressure|press|heavy|heaviness|squeeze|crush|band|weight"
        "|constrict|constriction|close|discomfort|uncomfortable|funny|weird|strange|odd|wrong"
        "|flutter|pound|race|racing"
    ),
    # "short of breath", "out of breath", "can't catch my breath", "lose my breath"
    "BREATH_TROUBLE": (
        "short|shortness|out|catch|lose|lost|loss|gasp|hold|get|deep|shallow|fast|rapid|quick"
        "|heavy|tight|struggle|fight|enough|no|take"
    ),
    # where the injection went, for the local reactions of the leaflet's common list
    "SITE": "site|inject|injection|injected|jab|shot|needle|puncture",
    "LOCAL": "site|spot|area|where|near|nearby|around|injected|local|locally",
    "HOLD_UP": "hold|holding|droop|drop|flop|floppy|fall|falling|loll",
    "VISION_WORDS": "see|seeing|vision|sight|eye|everything|thing|image|focus",
    "WET_WHERE": "myself|pants|bed|self|trousers|knickers|underwear|clothes",
    "URINE": "urinary|urine|urinate|pee|wee|piss|bladder|toilet|bathroom|wet|leak|water",
}

_FS1 = "fact sheet #1 (boxed warning: distant spread of toxin effect)"
_FS18 = "fact sheet #18 (Medication Guide: get medical help right away)"
_FS18_MULTUM = "fact sheet #18 (Multum: swelling of face, lips, tongue or throat; hives)"
_FS19 = "fact sheet #19 (cervical dystonia label: common reactions)"
_FS20_E = "fact sheet #20 (MedDRA emergency: urticaria, dyspnoea, angioedema, chest discomfort)"
_FS20_S = "fact sheet #20 (MedDRA call the doctor now: paralysis, unusual weakness, bleeding)"
_RULES_E = "fact sheet rules: emergency message"
_RULES_S = "fact sheet rules: contact your doctor promptly"
_LEADS = "fact sheet: leads' decisions (December 2026)"
_GUIDE = "developers' guide: words that could mean an emergency are treated as one"
_LEAFLET = "patient leaflet 'Botox for Back Pain': common side effects (Drugs.com)"
_LEAFLET_W = "patient leaflet 'Botox for Back Pain': warnings (Drugs.com)"

EMERGENCY = "emergency"
SERIOUS = "serious"
COMMON = "common"

# (term, level, source, patterns, examples). Order within a level is the order
# of the help text; the most severe match wins, whatever the order here.
ENTRIES: tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    # --- emergency: get help now ------------------------------------------------
    (
        "difficulty breathing",
        EMERGENCY,
        f"{_FS18}; {_FS1}; {_RULES_E}; {_FS20_E}",
        (
            # Any mention of breathing in a side-effect note is read as trouble
            # breathing ("breathing feels weird", "no trouble breathing" too).
            "breathe|breathing|breathless|breathlessness|dyspnea|dyspnoea|dyspnoeic|winded"
            "|gasp|gasping|suffocate|suffocating|suffocation|smother|lung|inhale|exhale",
            "breath + @BREATH_TROUBLE|@DIFFICULTY|@PAIN",
            "air + @DIFFICULTY|enough|get|gasp|hunger|hungry|need|short",
            "respiratory + @DIFFICULTY|distress",
            "blue + lip|face|skin|turn|turning|going",
        ),
        (
            "trouble breathing",
            "difficulty breathing",
            "can't breathe",
            "not able to breathe",
            "out of breath",
            "short of breath",
            "shortness of breath",
            "can't catch my breath",
            "gasping for air",
            "can't get enough air",
            "breathless",
            "my lungs feel tight",
            "dyspnoea",
        ),
    ),
    (
        "wheezing",
        EMERGENCY,
        f"{_FS18} (wheezing, asthma symptoms); {_RULES_E}",
        ("wheeze|wheezing|wheezy|asthma|asthmatic|inhaler",),
        ("wheezing", "wheezy chest", "asthma attack", "I needed my inhaler"),
    ),
    (
        "difficulty swallowing",
        EMERGENCY,
        f"{_FS18}; {_FS1} (dysphagia); {_RULES_E}",
        (
            "swallow|swallowing|dysphagia|choke|choking|gag|gagging|drool|drooling",
            "food|pill|tablet|drink|liquid|water + stuck|wrong",
        ),
        (
            "trouble swallowing",
            "difficulty swallowing",
            "can't swallow",
            "it hurts to swallow",
            "choking on my food",
            "food gets stuck",
            "I keep drooling",
            "dysphagia",
        ),
    ),
    (
        "difficulty speaking",
        EMERGENCY,
        f"{_FS18}; {_FS1} (dysarthria); {_RULES_E}",
        (
            "speech|dysarthria|aphasia|mumble|mumbling|garble|garbled",
            "speak|speaking|talk|talking|word|pronounce + @DIFFICULTY|jumble|jumbled|wrong|mix",
        ),
        (
            "trouble speaking",
            "difficulty speaking",
            "can't talk properly",
            "hard to get my words out",
            "my speech is strange",
            "dysarthria",
        ),
    ),
    (
        "slurred speech",
        EMERGENCY,
        f"{_LEADS} (may be emergency, never below serious); {_FS1} (dysarthria)",
        ("slur|slurred|slurring", "drunk + sound|talk|speak|speech"),
        ("slurred speech", "slurring my words", "I sound drunk when I talk"),
    ),
    (
        "chest tightness",
        EMERGENCY,
        f"{_RULES_E}; {_FS20_E}",
        ("chest + @CHEST_FEELING",),
        (
            "chest tightness",
            "tight chest",
            "my chest is tight",
            "tightness in my chest",
            "pressure on my chest",
            "chest discomfort",
        ),
    ),
    (
        "chest pain",
        EMERGENCY,
        f"{_LEADS} (chest pain, like chest tightness)",
        (
            "chest + @PAIN",
            "angina",
            "heart + attack|@PAIN",
        ),
        ("chest pain", "pain in my chest", "my chest hurts", "sharp pains in the chest"),
    ),
    (
        "throat tightness",
        EMERGENCY,
        f"{_RULES_E} (throat swelling); {_FS18}",
        ("throat + @CLOSING",),
        (
            "throat feels tight",
            "my throat is closing up",
            "tight throat",
            "lump in my throat",
        ),
    ),
    (
        "swelling of the face",
        EMERGENCY,
        f"{_FS18_MULTUM}; {_RULES_E}; {_FS20_E}",
        ("face|facial|cheek|eye|eyelid|jaw|chin + @SWELL", "angioedema"),
        ("swelling of the face", "facial swelling", "my face is swollen", "puffy face and eyes"),
    ),
    (
        "swelling of the mouth",
        EMERGENCY,
        f"{_FS18_MULTUM}; {_LEAFLET_W}",
        ("mouth|gum + @SWELL",),
        ("swelling of the mouth", "swollen mouth", "swelling around my mouth"),
    ),
    (
        "swelling of the lips",
        EMERGENCY,
        f"{_FS18_MULTUM}; {_RULES_E}",
        ("lip + @SWELL", "fat > lip"),
        ("swelling of the lips", "swollen lips", "my lips are swollen", "lip swelling"),
    ),
    (
        "swelling of the tongue",
        EMERGENCY,
        f"{_FS18_MULTUM}; {_RULES_E}",
        ("tongue|tounge + @SWELL|thick|big|fat|huge",),
        ("swelling of the tongue", "swollen tongue", "my tongue is swollen", "tongue feels thick"),
    ),
    (
        "swelling of the throat",
        EMERGENCY,
        f"{_FS18_MULTUM}; {_RULES_E}",
        ("throat|neck + @SWELL",),
        ("swelling of the throat", "swollen throat", "throat swelling", "my neck is swelling up"),
    ),
    (
        "hives",
        EMERGENCY,
        f"{_LEADS}; {_FS18_MULTUM}; {_RULES_E}; {_FS20_E}",
        ("hive|hives|welt|welts|wheal|urticaria|nettle", "raised + bump|lump|blotch|patch|mark"),
        ("hives", "welts", "urticaria", "nettle rash", "raised red bumps all over"),
    ),
    (
        "anaphylaxis",
        EMERGENCY,
        f"{_LEADS}; {_FS18}; {_FS20_E} (hypersensitivity)",
        (
            "anaphylaxis|anaphylactic|anaphylactoid|epipen|epinephrine|adrenaline",
            "allergic|allergy + severe|serious|shock|major|massive|extreme|bad",
        ),
        ("anaphylaxis", "anaphylactic shock", "severe allergic reaction", "had to use my epipen"),
    ),
    (
        "fainting",
        EMERGENCY,
        f"{_RULES_E}; {_FS18} (dizziness/faint with allergy)",
        (
            "faint|fainting|fainted|faintness|syncope|unconscious|collapse|collapsed|blackout",
            "pass|passed|passing > out",
            "black > out",
            "consciousness|conscious + lose|lost|loss|losing|barely",
            "keel > over",
        ),
        (
            "fainting",
            "fainted",
            "passed out",
            "passing out",
            "I collapsed",
            "blacked out",
            "lost consciousness",
            "feel faint",
        ),
    ),
    (
        "seizure",
        EMERGENCY,
        f"{_GUIDE} (a seizure is not in the fact sheet; general emergency triage)",
        ("seizure|convulsion|convulse|epileptic|epilepsy",),
        ("seizure", "I had a seizure", "convulsions", "an epileptic fit"),
    ),
    # --- serious: contact your doctor right away -----------------------------------
    (
        "allergic reaction",
        SERIOUS,
        f"{_FS18} (allergy); {_LEAFLET_W}; {_FS20_E} (hypersensitivity)",
        ("allergic|allergy|hypersensitivity|reaction",),
        ("allergic reaction", "allergies", "I think I'm allergic", "had a reaction"),
    ),
    (
        "itching",
        SERIOUS,
        f"{_FS18} (itching); {_LEAFLET_W}",
        ("itch|itchy|itching|itchiness|pruritus|pruritis",),
        ("itching", "itchy", "itchy skin", "I'm itching all over"),
    ),
    (
        "rash",
        SERIOUS,
        f"{_FS18} (rash); {_LEAFLET_W}",
        ("rash|blotch|blotchy|breakout", "spot + red|raised|itchy|angry"),
        ("rash", "skin rash", "a rash on my arms", "red spots on my skin"),
    ),
    (
        "paralysis",
        SERIOUS,
        f"{_LEAFLET_W}; {_FS20_S}",
        (
            "paralysis|paralysed|paralyzed|paralyse|paralyze|paralytic|palsy",
            "move + cannot",
        ),
        ("paralysis", "paralysed", "can't move my arm"),
    ),
    (
        "bleeding at the injection site",
        SERIOUS,
        f"{_LEAFLET_W}; {_FS20_S} (injection site haemorrhage)",
        (
            "bleed|bleeding|bled|haemorrhage|hemorrhage",
            "blood + ooze|leak|drip|come|coming|@SITE",
        ),
        ("bleeding at the injection site", "bleeding", "the injection site bled", "blood oozing"),
    ),
    (
        "generalized weakness",
        SERIOUS,
        f"{_FS1} (generalized muscle weakness, asthenia); {_RULES_S}; {_FS20_S}",
        (
            # Bare "weakness" is serious on purpose: a patient cannot tell the
            # label's generalized weakness from a local one. Only weakness placed
            # at the injection site (a common entry below) is common.
            "weak|weakness|weaken|weakened|asthenia|feeble|floppy|strength|energy",
            "leg|arm|limb|knee + give|gave|buckle|jelly|wobble|wobbly|useless|heavy|work|working",
            "lift|grip|walk|walking|climb + @DIFFICULTY",
            "head|neck + @HOLD_UP",
        ),
        (
            "generalized weakness",
            "unusual weakness",
            "weak all over",
            "weak legs",
            "my legs gave way",
            "no strength",
            "can't hold my head up",
            "trouble walking",
        ),
    ),
    (
        "drooping eyelids",
        SERIOUS,
        f"{_FS1} (ptosis); {_RULES_S}",
        (
            "ptosis|droop|droopy|drooping",
            "eyelid|lid|eye|brow|eyebrow + sag|heavy|hang|fall|drop|dropping|lower|lazy|close|shut"
            "|half|open",
        ),
        (
            "drooping eyelids",
            "eyelid droop",
            "droopy eyelid",
            "ptosis",
            "my eyelid is hanging down",
            "can't open my eye fully",
        ),
    ),
    (
        "double or blurred vision",
        SERIOUS,
        f"{_FS1} (diplopia; blurred vision in the Xeomin and Myobloc boxes); {_RULES_S}",
        (
            "vision|sight|diplopia|blur|blurry|blurred",
            "see|seeing + @DIFFICULTY|double|spot|star|flash",
            "double|fuzzy|hazy + @VISION_WORDS",
            "focus + @DIFFICULTY|eye",
        ),
        (
            "double vision",
            "blurred vision",
            "blurry vision",
            "seeing double",
            "vision problems",
            "trouble seeing",
            "everything is blurry",
        ),
    ),
    (
        "hoarseness",
        SERIOUS,
        f"{_FS1} (dysphonia); {_RULES_S}",
        ("hoarse|hoarseness|raspy|croaky|husky|dysphonia|voice|voiceless|laryngitis",),
        ("hoarseness", "hoarse voice", "lost my voice", "my voice has changed", "raspy"),
    ),
    (
        "loss of bladder control",
        SERIOUS,
        f"{_FS1} (urinary incontinence); {_RULES_S}",
        (
            "incontinence|incontinent|bladder|enuresis",
            "wet|pee|wee|piss|urinate|leak + @WET_WHERE",
            "@URINE + @DIFFICULTY|control|hold|accident",
            "urine|urinary|pee|wee + leak|leaking|dribble|drip",
        ),
        (
            "loss of bladder control",
            "incontinence",
            "wet myself",
            "peed my pants",
            "can't hold my urine",
            "bladder leaking",
        ),
    ),
    # --- common: usually goes away; tell the doctor if bothersome or lasting ------
    (
        "anxiety",
        COMMON,
        _LEAFLET,
        (
            "anxiety|anxious|nervous|nervousness|panic|panicky|panicked|jitters|jittery|worry|worried|restless|uneasy",
        ),
        ("anxiety", "anxious", "feeling nervous", "a bit jittery"),
    ),
    (
        "muscle weakness at the injection site",
        COMMON,
        _LEAFLET,
        ("weak|weakness|weaken|weakened + @LOCAL",),
        (
            "muscle weakness at the injection site",
            "weakness at injection site",
            "weak where injected",
            "muscle feels weak around the injection site",
        ),
    ),
    (
        "back pain",
        COMMON,
        _LEAFLET,
        (
            "backache|lumbago|sciatica",
            "back + @PAIN|stiff|stiffness|spasm|twinge|achy|aching",
        ),
        ("back pain", "backache", "my back hurts", "sore back"),
    ),
    (
        "upset stomach",
        COMMON,
        f"{_LEAFLET}; fact sheet #20 (MedDRA routine: dyspepsia)",
        (
            "stomach|tummy|belly|abdomen|abdominal|indigestion|dyspepsia|heartburn|reflux"
            "|bloat|bloated|bloating|cramp",
        ),
        ("upset stomach", "stomach ache", "indigestion", "tummy upset"),
    ),
    (
        "dizziness",
        COMMON,
        f"{_LEAFLET} (the issue keeps plain dizziness common; fainting is an emergency)",
        (
            "dizzy|dizziness|lightheaded|lightheadedness|vertigo|woozy|giddy|unsteady|balance",
            "light > head|headed",
            "spin|spinning + room|head|everything",
        ),
        ("dizziness", "dizzy", "light headed", "the room is spinning"),
    ),
    (
        "sweating",
        COMMON,
        _LEAFLET,
        ("sweat|sweating|sweaty|perspire|perspiring|perspiration|hyperhidrosis|clammy",),
        ("sweating", "sweaty", "night sweats", "hyperhidrosis"),
    ),
    (
        "drowsiness",
        COMMON,
        _LEAFLET,
        (
            "drowsy|drowsiness|sleepy|sleepiness|somnolence|tired|tiredness|fatigue|fatigued"
            "|exhausted|exhaustion|lethargic|lethargy|groggy",
        ),
        ("drowsiness", "drowsy", "sleepy", "tired all the time", "fatigue"),
    ),
    (
        "light sensitivity",
        COMMON,
        _LEAFLET,
        (
            "photophobia|glare",
            "light + sensitive|sensitivity|bother|hurt|bright|harsh|squint",
        ),
        ("light sensitivity", "sensitive to light", "bright light hurts", "photophobia"),
    ),
    (
        "dry eyes",
        COMMON,
        _LEAFLET,
        ("eye + dry|gritty|sandy",),
        ("dry eyes", "dry eye", "my eyes feel gritty"),
    ),
    (
        "runny nose",
        COMMON,
        f"{_LEAFLET}; {_FS19} (upper respiratory infection)",
        (
            "rhinorrhea|rhinorrhoea|sniffle|sniffles|snotty|sneeze|sneezing",
            "nose + runny|run|running|drip|drippy|stream|streaming|stuffy|blocked|congested",
        ),
        ("runny nose", "nose is running", "sniffles", "rhinorrhoea"),
    ),
    (
        "dry mouth",
        COMMON,
        _LEAFLET,
        ("mouth + dry|parched|cotton", "xerostomia|thirst|thirsty"),
        ("dry mouth", "mouth feels dry", "thirsty"),
    ),
    (
        "injection site tenderness",
        COMMON,
        _LEAFLET,
        ("tender|tenderness", "@PAIN|bruise|bruising|bruised + @SITE"),
        (
            "injection site tenderness",
            "sore at the injection site",
            "tender where injected",
            "pain at the injection site",
            "bruising at the injection site",
        ),
    ),
    (
        "flu-like symptoms",
        COMMON,
        f"{_LEAFLET}; fact sheet #10 (4 % flu-like reaction)",
        (
            "flu|influenza|fever|feverish|chill|chills|shiver|shivery|temperature|achy|ache"
            "|aches|cold",
        ),
        ("flu-like symptoms", "flu like", "feverish", "aches and chills"),
    ),
    (
        "neck pain",
        COMMON,
        _FS19,
        ("neck + @PAIN|stiff|stiffness|achy|aching",),
        ("neck pain", "stiff neck", "my neck hurts"),
    ),
    (
        "swelling",
        COMMON,
        f"{_LEAFLET} (swelling anywhere else than face, mouth, lips, tongue or throat)",
        ("@SWELL",),
        ("swelling", "swollen", "swelling at the injection site", "swollen ankles"),
    ),
    (
        "headache",
        COMMON,
        f"{_LEAFLET}; {_FS19}",
        ("headache|migraine", "head + @PAIN|pound|pounding|splitting"),
        ("headache", "headaches", "my head hurts", "pounding head"),
    ),
    (
        "redness",
        COMMON,
        _LEAFLET,
        ("red|redness|reddish|reddened|erythema|flush|flushed|flushing",),
        ("redness", "red skin", "flushed", "erythema"),
    ),
    (
        "increased cough",
        COMMON,
        _LEAFLET,
        ("cough|coughing",),
        ("increased cough", "cough", "coughing a lot"),
    ),
    (
        "nausea",
        COMMON,
        _LEAFLET,
        (
            "nausea|nauseous|nauseated|nauseate|nauseating|queasy|sick|vomit|vomiting|puke|retch",
            "throw|threw > up",
        ),
        ("nausea", "nauseous", "feeling sick", "threw up", "queasy"),
    ),
)
