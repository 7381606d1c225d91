"""The invented words casework's demo data is made of (casework.demo): names, streets,
towns, the demo teams' people, criteria, notes, activities, professionals and schools. None is
a real person's."""

from __future__ import annotations

CHILDREN = 1500

FIRST_NAMES = [
    "Amelia",
    "Oliver",
    "Isla",
    "George",
    "Ava",
    "Noah",
    "Mia",
    "Arthur",
    "Ivy",
    "Leo",
    "Freya",
    "Oscar",
    "Lily",
    "Harry",
    "Florence",
    "Jack",
    "Evie",
    "Theo",
    "Rosie",
    "Finley",
    "Aisha",
    "Mohammed",
    "Zara",
    "Ibrahim",
    "Maya",
    "Yusuf",
    "Priya",
    "Arjun",
    "Chloe",
    "Kai",
    "Ella",
    "Reuben",
    "Sofia",
    "Tomasz",
    "Hana",
    "Kofi",
    "Niamh",
    "Callum",
    "Esme",
    "Rhys",
]
LAST_NAMES = [
    "Ashworth",
    "Bramley",
    "Cartwright",
    "Dunmore",
    "Ellerby",
    "Fairbairn",
    "Greenhalgh",
    "Hollins",
    "Ingleby",
    "Jessop",
    "Kettering",
    "Lowther",
    "Marsden",
    "Northcott",
    "Oakley",
    "Pennington",
    "Quarrie",
    "Rowntree",
    "Sowerby",
    "Thackeray",
    "Underwood",
    "Varley",
    "Whitfield",
    "Yardley",
    "Okafor",
    "Nowak",
    "Begum",
    "Hussain",
    "Patel",
    "Mensah",
    "Kowalski",
    "O'Neill",
    "MacLeod",
    "Evans",
    "Chen",
    "Da Silva",
    "Achterberg",
    "Farrow",
]
STREETS = [
    "Mill Lane",
    "Church Street",
    "Station Road",
    "Orchard Close",
    "Meadow Way",
    "High Street",
    "Chapel Row",
    "Beech Avenue",
    "Quarry Road",
    "Willow Court",
    "Harbour View",
    "Fenside",
]
TOWNS = {
    "north": ("Northbrook", "NB"),
    "south": ("Southmere", "SM"),
    "east": ("Eastfield", "EF"),
    "west": ("Westcombe", "WC"),
    "central": ("Ashby", "AB"),
    "coast": ("Saltcoast", "SC"),
}
# Each team covers localities.
TEAM_LOCALITIES = {
    "North team": ["north", "central"],
    "South team": ["south"],
    "East team": ["east", "coast"],
    "West team": ["west"],
}
# Extra demo practitioners: (first, last, team).
DEMO_PRACTITIONERS = [
    ("Sam", "Okoro", "North team"),
    ("Jo", "Whitaker", "North team"),
    ("Nadia", "Rahman", "South team"),
    ("Tom", "Ellison", "South team"),
    ("Grace", "Adeyemi", "South team"),
    ("Ben", "Harrow", "East team"),
    ("Lucy", "Marsh", "East team"),
    ("Omar", "Siddiqui", "East team"),
    ("Hannah", "Price", "West team"),
    ("Dev", "Mistry", "West team"),
    ("Ruth", "Kemp", "West team"),
]
DEMO_MANAGERS = [
    ("Alan", "Forsyth", "South team"),
    ("Bea", "Lindqvist", "East team"),
    ("Carl", "Duffy", "West team"),
]

DEMO_CRITERIA = [
    ("targeted", "The child or young person is aged 0 to 25 and lives in the county", 10),
    (
        "targeted",
        "The child has a disability or additional need that has a substantial and "
        "long-term effect on day-to-day life",
        20,
    ),
    ("targeted", "The child is on the disability register or has an EHC plan", 30),
    ("targeted", "The child needs support to take part in universal activities", 40),
    (
        "specialist",
        "The child has complex or severe needs that cannot be met by universal "
        "or targeted services alone",
        10,
    ),
    (
        "specialist",
        "The child needs a high level of personal care or supervision, day or night",
        20,
    ),
    ("specialist", "The family is at risk of breakdown without a break from caring", 30),
    (
        "specialist",
        "A child and family assessment has identified a need for specialist short breaks",
        40,
    ),
]

CARER_NEEDS = [
    "Works part time; struggles with sleep because the child wakes at night.",
    "Has a long-term health condition (back injury) that makes lifting hard.",
    "Single parent caring for three children.",
    "Would like time to attend a college course one evening a week.",
    "Finds school holidays very hard without support.",
    "",
    "",
]
NOTE_SUMMARIES = {
    "visit": ["Home visit", "Visit to school", "Visit to short-break setting"],
    "phone": ["Call with parent", "Call from school SENCo", "Call with GP surgery"],
    "meeting": ["Team around the family meeting", "EHC annual review", "Planning meeting"],
    "email": ["Email from provider", "Email to parent with information"],
    "note": ["Case summary updated", "Management oversight", "Information received"],
}
NOTE_BODIES = [
    "Discussed how the family is managing and what would help over the holidays.",
    "Child was settled and engaged well; enjoyed the sensory room and swimming.",
    "Parent reported sleep is still disrupted; agreed to look at overnight options.",
    "School report good progress with communication using a picture exchange system.",
    "Provider confirmed a place on the Saturday club from next month.",
    "Agreed actions: practitioner to send information on the Local Offer and carers' support.",
]
ACTIVITIES = [
    "Saltcoast Sailing Club – inclusive Saturday sessions",
    "Northbrook Leisure Centre – SEND swimming",
    "Eastfield Youth Club – Thursday evening group",
    "Westcombe Play Scheme – school holiday days",
    "Ashby Arts – sensory music workshops",
    "Southmere Scouts – inclusive group",
]
PROFESSIONALS = [
    ("GP", "Northbrook Medical Practice"),
    ("Class teacher", "Meadow Way Primary School"),
    ("SENCo", "Ashby Academy"),
    ("Speech and language therapist", "County Community Health"),
    ("Paediatrician", "County Hospital"),
    ("Occupational therapist", "County Community Health"),
    ("Health visitor", "County Community Health"),
]
SCHOOLS = [
    "Meadow Way Primary School",
    "Ashby Academy",
    "Fenside Special School",
    "Saltcoast Primary School",
    "Northbrook High School",
    "Westcombe College",
    "Little Acorns Nursery",
    "Southmere Special School",
]
