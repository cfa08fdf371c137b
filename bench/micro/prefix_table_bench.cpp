// Longest-prefix match (zones/prefix_table.hpp) over the source table of 10k
// and 1M prefixes: 90% of look-ups hit a source at random, 10% miss (an
// address in 10.255.0.0/16 or 2001:db8:ffff:ffff::/64), both families mixed
// as in the dnsperf query mix.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "bench/micro/workload.hpp"
#include "zones/prefix_table.hpp"

namespace driad::bench {
namespace {

struct Probe {
  zones::Family family;
  zones::Bits128 address;
};

std::vector<Probe> probes(std::size_t n) {
  std::vector<Probe> out;
  std::mt19937_64 rng(kSeed + 1);
  for (const std::size_t i : random_sources(n, kQueryCount)) {
    if (rng() % 10 != 0) {
      const zones::Prefix source = source_prefix(i, n);
      out.push_back({source.family, source.address});
    } else if (rng() % 2 == 0) {
      out.push_back({zones::Family::ipv4, zones::Bits128{0x0AFF0000U | (rng() & 0xffffU)}});
    } else {
      const zones::Bits128 net = zones::Bits128{0x20010DB8FFFFFFFFU} << 64;
      out.push_back({zones::Family::ipv6, net | zones::Bits128{rng()}});
    }
  }
  return out;
}

void BM_PrefixTableLookup(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<zones::PrefixTable::Entry> entries;
  entries.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    entries.push_back({source_prefix(i, n), static_cast<std::uint32_t>(i % kGroups)});
  }
  auto table = zones::PrefixTable::build(std::move(entries));
  if (!table) {
    state.SkipWithError(table.error().c_str());
    return;
  }
  const std::vector<Probe> all = probes(n);
  std::size_t next = 0;
  for ([[maybe_unused]] auto _ : state) {
    const Probe& probe = all[next++ % all.size()];
    benchmark::DoNotOptimize(table->lookup(probe.family, probe.address));
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["intervals"] = static_cast<double>(table->interval_count());
}
BENCHMARK(BM_PrefixTableLookup)->ArgName("prefixes")->Arg(10'000)->Arg(1'000'000);

}  // namespace
}  // namespace driad::bench
