// FUZZ_CHECK: an invariant a fuzz target asserts about the code under test.
// Unlike assert() it also holds in the RelWithDebInfo corpus replay (NDEBUG),
// and it prints the condition before aborting, so libFuzzer saves the input as
// a crash and ctest reports the replay as failed.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace driad::fuzz {

[[noreturn]] inline void check_failed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", file, line, condition);
  std::abort();
}

}  // namespace driad::fuzz

#define FUZZ_CHECK(condition) \
  ((condition) ? static_cast<void>(0) : ::driad::fuzz::check_failed(#condition, __FILE__, __LINE__))
