// test_errors.h - how the unit tests look at a refusal: the kind and the
// one-line message of the biosx::Error a call throws. Tests only.
#pragma once

#include <doctest/doctest.h>
#include <string>
#include <utility>

#include "core/error.h"

namespace biosx::test {

// The kind and message of the Error `f` throws; a failed check when it
// throws none.
template <class F>
std::pair<ErrorKind, std::string> error_of(F f)
{
    try {
        f();
    } catch (const Error& e) {
        return {e.kind(), e.what()};
    }
    FAIL_CHECK("no error thrown");
    return {ErrorKind::usage, ""};
}

// The message of the Error(usage) `f` throws, checking its kind.
template <class F>
std::string usage_error(F f)
{
    auto [kind, message] = error_of(f);
    CHECK(kind == ErrorKind::usage);
    return message;
}

}  // namespace biosx::test
