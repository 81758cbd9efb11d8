"""The 0-3 "how often, over the last 2 weeks" options shared by the PHQ and GAD-7 screeners."""

from longtide.outcomes.instruments.definition import choices

OPTIONS = choices("Not at all", "Several days", "More than half the days", "Nearly every day")
STEM = "Over the last 2 weeks, how often have you been bothered by the following problems?"
RECALL = "last 2 weeks"
