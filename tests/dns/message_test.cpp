// parse_query: what a good query yields, and how each malformed one is classed
// (drop, FORMERR, NOTIMP).
#include "dns/message.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/dns/dns_test_support.hpp"

namespace driad::dns {
namespace {

using test::Bytes;
using test::Edns;
using test::make_query;
using test::put16;

constexpr std::size_t kQdcountAt = 4;
constexpr std::size_t kAncountAt = 6;
constexpr std::size_t kNscountAt = 8;
constexpr std::size_t kArcountAt = 10;

ParseStatus parse(const Bytes& message, ParsedQuery& query) {
  return parse_query(message, query);
}

ParseStatus parse(const Bytes& message) {
  ParsedQuery query;
  return parse_query(message, query);
}

void set16(Bytes& message, std::size_t at, std::uint16_t value) {
  message[at] = static_cast<std::uint8_t>(value >> 8);
  message[at + 1] = static_cast<std::uint8_t>(value);
}

// A header with the given QDCOUNT, followed by `body` as is.
Bytes raw_message(std::uint16_t qdcount, const Bytes& body, std::uint16_t arcount = 0) {
  Bytes out{0x12, 0x34, 0x00, 0x00};
  put16(out, qdcount);
  put16(out, 0);
  put16(out, 0);
  put16(out, arcount);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Bytes question(const Bytes& name, std::uint16_t qtype = rr_type::amtrelay) {
  Bytes out = name;
  put16(out, qtype);
  put16(out, rr_class::in);
  return out;
}

Bytes label_of(std::size_t length, char fill = 'a') {
  Bytes out{static_cast<std::uint8_t>(length)};
  out.insert(out.end(), length, static_cast<std::uint8_t>(fill));
  return out;
}

// A name made of the given label lengths, then the root.
Bytes name_of(std::initializer_list<std::size_t> lengths) {
  Bytes out;
  for (const std::size_t length : lengths) {
    const Bytes label = label_of(length);
    out.insert(out.end(), label.begin(), label.end());
  }
  out.push_back(0);
  return out;
}

TEST(ParseQuery, GoodQueryYieldsHeaderFieldsAndLowerCasedQuestion) {
  const Bytes message =
      make_query("12.100.51.198.IN-ADDR.Arpa.", rr_type::amtrelay,
                 {.id = 0xbeef, .recursion_desired = true, .checking_disabled = true});
  ParsedQuery query;
  ASSERT_EQ(parse(message, query), ParseStatus::ok);
  EXPECT_EQ(query.id, 0xbeef);
  EXPECT_EQ(query.opcode, 0);
  EXPECT_TRUE(query.recursion_desired);
  EXPECT_TRUE(query.checking_disabled);
  EXPECT_TRUE(query.question_ok);
  EXPECT_EQ(query.qtype, rr_type::amtrelay);
  EXPECT_EQ(query.qclass, rr_class::in);
  EXPECT_EQ(query.label_count, 6);
  const Bytes lower = test::wire_name("12.100.51.198.in-addr.arpa.");
  ASSERT_EQ(query.qname_length, lower.size());
  EXPECT_EQ(Bytes(query.qname, query.qname + query.qname_length), lower);
  const std::uint8_t offsets[] = {0, 3, 7, 10, 14, 22};
  for (std::size_t i = 0; i < 6; ++i)
    EXPECT_EQ(query.label_offsets[i], offsets[i]) << "label " << i;
  EXPECT_EQ(query.question_end, message.size());
  EXPECT_FALSE(query.has_opt);
}

TEST(ParseQuery, RootNameHasNoLabels) {
  ParsedQuery query;
  ASSERT_EQ(parse(make_query(".", rr_type::ns), query), ParseStatus::ok);
  EXPECT_EQ(query.label_count, 0);
  EXPECT_EQ(query.qname_length, 1U);
  EXPECT_EQ(query.qtype, rr_type::ns);
}

TEST(ParseQuery, HeaderShorterThanTwelveOctetsIsDropped) {
  Bytes message = make_query("a.", 1);
  message.resize(11);
  EXPECT_EQ(parse(message), ParseStatus::drop);
  EXPECT_EQ(parse(Bytes{}), ParseStatus::drop);
}

TEST(ParseQuery, ResponseBitSetIsDropped) {
  Bytes message = make_query("a.", 1);
  message[2] |= 0x80;
  EXPECT_EQ(parse(message), ParseStatus::drop);
}

TEST(ParseQuery, OpcodeNotifyIsNotImplemented) {
  ParsedQuery query;
  EXPECT_EQ(parse(make_query("a.", rr_type::soa, {.opcode = 4}), query), ParseStatus::notimp);
  EXPECT_EQ(query.opcode, 4);
  EXPECT_EQ(query.id, 0x1234);
}

TEST(ParseQuery, QdcountZeroIsFormerrWithoutQuestion) {
  ParsedQuery query;
  EXPECT_EQ(parse(raw_message(0, {}), query), ParseStatus::formerr);
  EXPECT_FALSE(query.question_ok);
}

TEST(ParseQuery, QdcountTwoIsFormerr) {
  Bytes message = make_query("a.", 1);
  const Bytes again(message.begin() + kHeaderSize, message.end());
  message.insert(message.end(), again.begin(), again.end());
  set16(message, kQdcountAt, 2);
  ParsedQuery query;
  EXPECT_EQ(parse(message, query), ParseStatus::formerr);
  EXPECT_FALSE(query.question_ok);
}

TEST(ParseQuery, AnswerOrAuthorityRecordsInAQueryAreFormerr) {
  Bytes with_answer = make_query("a.", 1);
  set16(with_answer, kAncountAt, 1);
  ParsedQuery query;
  EXPECT_EQ(parse(with_answer, query), ParseStatus::formerr);
  EXPECT_TRUE(query.question_ok);  // so the FORMERR can echo it

  Bytes with_authority = make_query("a.", 1);
  set16(with_authority, kNscountAt, 1);
  EXPECT_EQ(parse(with_authority), ParseStatus::formerr);
}

TEST(ParseQuery, LabelOf63IsReadAndLabelOf64IsFormerr) {
  EXPECT_EQ(parse(raw_message(1, question(name_of({63})))), ParseStatus::ok);
  EXPECT_EQ(parse(raw_message(1, question(name_of({64})))), ParseStatus::formerr);
}

TEST(ParseQuery, NameOf255OctetsIsReadAnd256IsFormerr) {
  // 3 * (1 + 63) + (1 + 61) + 1 = 255.
  ParsedQuery query;
  ASSERT_EQ(parse(raw_message(1, question(name_of({63, 63, 63, 61}))), query), ParseStatus::ok);
  EXPECT_EQ(query.qname_length, 255U);
  EXPECT_EQ(parse(raw_message(1, question(name_of({63, 63, 63, 62})))), ParseStatus::formerr);
  EXPECT_EQ(parse(raw_message(1, question(name_of({63, 63, 63, 63, 63})))), ParseStatus::formerr);
}

TEST(ParseQuery, NameOf127OneOctetLabelsIsRead) {
  Bytes name;
  for (int i = 0; i < 127; ++i) {
    name.push_back(1);
    name.push_back('x');
  }
  name.push_back(0);
  ParsedQuery query;
  ASSERT_EQ(parse(raw_message(1, question(name)), query), ParseStatus::ok);
  EXPECT_EQ(query.label_count, 127);
  EXPECT_EQ(query.label_offsets[126], 252);
}

TEST(ParseQuery, CompressionPointerInTheQuestionIsFormerr) {
  EXPECT_EQ(parse(raw_message(1, question({0xc0, 0x0c}))), ParseStatus::formerr);
  Bytes partly = {1, 'a', 0xc0, 0x0c};
  EXPECT_EQ(parse(raw_message(1, question(partly))), ParseStatus::formerr);
}

TEST(ParseQuery, ExtendedLabelTypeIsFormerr) {
  EXPECT_EQ(parse(raw_message(1, question({0x41, 0}))), ParseStatus::formerr);
}

TEST(ParseQuery, TruncatedQuestionIsFormerr) {
  const Bytes full = make_query("example.com.", 1);
  // Every cut inside the question: inside a label, before the root, inside
  // QTYPE/QCLASS.
  for (std::size_t size = kHeaderSize; size < full.size(); ++size) {
    const Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(size));
    EXPECT_EQ(parse(cut), ParseStatus::formerr) << "cut at " << size;
  }
  EXPECT_EQ(parse(full), ParseStatus::ok);
}

TEST(ParseQuery, EdnsFieldsAreRead) {
  ParsedQuery query;
  ASSERT_EQ(
      parse(make_query("a.", 1, {.edns = Edns{.payload = 4096, .version = 0, .dnssec_ok = true}}),
            query),
      ParseStatus::ok);
  EXPECT_TRUE(query.has_opt);
  EXPECT_EQ(query.requester_payload, 4096);
  EXPECT_EQ(query.edns_version, 0);
  EXPECT_TRUE(query.dnssec_ok);

  ParsedQuery other;
  ASSERT_EQ(
      parse(make_query("a.", 1, {.edns = Edns{.payload = 512, .version = 1, .dnssec_ok = false}}),
            other),
      ParseStatus::ok);
  EXPECT_TRUE(other.has_opt);
  EXPECT_EQ(other.requester_payload, 512);
  EXPECT_EQ(other.edns_version, 1);
  EXPECT_FALSE(other.dnssec_ok);
}

TEST(ParseQuery, EdnsOptionsThatFitAreAccepted) {
  // COOKIE (10) with an 8-octet client cookie, then an empty option.
  const Bytes options = test::from_hex("000a0008 0102030405060708 000c0000");
  ParsedQuery query;
  ASSERT_EQ(parse(make_query("a.", 1, {.edns = Edns{.options = options}}), query), ParseStatus::ok);
  EXPECT_TRUE(query.has_opt);
}

TEST(ParseQuery, OptionLongerThanItsRdataIsFormerr) {
  // The option claims 9 octets, the RDATA holds 8 after its header.
  const Bytes options = test::from_hex("000a0009 0102030405060708");
  EXPECT_EQ(parse(make_query("a.", 1, {.edns = Edns{.options = options}})), ParseStatus::formerr);
  // An option header cut short.
  EXPECT_EQ(parse(make_query("a.", 1, {.edns = Edns{.options = test::from_hex("000a00")}})),
            ParseStatus::formerr);
}

ClientSubnet subnet_of(const Bytes& options) {
  ParsedQuery query;
  EXPECT_EQ(parse(make_query("a.", 1, {.edns = Edns{.options = options}}), query), ParseStatus::ok);
  return query.client_subnet;
}

std::string address_hex(const ClientSubnet& subnet) {
  return test::to_hex({subnet.address, subnet.address_length});
}

TEST(ParseQuery, NoClientSubnetWithoutTheOption) {
  EXPECT_FALSE(subnet_of(test::from_hex("000a0008 0102030405060708")).present);
  ParsedQuery query;
  ASSERT_EQ(parse(make_query("a.", 1), query), ParseStatus::ok);
  EXPECT_FALSE(query.client_subnet.present);
}

TEST(ParseQuery, ClientSubnetIsRead) {
  const ClientSubnet v4 = subnet_of(test::ecs_option(1, 24, 0, {192, 0, 2}));
  EXPECT_TRUE(v4.present);
  EXPECT_FALSE(v4.malformed);
  EXPECT_EQ(v4.family, ecs_family::ipv4);
  EXPECT_EQ(v4.source_prefix, 24);
  EXPECT_EQ(v4.scope_prefix, 0);
  EXPECT_EQ(address_hex(v4), "c00002");

  const ClientSubnet v6 = subnet_of(test::ecs_option(2, 57, 0, test::from_hex("20010db800000080")));
  EXPECT_FALSE(v6.malformed);
  EXPECT_EQ(v6.family, ecs_family::ipv6);
  EXPECT_EQ(v6.source_prefix, 57);
  EXPECT_EQ(address_hex(v6), "20010db800000080");

  const ClientSubnet zero = subnet_of(test::ecs_option(2, 0, 0, {}));
  EXPECT_TRUE(zero.present);
  EXPECT_FALSE(zero.malformed);
  EXPECT_EQ(zero.family, ecs_family::ipv6);
  EXPECT_EQ(zero.source_prefix, 0);
  EXPECT_EQ(zero.address_length, 0);

  const ClientSubnet full = subnet_of(test::ecs_option(1, 32, 0, {192, 0, 2, 255}));
  EXPECT_FALSE(full.malformed);
  EXPECT_EQ(address_hex(full), "c00002ff");
}

TEST(ParseQuery, LongestClientSubnetIsKept) {
  const Bytes short_v4 = test::ecs_option(1, 16, 0, {10, 1});
  const Bytes long_v4 = test::ecs_option(1, 24, 0, {10, 2, 3});
  const Bytes v6 = test::ecs_option(2, 32, 0, {0x20, 0x01, 0x0d, 0xb8});
  Bytes options = short_v4;
  options.insert(options.end(), long_v4.begin(), long_v4.end());
  options.insert(options.end(), short_v4.begin(), short_v4.end());
  ClientSubnet kept = subnet_of(options);
  EXPECT_EQ(kept.source_prefix, 24);
  EXPECT_EQ(address_hex(kept), "0a0203");

  options.insert(options.end(), v6.begin(), v6.end());
  kept = subnet_of(options);
  EXPECT_EQ(kept.family, ecs_family::ipv6);
  EXPECT_EQ(kept.source_prefix, 32);
  EXPECT_EQ(address_hex(kept), "20010db8");

  // Equal lengths: the first.
  Bytes tie = test::ecs_option(1, 16, 0, {10, 9});
  tie.insert(tie.end(), short_v4.begin(), short_v4.end());
  EXPECT_EQ(address_hex(subnet_of(tie)), "0a09");
}

TEST(ParseQuery, MalformedClientSubnetIsMarkedNotRefused) {
  // parse_query accepts the message; whether it is FORMERR is the responder's
  // call (only when ECS is honoured).
  const Bytes cases[] = {
      test::ecs_option(0, 0, 0, {}),           test::ecs_option(3, 0, 0, {}),
      test::ecs_option(1, 33, 0, Bytes(5, 0)), test::ecs_option(2, 129, 0, Bytes(17, 0)),
      test::ecs_option(1, 24, 8, {10, 0, 0}),  test::ecs_option(1, 24, 0, {10, 0, 0, 0}),
      test::ecs_option(1, 24, 0, {10, 0}),     test::ecs_option(1, 20, 0, {10, 0, 8}),
      test::from_hex("0008 0003 000100"),      test::from_hex("0008 0000"),
  };
  for (const Bytes& options : cases) {
    const ClientSubnet subnet = subnet_of(options);
    EXPECT_TRUE(subnet.present) << test::to_hex(options);
    EXPECT_TRUE(subnet.malformed) << test::to_hex(options);
  }
  // The last bit inside the prefix may be set: /20 allows 0xf0 in octet 3.
  EXPECT_FALSE(subnet_of(test::ecs_option(1, 20, 0, {10, 0, 0xf0})).malformed);
  // A malformed one beside a good one still marks the query.
  Bytes both = test::ecs_option(1, 24, 0, {10, 0, 0});
  const Bytes bad = test::ecs_option(1, 8, 0, {10, 1});
  both.insert(both.end(), bad.begin(), bad.end());
  const ClientSubnet mixed = subnet_of(both);
  EXPECT_TRUE(mixed.malformed);
}

TEST(ParseQuery, ClientSubnetRunningPastTheRdataIsFormerr) {
  // The option claims 8 octets, the RDATA holds 7 after its header.
  const Bytes options = test::from_hex("0008 0008 0001 18 00 c00002");
  EXPECT_EQ(parse(make_query("a.", 1, {.edns = Edns{.options = options}})), ParseStatus::formerr);
}

TEST(ParseQuery, TwoOptRecordsAreFormerr) {
  Bytes message = make_query("a.", 1, {.edns = Edns{}});
  const Bytes opt = test::opt_record(Edns{});
  message.insert(message.end(), opt.begin(), opt.end());
  set16(message, kArcountAt, 2);
  EXPECT_EQ(parse(message), ParseStatus::formerr);
}

TEST(ParseQuery, OptWithNonRootOwnerIsFormerr) {
  Bytes message = make_query("a.", 1);
  Bytes opt = test::opt_record(Edns{});
  opt.erase(opt.begin());  // the root owner
  const Bytes owner = test::wire_name("a.");
  opt.insert(opt.begin(), owner.begin(), owner.end());
  message.insert(message.end(), opt.begin(), opt.end());
  set16(message, kArcountAt, 1);
  EXPECT_EQ(parse(message), ParseStatus::formerr);

  // Owner as a pointer to the question name: not the root either.
  Bytes pointer_owned = make_query("a.", 1);
  Bytes opt2 = test::opt_record(Edns{});
  opt2[0] = 0xc0;
  opt2.insert(opt2.begin() + 1, 0x0c);
  pointer_owned.insert(pointer_owned.end(), opt2.begin(), opt2.end());
  set16(pointer_owned, kArcountAt, 1);
  EXPECT_EQ(parse(pointer_owned), ParseStatus::formerr);
}

TEST(ParseQuery, OtherAdditionalRecordsAreSkipped) {
  // A TXT record owned by a pointer to the question, then an OPT.
  Bytes message = make_query("a.", 1);
  const Bytes txt = test::from_hex("c00c 0010 0001 00000000 0004 03616263");
  message.insert(message.end(), txt.begin(), txt.end());
  const Bytes opt = test::opt_record(Edns{.payload = 1400});
  message.insert(message.end(), opt.begin(), opt.end());
  set16(message, kArcountAt, 2);
  ParsedQuery query;
  ASSERT_EQ(parse(message, query), ParseStatus::ok);
  EXPECT_TRUE(query.has_opt);
  EXPECT_EQ(query.requester_payload, 1400);
}

TEST(ParseQuery, AdditionalCountBeyondTheMessageIsFormerr) {
  Bytes message = make_query("a.", 1);
  set16(message, kArcountAt, 1);
  EXPECT_EQ(parse(message), ParseStatus::formerr);
}

TEST(ParseQuery, RdlengthBeyondTheMessageIsFormerr) {
  Bytes message = make_query("a.", 1, {.edns = Edns{}});
  message[message.size() - 1] = 4;  // RDLENGTH 4, no RDATA follows
  EXPECT_EQ(parse(message), ParseStatus::formerr);
  Bytes short_record = make_query("a.", 1, {.edns = Edns{}});
  short_record.resize(short_record.size() - 3);  // cut inside the fixed fields
  EXPECT_EQ(parse(short_record), ParseStatus::formerr);
}

}  // namespace
}  // namespace driad::dns
