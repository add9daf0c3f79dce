"""The CPU's instruction sets against the kernels compiled into llama.cpp: a build is safe where the CPU has them all.

A llama.cpp build made with GGML_NATIVE=ON on an AVX-512/AMX machine carries kernels another CPU lacks and dies
there with SIGILL or SIGSEGV. `unsafe_kernels()` names such kernels before any model is loaded.
"""

from __future__ import annotations

import platform
import re
from functools import lru_cache
from pathlib import Path

# llama.cpp's system-info name -> the Linux /proc/cpuinfo flag that a CPU must have to run it.
KERNEL_FLAGS: dict[str, str] = {
    "SSE3": "pni",
    "SSSE3": "ssse3",
    "AVX": "avx",
    "AVX2": "avx2",
    "F16C": "f16c",
    "FMA": "fma",
    "BMI2": "bmi2",
    "AVX_VNNI": "avx_vnni",
    "AVX512": "avx512f",
    "AVX512_VBMI": "avx512vbmi",
    "AVX512_VNNI": "avx512_vnni",
    "AVX512_BF16": "avx512_bf16",
    "AMX_INT8": "amx_int8",
}
PORTABLE_BASELINE = ("AVX", "AVX2", "FMA", "F16C")


@lru_cache(maxsize=1)
def cpu_flags() -> frozenset[str]:
    """Instruction-set flags of this CPU (Linux); empty where /proc/cpuinfo is absent."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return frozenset()
    match = re.search(r"^flags\s*:\s*(.*)$", text, re.MULTILINE)
    return frozenset(match.group(1).split()) if match else frozenset()


def cpu_model() -> str:
    try:
        match = re.search(r"^model name\s*:\s*(.*)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
    except OSError:
        match = None
    return match.group(1).strip() if match else platform.processor() or platform.machine()


def system_info() -> str:
    """llama.cpp's own `llama_print_system_info()` (empty when llama-cpp-python is not installed)."""
    try:
        import llama_cpp
    except ImportError:
        return ""
    return llama_cpp.llama_print_system_info().decode("utf-8", "replace").strip()


def compiled_features(info: str | None = None) -> set[str]:
    """CPU kernels compiled into llama.cpp, read from its system info (`AVX2 = 1 | ...`)."""
    info = system_info() if info is None else info
    return {name for name, value in re.findall(r"([A-Z0-9_]+) = (\d+)", info) if value != "0" and name in KERNEL_FLAGS}


def unsafe_kernels(info: str | None = None, flags: frozenset[str] | None = None) -> list[str]:
    """Compiled kernels whose instructions this CPU lacks (empty: the build is safe here)."""
    flags = cpu_flags() if flags is None else flags
    if not flags:
        return []  # not Linux: nothing to compare with
    return sorted(name for name in compiled_features(info) if KERNEL_FLAGS[name] not in flags)


def is_portable(info: str | None = None) -> bool:
    """True when nothing beyond the AVX2-era baseline (no AVX-512, no AMX, no AVX-VNNI) is compiled in."""
    extra = compiled_features(info) - {"SSE3", "SSSE3", "BMI2", *PORTABLE_BASELINE}
    return not extra
