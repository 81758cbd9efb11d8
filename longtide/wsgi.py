import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "longtide.settings")
application = get_wsgi_application()


def compile_lazy_patterns() -> None:
    """Compile now, in each server process before it answers anyone, the regular expressions that
    Django compiles on first use and that every public booking needs.

    The email validator's domain rule (its Unicode ranges) costs ~40 ms of CPU to compile: without
    this, the first booking each gunicorn worker answers pays it, and pays it twice when both threads
    of a gthread worker reach it at once (Django's lazy regex has no lock). The IP-literal rule is
    compiled too, for the address that has one.
    """
    from django.core.validators import EmailValidator

    for lazy in (EmailValidator.user_regex, EmailValidator.domain_regex, EmailValidator.literal_regex):
        lazy.pattern  # noqa: B018  (touching the lazy object compiles it)


compile_lazy_patterns()

from longtide.checks.production import production_configuration  # noqa: E402

# gunicorn does not run Django's system checks, so a production server checks here and refuses
# to start with an unsafe configuration rather than serve with it.
if problems := [p for p in production_configuration() if p.is_serious()]:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("\n".join(f"{p.id}: {p.msg} {p.hint}" for p in problems))
