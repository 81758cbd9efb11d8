import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "longtide.settings")
application = get_wsgi_application()

from longtide.checks.production import production_configuration  # noqa: E402

# gunicorn does not run Django's system checks, so a production server checks here and refuses
# to start with an unsafe configuration rather than serve with it.
if problems := [p for p in production_configuration() if p.is_serious()]:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("\n".join(f"{p.id}: {p.msg} {p.hint}" for p in problems))
