"""Outcomes in the database: care episodes, questionnaire answers, headache-diary days, the
client's questionnaire links, and what the pages and the API read from them (docs/outcomes.md,
"The Django layer"). The arithmetic stays in the pure `longtide.outcomes` package."""
