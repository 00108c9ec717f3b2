// main.cpp - doctest's entry point for the libbiosx test binary. Userspace.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
