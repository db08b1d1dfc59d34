"""The default instruments, version 1 of each key: questions written for educators."""

from django.utils import timezone

USEFUL = ("likert", "What I learned is useful for my work with adult learners.")
CLEAR = ("likert", "The facilitators explained the ideas and activities clearly.")
WILL_USE = ("text", "What will you use first, and with whom?")
CHANGE = ("text", "What would you change to make it better for the next group?")

INSTRUMENTS = [
    {
        "key": "institute-end",
        "title": "How was the institute?",
        "intro": "You have finished the institute. Your answers help the coordinators and facilitators"
        " shape the next one. It takes about five minutes.",
        "anonymous": True,
        "questions": [
            USEFUL,
            CLEAR,
            ("likert", "I feel ready to facilitate this module with colleagues at my agency."),
            ("likert", "The materials and handouts will be easy to use in my own training."),
            (
                "multiple",
                "Which parts will you use?",
                [
                    "The activities",
                    "The handouts and slides",
                    "The facilitation strategies",
                    "The agenda as a whole",
                ],
            ),
            ("quote", "What will you take back to your agency or classroom?"),
            CHANGE,
        ],
    },
    {
        "key": "institute-session",
        "title": "How was this session?",
        "intro": "A quick look back at yesterday's session: two minutes, and it helps the next sessions.",
        "anonymous": True,
        "questions": [
            USEFUL,
            CLEAR,
            ("single", "The pace of the session was", ["Too slow", "About right", "Too fast"]),
            ("quote", "What is one thing you will try from this session?"),
            ("text", "What could make the next session better?"),
        ],
    },
    {
        "key": "turnkey-post",
        "title": "How was the training?",
        "intro": "Thank you for taking part. Your answers go to the trainer and the program, and help"
        " them make the training better. It takes about five minutes.",
        "anonymous": True,
        "questions": [
            USEFUL,
            ("likert", "The trainer explained the ideas and activities clearly."),
            ("likert", "I am ready to use what I learned with my learners."),
            ("quote", "What will you use from this training?"),
            CHANGE,
        ],
    },
    {
        "key": "community-event",
        "title": "How was the event?",
        "intro": "Thank you for joining your community's event. Two minutes of your thoughts help the"
        " facilitators plan the next one.",
        "anonymous": True,
        "questions": [
            USEFUL,
            CLEAR,
            ("single", "Would you come to another event like this one?", ["Yes", "Maybe", "No"]),
            ("quote", "What will you try with your learners or colleagues?"),
            ("text", "What topic would you like a future event to take up?"),
        ],
    },
    {
        "key": "follow-up-90",
        "title": "Three months on: have you used what you learned?",
        "intro": "About three months ago you took part in a training. We would like to know whether and"
        " how you have applied it, and what would help you use it more.",
        "anonymous": False,
        "valid_days": 45,
        "questions": [
            (
                "single",
                "Since the training, have you applied what you learned?",
                ["Yes, regularly", "Yes, once or twice", "Not yet, but I plan to", "No"],
            ),
            (
                "multiple",
                "How have you used it?",
                [
                    "In my classes",
                    "In planning lessons",
                    "Shared it with colleagues",
                    "In a training I led",
                    "In my implementation plan",
                ],
                False,
            ),
            ("likert", "What I learned has made a difference for my learners."),
            ("quote", "Tell us how you applied it, or what got in the way."),
            ("text", "What support would help you use it more?"),
        ],
    },
]


def create_defaults(Instrument, Question) -> None:
    """Version 1 of each default instrument, published, unless it exists (the models are passed in:
    the data migration hands over its historical ones)."""
    now = timezone.now()
    for spec in INSTRUMENTS:
        instrument, created = Instrument.objects.get_or_create(
            key=spec["key"],
            version=1,
            defaults={
                "title": spec["title"],
                "intro": spec["intro"],
                "anonymous": spec["anonymous"],
                "valid_days": spec.get("valid_days", 30),
                "published_at": now,
            },
        )
        if not created:
            continue
        for position, (kind, prompt, *rest) in enumerate(spec["questions"], start=1):
            Question.objects.create(
                instrument=instrument,
                position=position,
                kind="text" if kind == "quote" else kind,
                prompt=prompt,
                choices=rest[0] if rest else [],
                required=rest[1] if len(rest) > 1 else kind in ("likert", "single"),
                quotable=kind == "quote",
            )
