"""shared/malloc.tune: the allocator settings reach glibc's mallopt, and a C library
without it is left alone (the memory figures themselves are `make bench`'s)."""
import platform

import pytest

from shared import malloc


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_tune_applies_both_settings_on_glibc():
    assert malloc.tune() is True


def test_the_settings_given_are_two_arenas_and_a_fixed_one_mib_threshold(monkeypatch):
    calls = []

    class LibC:
        def __init__(self, name):
            self.mallopt = Mallopt()

    class Mallopt:
        argtypes = restype = None

        def __call__(self, parameter, value):
            calls.append((parameter, value))
            return 1

    monkeypatch.setattr(malloc.ctypes, "CDLL", LibC)
    assert malloc.tune() is True
    assert calls == [(-8, 2), (-3, 1 << 20)]    # M_ARENA_MAX, M_MMAP_THRESHOLD


def test_a_c_library_without_mallopt_is_left_alone(monkeypatch):
    def no_libc(name):
        raise OSError("no such library")
    monkeypatch.setattr(malloc.ctypes, "CDLL", no_libc)
    assert malloc.tune() is False
