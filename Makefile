# The two set-up commands are `make run` and `make test`; the rest are helpers.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | md5sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install chromium pango migrate seed worker beat lint format check bench audit clean messages screenshots

$(PY):
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

migrate: export DEBUG ?= true
migrate: install
	$(PY) manage.py migrate --noinput

seed: export DEBUG ?= true
seed: migrate
	$(PY) manage.py seed_demo

run: export DEBUG ?= true
run: export DEMO_TOTP_CODE ?= 000000
run: pango seed
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install chromium pango
	$(PY) -m pytest $(PYTEST_ARGS)

# The browser tests drive Debian's Chromium (Playwright's own browser download cannot work offline).
chromium:
	@test -x "$${CHROMIUM_PATH:-/usr/bin/chromium}" || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Install Chromium first: sudo apt-get install chromium"; exit 1; fi; }

# Certificate PDFs (WeasyPrint) lay text out with Debian's Pango.
pango:
	@ldconfig -p | grep -q libpangoft2-1.0 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0; \
	  else echo "Install Pango first: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0"; exit 1; fi; }

# The README's journey pictures: the seed 000 browser journey saves one viewport shot per step
# (test-artifacts/journey-viewport/<step>.png); these seven are the README's, one per role.
SHOTS := apply-team-lead-draft:applicant supervisor-endorse-1:supervisor \
  coordinator-roster-complete:coordinator trainer-commitment-fulfilled:trainer finance-pay:finance \
  community-reply:community-member visitor-verifies:visitor
screenshots: install chromium
	$(PY) -m pytest tests/browser/test_journey_seed000.py -q
	@for pair in $(SHOTS); do \
	  cp test-artifacts/journey-viewport/$${pair%%:*}.png docs/screenshots/$${pair##*:}.png; done

worker: install
	$(VENV)/bin/celery -A portal worker --loglevel=info

beat: install
	$(VENV)/bin/celery -A portal beat --loglevel=info

lint: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

# locale/en/LC_MESSAGES/django.po (allauth's wording in sentence case) -> django.mo (committed).
messages:
	msgfmt --check-format -o locale/en/LC_MESSAGES/django.mo locale/en/LC_MESSAGES/django.po

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: install
	DEBUG=false SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=tot.example.org \
	  CREDENTIALS_SIGNING_KEY="$$($(PY) manage.py new_signing_key --pem)" \
	  SITE_URL=https://tot.example.org $(PY) manage.py check --deploy --fail-level WARNING

bench: install
	$(PY) -m pip install --quiet -e '.[test,bench]'
	@command -v wrk >/dev/null || if [ "$$(id -u)" = 0 ]; then apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }; \
	  else echo "The bench needs wrk: sudo apt-get install wrk"; exit 1; fi
	$(PY) -m bench.pages $(BENCH_ARGS)

# Known vulnerabilities in the pinned dependencies (and what they pull in), from the PyPI advisory
# data; it needs the network, so it is not part of `make test`. --strict: a pin that cannot be
# checked fails the audit rather than passing unseen.
audit: install
	$(PY) -m pip install --quiet -e '.[test,audit]'
	$(PY) -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
	  print("\n".join(p["dependencies"] + [d for k, v in p["optional-dependencies"].items() if k != "audit" for d in v]))' \
	  > $(VENV)/audit-requirements.txt
	$(VENV)/bin/pip-audit --strict --progress-spinner off --requirement $(VENV)/audit-requirements.txt

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
