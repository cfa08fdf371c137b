// Reverse-name decoding (dns/reverse_name.hpp): the per-label step the query
// path runs from the zone's prefix outward, and the whole-name decoder the
// control path uses: IPv4 names (3 labels below 10.in-addr.arpa.) and IPv6
// names (24 nibbles below 8.b.d.0.1.0.0.2.ip6.arpa.), 1024 distinct ones cycled.
#include <benchmark/benchmark.h>

#include <array>
#include <span>
#include <vector>

#include "bench/micro/workload.hpp"
#include "dns/reverse_name.hpp"

namespace driad::bench {
namespace {

constexpr std::size_t kNames = 1024;
constexpr std::size_t kSources = 1'000'000;

struct Name {
  zones::WireName wire;
  std::array<std::uint8_t, 128> label_offsets{};  // where each label starts
  unsigned labels = 0;                            // without the root
  unsigned zone_labels = 0;                       // of the zone origin
  zones::Prefix zone;
};

std::vector<Name> names(bool ipv6) {
  std::vector<Name> out;
  for (const std::size_t i : random_sources(kSources / 2, kNames)) {
    Name name;
    const zones::Prefix source = source_prefix(ipv6 ? kSources / 2 + i : i, kSources);
    name.wire = wire(reverse_text(source));
    for (std::size_t at = 0; name.wire[at] != 0; at += name.wire[at] + 1U) {
      name.label_offsets[name.labels++] = static_cast<std::uint8_t>(at);
    }
    name.zone_labels = ipv6 ? 10 : 3;
    name.zone = parse(ipv6 ? "2001:db8::/32" : "10.0.0.0/8");
    out.push_back(std::move(name));
  }
  return out;
}

void BM_ReverseLabels(benchmark::State& state, bool ipv6) {
  const std::vector<Name> all = names(ipv6);
  std::size_t next = 0;
  for ([[maybe_unused]] auto _ : state) {
    const Name& name = all[next++ % all.size()];
    zones::Prefix prefix = name.zone;
    bool ok = true;
    for (unsigned i = name.labels - name.zone_labels; ok && i-- > 0;) {
      const std::uint8_t* label = &name.wire[name.label_offsets[i]];
      ok = dns::extend_reverse_prefix(prefix, {label + 1, label[0]});
    }
    benchmark::DoNotOptimize(prefix);
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_ReverseLabels, ipv4, false);
BENCHMARK_CAPTURE(BM_ReverseLabels, ipv6, true);

void BM_PrefixFromReverseName(benchmark::State& state, bool ipv6) {
  const std::vector<Name> all = names(ipv6);
  std::size_t next = 0;
  for ([[maybe_unused]] auto _ : state) {
    auto prefix = dns::prefix_from_reverse_name(all[next++ % all.size()].wire);
    benchmark::DoNotOptimize(prefix);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_PrefixFromReverseName, ipv4, false);
BENCHMARK_CAPTURE(BM_PrefixFromReverseName, ipv6, true);

}  // namespace
}  // namespace driad::bench
