// Fuzz target: a whole DNS message as it arrives on a socket, through
// parse_query and respond() (see dns_answer_check.hpp for what is checked).
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/dns_answer_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  driad::fuzz::answer_and_check({data, size});
  return 0;
}
