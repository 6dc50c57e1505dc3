"""The named world (tests/world.py), shared by the tests that read it, and the Hypothesis profiles."""

import copy
import os

import pytest
from django.core.cache import cache
from hypothesis import settings as hypothesis_settings

from tests.utils import StrictClient
from tests.world import SharedWorld, build_world

# The local ProConnect process and its configuration (fixtures `fournisseur_proconnect`, `proconnect`).
pytest_plugins = ["tests.proconnect"]

# Hypothesis profiles (HYPOTHESIS_PROFILE, `make test-long`): each property test asks for a number of examples
# through tests.utils.examples(), which scales it by max_examples / 100 (Hypothesis' own default). Both
# profiles inherit the one Hypothesis chose (in CI: derandomized, no example database).
hypothesis_settings.register_profile("rapide", max_examples=40)
hypothesis_settings.register_profile("long", max_examples=400)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "rapide"))

# Fixtures that make a test transactional (pytest-django): it commits, so it cannot read the shared world.
TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences"}

_reads_world_key = pytest.StashKey[bool]()
_shared_world_key = pytest.StashKey[SharedWorld]()


def _reads_shared_world(item: pytest.Item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    transactional = marker is not None and any(
        marker.kwargs.get(option) for option in ("transaction", "reset_sequences")
    )
    return "world" in names and not transactional and not names & TRANSACTIONAL_FIXTURES


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The tests reading the world first (after pytest-django's ordering): each worker builds it once.

    pytest-django runs the transactional tests last: they empty the database when they end."""
    items.sort(key=lambda item: not _reads_shared_world(item))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # Before any fixture of the test, so that its own transaction is a savepoint inside the world's.
    reads = item.config.stash[_reads_world_key] = _reads_shared_world(item)
    if shared := item.config.stash.get(_shared_world_key, None):
        shared.keep(reads)


@pytest.fixture(scope="session")
def _shared_world(request, django_db_setup, django_db_blocker):
    """The world of this process's test database, kept or rolled back before each test (above)."""
    shared = request.config.stash[_shared_world_key] = SharedWorld(django_db_blocker)
    shared.keep(request.config.stash[_reads_world_key])
    yield shared
    shared.keep(False)
    del request.config.stash[_shared_world_key]


@pytest.fixture
def world(_shared_world, db):
    if _shared_world.world is not None:
        # A copy: what a test changes on these objects stays in that test, as its rows do.
        return copy.deepcopy(_shared_world.world)
    return build_world()  # a transactional test: committed, then emptied with the rest at its end


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the public figures are cached)."""
    cache.clear()


@pytest.fixture
def client():
    """Every test client checks that the pages it gets respect the CSP (no inline script or style)."""
    return StrictClient()


@pytest.fixture
def login_as(client):
    """Logs the test client in as an account, in one of its roles (the first one when not given)."""

    def _login(user, kind=None):
        client.force_login(user)
        if kind is not None:
            session = client.session
            session["active_role_id"] = user.roles.get(kind=kind).pk
            session.save()
        return client

    return _login
