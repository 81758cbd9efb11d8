"""A server process loads what Django otherwise loads while answering its first requests (the
URLconf with every view and the API, the reverse lookups, the email validator's regular
expressions) when it loads the WSGI application (longtide/wsgi.py)."""

import json
import subprocess
import sys

CHECK = """
import json, sys
import django
django.setup()
from django.core.validators import EmailValidator
from django.urls import get_resolver
from django.utils.functional import empty
from django.utils.translation import get_language

def state():
    resolver = get_resolver()
    return {
        "urlconf": "url_patterns" in resolver.__dict__,
        "api": "longtide.api.v1" in sys.modules,
        "reverse": get_language() in resolver._reverse_dict,
        "email": [
            r._wrapped is not empty
            for r in (EmailValidator.user_regex, EmailValidator.domain_regex, EmailValidator.literal_regex)
        ],
    }

before = state()
import longtide.wsgi  # noqa: F401
print(json.dumps([before, state()]))
"""


def test_loading_the_wsgi_application_loads_what_the_first_requests_would() -> None:
    # A fresh interpreter: this test process has answered requests already.
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120, check=True)
    before, after = json.loads(done.stdout.strip().splitlines()[-1])
    nothing = {"urlconf": False, "api": False, "reverse": False, "email": [False, False, False]}
    everything = {"urlconf": True, "api": True, "reverse": True, "email": [True, True, True]}
    assert (before, after) == (nothing, everything), done.stderr
