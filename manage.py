#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "longtide.settings")
    import django
    from django.conf import settings
    from django.core.management import execute_from_command_line

    django.setup()
    # A bare clone has no data folder yet (as in `longtide`'s commands): SQLite lives there, and
    # Django's checks open the database even for `makemigrations --check`.
    os.makedirs(settings.DATA_DIR, exist_ok=True)
    execute_from_command_line(sys.argv)
