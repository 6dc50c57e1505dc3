"""The storage of the static files in production."""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's hashed and compressed files, their manifest (staticfiles.json) kept beside STATIC_ROOT in
    `<STATIC_ROOT>-manifest/`: WhiteNoise serves every file of STATIC_ROOT, and the manifest, the list of all
    static files, is no business of the public."""

    def __init__(self, location=None, *args, **kwargs):
        root = Path(location or settings.STATIC_ROOT)
        manifest_storage = FileSystemStorage(location=root.with_name(f"{root.name}-manifest"))
        super().__init__(location, *args, manifest_storage=manifest_storage, **kwargs)

    def save_manifest(self):
        super().save_manifest()
        # The one an earlier version left in STATIC_ROOT would stay served: collectstatic keeps old files.
        if self.exists(self.manifest_name):
            self.delete(self.manifest_name)
