# Every routine job is one target away. `make run` and `make test` do everything needed
# on a fresh clone: create .venv, install the pinned packages, build the language assets
# from the knowledge files, train if the model is missing or older than its inputs.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Rasa 3.6 runs on Python 3.10 and 3.11; prefer those when several are installed.
PYTHON ?= $(shell scripts/find-python.sh)
VENV := .venv
BIN := $(VENV)/bin
RASA := $(BIN)/rasa

# Offline machines: telemetry would stall retrying. Quieter TensorFlow start-up logs.
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

INSTALLED := $(VENV)/.installed
LANGUAGE_ASSETS := build/.language-assets
MODEL := models/careers.tar.gz
KNOWLEDGE := $(wildcard knowledge/*.yml)
TRAINING_DATA := data/nlu.yml data/rules.yml data/stories.yml build/nlu/synonyms.yml
RASA_DATA := data build/nlu
# The website widget (web/): npm packages from the lock file, built into web/dist.
NODE_MODULES := web/node_modules/.package-lock.json
WIDGET := web/dist/careers-chat.js
# The browser test drives Debian's Chromium (playwright-core, no browser download).
CHROMIUM := /usr/bin/chromium
# Cluster mode puts Debian's nginx in front of the Rasa replicas (docs/operations.md).
NGINX := /usr/sbin/nginx
# make report SINCE=2026-12-01 UNTIL=2026-12-31 URL=postgresql://... OUT=results/report
SINCE ?=
UNTIL ?=
URL ?=
OUT ?= results/report
# make bench SENDERS=50 TURNS=5000
SENDERS ?= 20
TURNS ?= 2000

.PHONY: help install run run-actions run-rasa train shell validate lint test test-actions \
	test-stories test-integration eval crossval clean widget test-widget cluster bench forget \
	report

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

install: $(INSTALLED) ## Create .venv and install the pinned packages

$(INSTALLED): requirements.lock
	@scripts/check-python.sh "$(PYTHON)"
	"$(PYTHON)" -m venv $(VENV)
	$(BIN)/pip install --quiet --no-deps --ignore-requires-python -r requirements.lock
	touch $@

$(LANGUAGE_ASSETS): $(INSTALLED) $(KNOWLEDGE) actions/knowledge.py actions/knowledge_schema.py \
		actions/language.py scripts/build_language_assets.py
	$(BIN)/python scripts/build_language_assets.py build
	touch $@

build/nlu/synonyms.yml: $(LANGUAGE_ASSETS)

$(MODEL): $(LANGUAGE_ASSETS) config.yml domain.yml $(TRAINING_DATA) components/intent_classifier.py
	$(RASA) train --data $(RASA_DATA) --config config.yml --domain domain.yml \
		--out models --fixed-model-name careers
	touch $@

train: $(MODEL) ## Train the model if it is missing or older than its inputs

run: $(MODEL) $(WIDGET) ## Start the action server (5055), Rasa (5005) and the demo page (8080)
	scripts/run.sh

widget: $(WIDGET) ## Build the website widget and its demo page into web/dist

$(NODE_MODULES): web/package.json web/package-lock.json
	cd web && npm ci
	touch $@

$(WIDGET): $(NODE_MODULES) web/build.mjs $(wildcard web/src/* web/demo/*)
	cd web && npm run build

$(NGINX):
	@if [ "$$(id -u)" != 0 ]; then echo "Cluster mode needs nginx: sudo apt-get install nginx" >&2; exit 1; fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx

cluster: $(MODEL) $(NGINX) ## Two Rasa replicas behind nginx (5005) on PostgreSQL and Redis
	scripts/cluster.sh

bench: $(MODEL) $(NGINX) ## Load test, ours vs the stock `rasa init` bot (SENDERS=20 TURNS=2000)
	$(BIN)/python scripts/bench.py --senders $(SENDERS) --turns $(TURNS)

$(CHROMIUM):
	@if [ "$$(id -u)" != 0 ]; then echo "The browser test needs Chromium: sudo apt-get install chromium" >&2; exit 1; fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

shell: $(MODEL) ## Chat in the terminal (starts the action server too)
	scripts/run.sh shell

validate: $(LANGUAGE_ASSETS) ## Check training data, domain and knowledge files
	$(RASA) data validate --data $(RASA_DATA) --domain domain.yml --config config.yml \
		--fail-on-warnings

lint: $(INSTALLED) ## Static checks of the Python code
	$(BIN)/ruff check actions channels components reporting scripts stores tests web/serve.py
	$(BIN)/ruff format --check actions channels components reporting scripts stores tests \
		web/serve.py

test: validate test-actions test-widget test-stories test-integration ## The whole test suite

test-actions: $(LANGUAGE_ASSETS) ## Unit tests: knowledge loader, answers, entity resolution, actions
	$(BIN)/python -m pytest -m "not integration"

test-stories: $(MODEL) ## End-to-end conversations in tests/test_stories.yml
	$(RASA) test core --model $(MODEL) --stories tests/test_stories.yml \
		--fail-on-prediction-errors --out results/stories

test-widget: ## Widget unit tests (node --test): links and markup shown safely
	cd web && npm test

test-integration: $(MODEL) $(WIDGET) $(CHROMIUM) $(NGINX) ## Start the servers (single and cluster mode) and talk to them
	$(BIN)/python -m pytest -m integration

eval: $(MODEL) ## Ask the development and blind sets over REST (make run's stack); accuracy per category
	scripts/with-servers.sh $(BIN)/python scripts/evaluate.py

crossval: $(LANGUAGE_ASSETS) ## 5-fold NLU cross-validation of config.yml and alternatives, on fixed folds (SEEDS="1 2 3", CONFIGS)
	mkdir -p results
	scripts/crossval.sh

forget: $(INSTALLED) ## Delete one conversation from the tracker store (SENDER=<id>; TRACKER_STORE_URL)
	@if [ -z "$(SENDER)" ]; then echo "make forget SENDER=<conversation id>" >&2; exit 2; fi
	$(BIN)/python scripts/forget.py -- "$(SENDER)"

report: $(INSTALLED) ## Content team's report of the stored conversations (SINCE, UNTIL, URL, OUT)
	$(BIN)/python scripts/report.py --out "$(OUT)" $(if $(SINCE),--since "$(SINCE)") \
		$(if $(UNTIL),--until "$(UNTIL)") $(if $(URL),--url "$(URL)")

clean: ## Remove build artefacts, models and results (keeps .venv)
	rm -rf build models results .pytest_cache web/dist
