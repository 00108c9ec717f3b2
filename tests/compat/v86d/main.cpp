// main.cpp - doctest's entry point for biosx-v86d's tests. Userspace.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
