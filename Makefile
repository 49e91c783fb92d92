# Kefu Assist: `make run` and `make test` are all a newcomer needs (see README).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV  := .venv
BIN   := $(VENV)/bin
STAMP := $(VENV)/.installed
MODEL := models/kefu.tar.gz
TRAIN_INPUTS := config.yml domain.yml $(shell find data bot/nlu -type f \( -name '*.yml' -o -name '*.txt' -o -name '*.py' \) 2>/dev/null | sort)

# Rasa's training cache lives in the project, so `make clean` is a real clean slate.
export RASA_CACHE_DIRECTORY := $(CURDIR)/.cache/rasa
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONHASHSEED := 0

.PHONY: help venv dict train run test eval lint bench clean

help:
	@echo "make run    create the environment, train if the data changed, start Redis, the action server and Rasa"
	@echo "make test   install everything needed, validate the data, train (cached) and run the tests"
	@echo "make train  train the model (models/kefu.tar.gz) when its inputs changed"
	@echo "make eval   5-fold cross-validation and the held-out test set: one table of figures"
	@echo "make bench  NLU latency and memory against a plain Rasa pipeline"
	@echo "make lint   ruff"

# The environment: a Python 3.10 venv with exactly the locked packages.
$(STAMP): requirements.lock pyproject.toml scripts/find_python.sh
	@py=$$(scripts/find_python.sh); \
	if [ ! -x $(BIN)/python ] || ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
	  echo "Creating $(VENV) with $$py"; rm -rf $(VENV); "$$py" -m venv $(VENV); \
	fi
	@echo "Installing the locked dependencies (first time: a few minutes)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.2"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

venv: $(STAMP)

# The Traditional jieba dictionary derived from jieba's own (cached in .cache/).
dict: $(STAMP)
	$(BIN)/python -m bot.nlu.dictionary .cache

$(MODEL): $(STAMP) $(TRAIN_INPUTS)
	$(BIN)/rasa train --fixed-model-name kefu --out models
	@touch $@

train: $(MODEL)

run: $(MODEL)
	$(BIN)/python -m bot.launcher

lint: $(STAMP)
	$(BIN)/ruff check bot actions tests bench scripts
	$(BIN)/ruff format --check bot actions tests bench scripts

test: $(MODEL)
	$(BIN)/rasa data validate --fail-on-warnings
	KEFU_MODEL=$(MODEL) $(BIN)/python -m pytest

eval: $(MODEL)
	$(BIN)/python -m scripts.evaluate

bench: $(MODEL)
	$(BIN)/python bench/nlu_latency.py

clean:
	rm -rf models results .cache .pytest_cache
