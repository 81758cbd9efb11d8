"""Short citations shared by several instruments (full references in docs/outcomes.md)."""

FARRAR_2001 = (
    "Farrar JT et al. Clinical importance of changes in chronic pain intensity measured on an 11-point "
    "numerical pain rating scale. Pain 2001;94:149-158."
)
IMMPACT_2008 = (
    "Dworkin RH et al. Interpreting the clinical importance of treatment outcomes in chronic pain clinical "
    "trials: IMMPACT recommendations. J Pain 2008;9:105-121."
)
KROENKE_2001 = "Kroenke K, Spitzer RL, Williams JBW. The PHQ-9. J Gen Intern Med 2001;16:606-613."
SPITZER_2006 = (
    "Spitzer RL et al. A brief measure for assessing generalized anxiety disorder: the GAD-7. "
    "Arch Intern Med 2006;166:1092-1097."
)
KROENKE_2009 = (
    "Kroenke K et al. An ultra-brief screening scale for anxiety and depression: the PHQ-4. "
    "Psychosomatics 2009;50:613-621."
)
PHQ_FREE = "PHQ and GAD-7 screeners (Pfizer): no permission required to reproduce, translate, display or distribute."
SACCO_2025 = (
    "Sacco S et al. Setting higher standards for migraine prevention: a position statement of the "
    "International Headache Society. Cephalalgia 2025;45. doi:10.1177/03331024251320608"
)
TASSORELLI_2018 = (
    "Tassorelli C et al. Guidelines of the International Headache Society for controlled trials of "
    "preventive treatment of migraine attacks in episodic migraine in adults. Cephalalgia 2018;38:815-832."
)
