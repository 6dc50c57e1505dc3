"""WhiteNoise serves every file of STATIC_ROOT: the manifest of the hashed names (staticfiles.json, the list
of every static file) is kept beside it, not in it, and the pages still get the hashed names."""

import json

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.http import HttpResponseNotFound
from django.test import RequestFactory, override_settings
from whitenoise.middleware import WhiteNoiseMiddleware

from cnfs.settings import base


@pytest.fixture
def collected(tmp_path):
    """collectstatic with the production storage, in a STATIC_ROOT of the test's own (the project's files)."""
    root = tmp_path / "staticfiles"
    with override_settings(
        STATIC_ROOT=root,
        STORAGES={**base.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}},
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
    ):
        call_command("collectstatic", "--noinput", "--verbosity", "0")
        yield root


def _served(path: str):
    """What WhiteNoise, as in production, answers for `path`."""
    middleware = WhiteNoiseMiddleware(lambda request: HttpResponseNotFound())
    return middleware(RequestFactory().get(path))


def test_the_manifest_is_not_in_the_served_folder(collected):
    assert not (collected / "staticfiles.json").exists()
    manifest = collected.parent / "staticfiles-manifest" / "staticfiles.json"
    assert "css/cnfs.css" in json.loads(manifest.read_text())["paths"]
    assert _served("/static/staticfiles.json").status_code == 404


def test_pages_still_get_the_hashed_names(collected):
    url = staticfiles_storage.url("css/cnfs.css")

    assert url.startswith("/static/css/cnfs.") and url != "/static/css/cnfs.css"
    response = _served(url)
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]  # WhiteNoise knows the name is hashed
    response.file_to_stream.close()  # not response.close(): it would signal the end of a request


def test_a_manifest_left_in_the_served_folder_by_an_earlier_version_is_removed(tmp_path):
    stale = tmp_path / "staticfiles" / "staticfiles.json"
    stale.parent.mkdir()
    stale.write_text('{"paths": {}, "version": "1.1"}')
    with override_settings(
        STATIC_ROOT=stale.parent,
        STORAGES=base.STORAGES,
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
    ):
        call_command("collectstatic", "--noinput", "--verbosity", "0")

    assert not stale.exists()
