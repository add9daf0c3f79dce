"""The llama.cpp build against the CPU: which compiled kernels a CPU lacks, and whether a build is portable."""

from __future__ import annotations

import pytest

from llm_as_rnn.backbones.cpu import compiled_features, is_portable, unsafe_kernels

PORTABLE = ("CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | BMI2 = 1 | LLAMAFILE = 1 | "
            "REPACK = 1 |")
NATIVE_XEON = PORTABLE.replace("BMI2 = 1 |", "BMI2 = 1 | AVX512 = 1 | AVX512_VNNI = 1 | AMX_INT8 = 1 |")
HASWELL = frozenset("pni ssse3 avx avx2 f16c fma bmi2".split())


def test_compiled_features_are_read_from_system_info():
    assert compiled_features(PORTABLE) == {"SSE3", "SSSE3", "AVX", "AVX2", "F16C", "FMA", "BMI2"}
    assert {"AVX512", "AMX_INT8"} <= compiled_features(NATIVE_XEON)
    assert "AVX512" not in compiled_features(PORTABLE.replace("AVX2 = 1", "AVX2 = 1 | AVX512 = 0"))


def test_a_build_tuned_to_a_xeon_is_unsafe_on_an_older_cpu():
    assert unsafe_kernels(PORTABLE, HASWELL) == []
    assert unsafe_kernels(NATIVE_XEON, HASWELL) == ["AMX_INT8", "AVX512", "AVX512_VNNI"]
    assert unsafe_kernels(PORTABLE, frozenset("pni ssse3 avx".split())) == ["AVX2", "BMI2", "F16C", "FMA"]


def test_portability_of_a_build():
    assert is_portable(PORTABLE)
    assert not is_portable(NATIVE_XEON)


def test_the_installed_llama_cpp_build_is_portable_and_safe_here():
    llama_cpp = pytest.importorskip("llama_cpp")
    info = llama_cpp.llama_print_system_info().decode()
    assert is_portable(info), f"llama-cpp-python was built for one CPU (rebuild with `make distclean install`): {info}"
    assert unsafe_kernels(info) == []
