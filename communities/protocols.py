"""Planning protocols kept as data: a team plan started from one gets its steps.

The EL Roadmap's local planning steps are seed 001's (a)-(f), in its own words.
"""

EL_ROADMAP_TITLE = "EL Roadmap local planning"
EL_ROADMAP_DESCRIPTION = (
    "The planning steps EL RISE! used with LEA teams to move the California English Learner Roadmap: "
    "each team of leaders builds a locally designed implementation plan, step by step, and reviews "
    "it with the network once or twice a year."
)
EL_ROADMAP_STEPS = [
    (
        "Journey map",
        "Jointly construct a Journey Map looking back on your district's history of work to improve "
        "EL education.",
    ),
    (
        "Current issues, with local data",
        "Identify the key EL issues “on your plates” currently, including a look at your local data.",
    ),
    (
        "Crosswalk to the four principles",
        "Crosswalk these issues and concerns, and your local efforts, to the four principles of the "
        "EL Roadmap.",
    ),
    (
        "Inquiries",
        "Design inquiries to build shared understanding of the status and issues in current practices.",
    ),
    ("Strategic approaches", "Consider strategic implementation approaches."),
    ("Action planning", "Explore steps for moving forward, and plan your actions."),
]


def ensure_el_roadmap(PlanTemplate, PlanTemplateStep):
    """Create the EL Roadmap protocol if it is missing (models passed in: usable from a migration)."""
    template, created = PlanTemplate.objects.get_or_create(
        title=EL_ROADMAP_TITLE, defaults={"description": EL_ROADMAP_DESCRIPTION}
    )
    if created:
        PlanTemplateStep.objects.bulk_create(
            PlanTemplateStep(template=template, position=i, title=title, guidance=guidance)
            for i, (title, guidance) in enumerate(EL_ROADMAP_STEPS, start=1)
        )
    return template
