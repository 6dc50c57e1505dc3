import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnfs.settings.dev")
# Read by the settings: a web process gets the statement timeout (WEB_STATEMENT_TIMEOUT_MS).
os.environ["CNFS_WEB"] = "1"

application = get_wsgi_application()
