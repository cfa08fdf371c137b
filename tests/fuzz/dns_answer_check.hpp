// The query path as the fuzz targets drive it: one query answered every way the
// server can (UDP and TCP, with and without a client address, ECS honoured or
// not, no snapshot at all), each response read again by ldns and checked
// against the query.
#pragma once

#include <cstdint>
#include <span>

namespace driad::fuzz {

// Aborts (FUZZ_CHECK) when a response is not what the query calls for.
void answer_and_check(std::span<const std::uint8_t> query);

}  // namespace driad::fuzz
