# The two commands of the README. Each installs what it needs into .venv on first use
# (llama-cpp-python compiles from source: about 5-8 minutes on 2 cores; pip caches the wheel afterwards).
VENV ?= .venv
PYTHON ?= python3
STAMP := $(VENV)/.installed

.PHONY: run test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[dev]"
	touch $(STAMP)

# The main job: LLM-as-RNN on 5 held-out Seattle 2015 episodes of 10 days with the embedded SmolLM2-135M backbone.
run: $(STAMP)
	$(VENV)/bin/llm-rnn run --task weather --split test --episodes 5 --steps 10

# Unit tests (scripted LM) and integration tests (the real embedded backbone), then ruff.
test: $(STAMP)
	$(VENV)/bin/python -m pytest
	$(VENV)/bin/ruff check .

lint: $(STAMP)
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache
