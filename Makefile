# Les cibles de ce Makefile documentent la façon de travailler sur le projet.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# The links of the e-mails the demo sends lead to the address it serves on, unless SITE_URL says otherwise.
RUNSERVER := SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(MANAGE) runserver $(HOST):$(PORT)

.DEFAULT_GOAL := help
.PHONY: help install lock demo demo-proconnect serve migrate test test-fast test-long test-browser captures quality format worker beat bench charge clean

help: ## Affiche cette aide
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The locked requirements, with their hashes: production (the Docker image), development (+ the dev extra).
REQUIREMENTS := requirements/prod.txt requirements/dev.txt
# The pins already in the files are kept (UPGRADE=1 moves them); no index or find-links of this machine.
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe \
	--strip-extras --no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade)

# --no-deps: the file already holds every dependency (pip check verifies it); and the pip of a new venv
# (23.2 with Python 3.11) fails to match an extra, such as weasyprint's fonttools[woff], to its hashed pin.
$(VENV)/.installed: $(REQUIREMENTS) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/dev.txt
	$(BIN)/python -m pip check
	touch $@

install: $(VENV)/.installed ## Crée l'environnement virtuel et installe les dépendances verrouillées (développement)

# Development is constrained by production, so that a package shared by both has the same version in both.
lock: install ## Régénère requirements/*.txt depuis pyproject.toml (UPGRADE=1 : versions mises à jour)
	$(PIP_COMPILE) --output-file requirements/prod.txt pyproject.toml
	$(PIP_COMPILE) --extra dev --constraint requirements/prod.txt --output-file requirements/dev.txt pyproject.toml

migrate: install ## Applique les migrations
	$(MANAGE) migrate --noinput

demo: migrate ## Installe, migre, charge les données de démonstration et sert le site sur http://127.0.0.1:8000
	$(MANAGE) seed_demo
	$(RUNSERVER)

# The local provider (tests/fournisseur_proconnect.py) runs beside the site and stops with it; the demo
# accounts appear on its page with one click (docs/authentification.md).
PROCONNECT_PORT ?= 8765
demo-proconnect: migrate ## Comme make demo, avec un ProConnect local (http://127.0.0.1:8765) et son bouton
	$(MANAGE) seed_demo
	AUTHLIB_INSECURE_TRANSPORT=1 $(BIN)/python -m tests.fournisseur_proconnect --port $(PROCONNECT_PORT) & \
	trap "kill $$!" EXIT INT TERM; \
	PROCONNECT_DOMAIN=http://127.0.0.1:$(PROCONNECT_PORT)/api/v2 PROCONNECT_CLIENT_ID=cnfs-demo \
	PROCONNECT_CLIENT_SECRET=demo $(RUNSERVER)

serve: install ## Sert le site sans recharger les données
	$(RUNSERVER)

# Les tests se répartissent entre les cœurs (pytest-xdist, une base de test par processus) ; ceux qui
# partagent une ressource hors de leur base en prennent une par processus (ports libres, base Redis).
TEST_WORKERS ?= auto
PYTEST_XDIST := $(BIN)/pytest -n $(TEST_WORKERS)

test: install ## Lance toute la suite de tests (hors navigateur), répartie sur les cœurs
	$(PYTEST_XDIST)

test-fast: install ## Lance la suite sans les tests lents (gunicorn, worker Celery, PostgreSQL privé, pg_dump)
	$(PYTEST_XDIST) -m "not browser and not slow"

test-long: install ## Lance toute la suite avec beaucoup plus d'exemples Hypothesis (profil « long »)
	HYPOTHESIS_PROFILE=long $(PYTEST_XDIST)

test-browser: install ## Lance les tests dans le navigateur (Chromium de Debian + axe-core)
	$(BIN)/pytest -m browser

# Not a test: the file is named on the command line (pytest collects only test_*.py by itself).
captures: install ## Régénère les captures d'écran des pages principales (1280 et 360 px) dans docs/captures/
	$(BIN)/pytest -m browser -p no:cacheprovider tests/browser/captures.py

quality: install ## Vérifie le style (ruff, djlint), les couches (import-linter) et l'absence de migration manquante
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/djlint templates --lint
	DJANGO_SETTINGS_MODULE=cnfs.settings.test $(MANAGE) makemigrations --check --dry-run
	REDIS_URL=redis://127.0.0.1:6379/0 SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') ALLOWED_HOSTS=pilotage.example.org DJANGO_SETTINGS_MODULE=cnfs.settings.prod $(MANAGE) check --deploy --fail-level WARNING

format: install ## Formate le code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Un worker pour les deux files : « celery » (recalculs des statistiques, e-mails) et « exports » (fichiers
# en arrière-plan). En production, un worker par file (docker-compose.yml) : un export ne retarde aucun recalcul.
worker: install ## Lance un worker Celery sur les files celery et exports (REDIS_URL ou CELERY_BROKER_URL requis)
	$(BIN)/celery -A cnfs worker -Q celery,exports --loglevel=INFO

beat: install ## Lance l'ordonnanceur Celery beat
	$(BIN)/celery -A cnfs beat --loglevel=INFO

bench: install ## Mesure statistiques, exports, charge HTTP et import_v1 sur PostgreSQL avec 5 millions de CRA (BENCH_PARTS, BENCH_CRAS, BENCH_IMPORT_CRAS)
	$(BIN)/python -m bench

charge: install ## Charge HTTP courte (gunicorn, worker Celery, PostgreSQL) : celle de la CI
	$(BIN)/python -m bench charge --court

clean: ## Supprime l'environnement virtuel et la base SQLite de démonstration
	rm -rf $(VENV) db.sqlite3 staticfiles
