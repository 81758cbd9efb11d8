from django.apps import AppConfig


class SampleDataConfig(AppConfig):
    """The demo clinic and the large generated clinic: sample data, not domain code."""

    name = "longtide.sampledata"
    label = "sampledata"
