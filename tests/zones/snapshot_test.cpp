// Snapshot::build: what it refuses, what it prebuilds (SOA, NS, AMTRELAY wire
// records, the negative SOA), and Snapshot::classify.
#include "zones/snapshot.hpp"

#include <gtest/gtest.h>

#include <string>

namespace driad::zones {
namespace {

Prefix p(const char* text) {
  auto parsed = parse_prefix(text);
  EXPECT_TRUE(parsed) << text;
  return parsed ? *parsed : Prefix{};
}

// "a.b." in wire form, lower case; no escapes needed here.
WireName name(std::string text) {
  WireName out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto dot = text.find('.', start);
    out.push_back(static_cast<std::uint8_t>(dot - start));
    out.insert(out.end(), text.begin() + static_cast<std::ptrdiff_t>(start),
               text.begin() + static_cast<std::ptrdiff_t>(dot));
    start = dot + 1;
  }
  out.push_back(0);
  return out;
}

policy::AmtRelay ipv4_relay(std::uint8_t precedence, std::uint8_t last_octet) {
  return {precedence, false, policy::RelayType::ipv4, {192, 0, 2, last_octet}};
}

ZoneSpec zone(const char* origin, const char* prefix, std::uint32_t ttl = 3600,
              std::uint32_t minimum = 30) {
  ZoneSpec spec;
  spec.origin = name(origin);
  spec.prefix = p(prefix);
  spec.soa.mname = name("ns1.example.");
  spec.soa.rname = name("hostmaster.example.");
  spec.soa.serial = 42;
  spec.soa.minimum = minimum;
  spec.ns = {name("ns1.example."), name("ns2.example.")};
  spec.ttl = ttl;
  return spec;
}

SnapshotSpec good_spec() {
  SnapshotSpec spec;
  spec.generation = 9;
  spec.edns_udp_size = 1400;
  spec.zones.push_back(zone("51.198.in-addr.arpa.", "198.51.0.0/16"));
  spec.zones.push_back(zone("8.b.d.0.1.0.0.2.ip6.arpa.", "2001:db8::/32", 20, 300));
  spec.groups.push_back({"one", {ipv4_relay(10, 1), ipv4_relay(20, 11)}, 60});
  spec.groups.push_back({"two", {ipv4_relay(5, 99)}, 15});
  spec.sources.push_back({p("198.51.100.0/24"), 0});
  spec.sources.push_back({p("198.51.100.128/25"), 1});
  spec.sources.push_back({p("2001:db8:ff00::/40"), 1});
  return spec;
}

std::string hex(const std::vector<std::uint8_t>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const std::uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

TEST(SnapshotBuild, GoodSpecBuilds) {
  const auto built = Snapshot::build(good_spec());
  ASSERT_TRUE(built) << built.error();
  const Snapshot& s = **built;
  EXPECT_EQ(s.generation(), 9U);
  EXPECT_EQ(s.edns_udp_size(), 1400);
  ASSERT_EQ(s.zones().size(), 2U);
  EXPECT_EQ(s.zones()[0].origin_labels, 4U);
  EXPECT_EQ(s.zones()[1].origin_labels, 10U);
  EXPECT_EQ(s.zones()[0].serial, 42U);
  EXPECT_EQ(s.group_count(), 2U);
  EXPECT_EQ(s.group_name(1), "two");
}

TEST(SnapshotBuild, OverlappingZonesAreRefused) {
  SnapshotSpec spec = good_spec();
  spec.zones.push_back(zone("100.51.198.in-addr.arpa.", "198.51.100.0/24"));
  const auto built = Snapshot::build(spec);
  ASSERT_FALSE(built);
  EXPECT_NE(built.error().find("zones 0 and 2 overlap"), std::string::npos) << built.error();
}

TEST(SnapshotBuild, SameZoneTwiceIsRefused) {
  SnapshotSpec spec = good_spec();
  spec.zones.push_back(zone("51.198.in-addr.arpa.", "198.51.0.0/16"));
  EXPECT_FALSE(Snapshot::build(spec));
}

TEST(SnapshotBuild, SourceOutsideEveryZoneIsRefused) {
  SnapshotSpec spec = good_spec();
  spec.sources.push_back({p("203.0.113.0/24"), 0});
  const auto built = Snapshot::build(spec);
  ASSERT_FALSE(built);
  EXPECT_NE(built.error().find("203.0.113.0/24 lies outside every zone"), std::string::npos)
      << built.error();
}

TEST(SnapshotBuild, SourceWiderThanItsZoneIsRefused) {
  SnapshotSpec spec = good_spec();
  spec.sources.push_back({p("198.0.0.0/8"), 0});
  EXPECT_FALSE(Snapshot::build(spec));
}

TEST(SnapshotBuild, GroupIndexOutOfRangeIsRefused) {
  SnapshotSpec spec = good_spec();
  spec.sources.push_back({p("198.51.7.0/24"), 2});
  const auto built = Snapshot::build(spec);
  ASSERT_FALSE(built);
  EXPECT_NE(built.error().find("relay group 2 of 2"), std::string::npos) << built.error();
}

TEST(SnapshotBuild, DuplicateSourceIsRefused) {
  SnapshotSpec spec = good_spec();
  spec.sources.push_back({p("198.51.100.0/24"), 1});
  const auto built = Snapshot::build(spec);
  ASSERT_FALSE(built);
  EXPECT_NE(built.error().find("twice"), std::string::npos) << built.error();
}

// Issue 5: a rebuild for new decisions (relays, TTLs) with the same source
// list takes the previous snapshot's table instead of sorting the prefixes again.
TEST(SnapshotBuild, RebuildWithTheSameSourceListSharesTheTable) {
  const SnapshotSpec first_spec = good_spec();
  const auto first = Snapshot::build(first_spec);
  ASSERT_TRUE(first) << first.error();
  SnapshotSpec next = first_spec;
  next.generation = 10;
  next.groups[0].relays = {ipv4_relay(20, 11)};
  next.groups[1].ttl = 5;
  next.groups[1].unavailable = true;
  ASSERT_TRUE(next.sources.shares(first_spec.sources));
  const auto second = Snapshot::build(next);
  ASSERT_TRUE(second) << second.error();
  EXPECT_EQ(&(*second)->sources(), &(*first)->sources());
  EXPECT_EQ((*second)->answer(0).count, 1);
  EXPECT_TRUE((*second)->unavailable(1));
  std::uint32_t group = 77;
  EXPECT_EQ((*second)->classify((*second)->zones()[0], p("198.51.100.129/32"), group),
            NameKind::relay_set);
  EXPECT_EQ(group, 1U);
}

TEST(SnapshotBuild, ChangedSourceListGetsATableOfItsOwn) {
  const SnapshotSpec first_spec = good_spec();
  const auto first = Snapshot::build(first_spec);
  ASSERT_TRUE(first) << first.error();
  SnapshotSpec next = first_spec;
  next.sources.push_back({p("198.51.101.0/24"), 0});
  const auto second = Snapshot::build(next);
  ASSERT_TRUE(second) << second.error();
  EXPECT_NE(&(*second)->sources(), &(*first)->sources());
  std::uint32_t group = 77;
  const Zone& v4 = (*second)->zones()[0];
  EXPECT_EQ((*second)->classify(v4, p("198.51.101.1/32"), group), NameKind::relay_set);
  EXPECT_EQ((*first)->classify((*first)->zones()[0], p("198.51.101.1/32"), group),
            NameKind::nonexistent);
}

// A shared list is still checked against what else changed in the spec.
TEST(SnapshotBuild, SharedSourceListIsCheckedAgainstNewZonesAndGroups) {
  const SnapshotSpec first_spec = good_spec();
  ASSERT_TRUE(Snapshot::build(first_spec));
  SnapshotSpec fewer_zones = first_spec;
  fewer_zones.zones.pop_back();
  const auto outside = Snapshot::build(fewer_zones);
  ASSERT_FALSE(outside);
  EXPECT_NE(outside.error().find("2001:db8:ff00::/40 lies outside every zone"), std::string::npos)
      << outside.error();
  SnapshotSpec fewer_groups = first_spec;
  fewer_groups.groups.pop_back();
  const auto unknown = Snapshot::build(fewer_groups);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().find("relay group 1 of 1"), std::string::npos) << unknown.error();
  EXPECT_TRUE(Snapshot::build(first_spec)) << "and the original still builds";
}

TEST(SnapshotBuild, AmtrelayAnswersArePrebuiltWithThePointerToTheQuestion) {
  const auto built = Snapshot::build(good_spec());
  ASSERT_TRUE(built) << built.error();
  const PrebuiltRecords& one = (*built)->answer(0);
  EXPECT_EQ(one.count, 2);
  // owner c00c, TYPE 0104, CLASS 0001, TTL 60, RDLENGTH 6, RDATA.
  EXPECT_EQ(hex(one.wire),
            "c00c010400010000003c00060a01c0000201c00c010400010000003c00061401c000020b");
  const PrebuiltRecords& two = (*built)->answer(1);
  EXPECT_EQ(two.count, 1);
  EXPECT_EQ(hex(two.wire), "c00c010400010000000f00060501c0000263");
}

TEST(SnapshotBuild, ApexRecordsAndNegativeSoa) {
  const auto built = Snapshot::build(good_spec());
  ASSERT_TRUE(built) << built.error();
  const Zone& v4 = (*built)->zones()[0];
  const std::string soa_rdata = hex(name("ns1.example.")) + hex(name("hostmaster.example.")) +
                                "0000002a"
                                "00000e10"
                                "00000258"
                                "00015180"
                                "0000001e";
  const std::string rdlength = "0035";  // 13 + 20 + 20 octets
  EXPECT_EQ(v4.soa.count, 1);
  EXPECT_EQ(hex(v4.soa.wire),
            "c00c"
            "0006"
            "0001"
            "00000e10" +
                rdlength + soa_rdata);
  EXPECT_EQ(v4.ns.count, 2);
  EXPECT_EQ(hex(v4.ns.wire),
            "c00c000200010000"
            "0e10000d" +
                hex(name("ns1.example.")) +
                "c00c000200010000"
                "0e10000d" +
                hex(name("ns2.example.")));
  // Negative TTL: min(3600, 30).
  EXPECT_EQ(hex(v4.negative_soa_tail),
            "0006"
            "0001"
            "0000001e" +
                rdlength + soa_rdata);
  // And min(20, 300) in the other zone.
  const Zone& v6 = (*built)->zones()[1];
  EXPECT_EQ(hex(v6.negative_soa_tail).substr(0, 16),
            "0006"
            "0001"
            "00000014");
}

TEST(SnapshotClassify, EveryKindOfName) {
  const auto built = Snapshot::build(good_spec());
  ASSERT_TRUE(built) << built.error();
  const Snapshot& s = **built;
  const Zone& v4 = s.zones()[0];
  const Zone& v6 = s.zones()[1];
  std::uint32_t group = 77;
  EXPECT_EQ(s.classify(v4, p("198.51.0.0/16"), group), NameKind::apex);
  EXPECT_EQ(s.classify(v4, p("198.51.100.0/24"), group), NameKind::empty_non_terminal);
  EXPECT_EQ(s.classify(v4, p("198.51.101.0/24"), group), NameKind::nonexistent);
  EXPECT_EQ(s.classify(v4, p("198.51.101.1/32"), group), NameKind::nonexistent);
  group = 77;
  EXPECT_EQ(s.classify(v4, p("198.51.100.1/32"), group), NameKind::relay_set);
  EXPECT_EQ(group, 0U);
  EXPECT_EQ(s.classify(v4, p("198.51.100.129/32"), group), NameKind::relay_set);
  EXPECT_EQ(group, 1U);
  EXPECT_EQ(s.classify(v6, p("2001:db8::/32"), group), NameKind::apex);
  EXPECT_EQ(s.classify(v6, p("2001:db8:f000::/36"), group), NameKind::empty_non_terminal);
  EXPECT_EQ(s.classify(v6, p("2001:db8:ff00::/40"), group), NameKind::empty_non_terminal);
  EXPECT_EQ(s.classify(v6, p("2001:db8:ff00::/44"), group), NameKind::empty_non_terminal);
  EXPECT_EQ(s.classify(v6, p("2001:db8:e000::/36"), group), NameKind::nonexistent);
  EXPECT_EQ(s.classify(v6, p("2001:db8:ff00::1/128"), group), NameKind::relay_set);
  EXPECT_EQ(group, 1U);
}

TEST(AmtrelayRdata, EveryRelayType) {
  EXPECT_EQ(hex(amtrelay_rdata({10, false, policy::RelayType::ipv4, {203, 0, 113, 15}})),
            "0a01cb00710f");
  EXPECT_EQ(hex(amtrelay_rdata({0, false, policy::RelayType::none, {}})), "0000");
  EXPECT_EQ(hex(amtrelay_rdata({128, true, policy::RelayType::domain_name, name("a.example.")})),
            "80830161076578616d706c6500");
  std::vector<std::uint8_t> v6(16, 0);
  v6[0] = 0x20;
  v6[15] = 0x01;
  EXPECT_EQ(hex(amtrelay_rdata({255, true, policy::RelayType::ipv6, v6})),
            "ff8220000000000000000000000000000001");
}

}  // namespace
}  // namespace driad::zones
