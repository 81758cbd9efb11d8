import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "longtide.settings")
application = get_wsgi_application()


def load_what_django_loads_on_first_use() -> None:
    """Load now, in each server process before it answers anyone, what Django otherwise loads while
    answering the first requests: gunicorn imports this module in each worker at start-up.

    - The URLconf: every URL module, the views and the API (~1.8 s of CPU). Left to the first
      request, it makes that request take seconds, and a burst of requests right after a start
      (a deploy, a worker restarted) waits behind it.
    - The resolver's reverse lookups (~0.16 s), for the first page or message that names an address.
    - The email validator's regular expressions: its domain rule (Unicode ranges) costs ~40 ms to
      compile, paid by the first booking each worker answers, and twice when both threads of a
      gthread worker reach it at once (Django's lazy regex has no lock).
    """
    from django.core.validators import EmailValidator
    from django.urls import get_resolver

    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018  (a cached property: imports the URL modules)
    resolver.reverse_dict  # noqa: B018  (populates the reverse lookups for the default language)
    for lazy in (EmailValidator.user_regex, EmailValidator.domain_regex, EmailValidator.literal_regex):
        lazy.pattern  # noqa: B018  (touching the lazy object compiles it)


load_what_django_loads_on_first_use()

from longtide.checks.production import production_configuration  # noqa: E402

# gunicorn does not run Django's system checks, so a production server checks here and refuses
# to start with an unsafe configuration rather than serve with it.
if problems := [p for p in production_configuration() if p.is_serious()]:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("\n".join(f"{p.id}: {p.msg} {p.hint}" for p in problems))
