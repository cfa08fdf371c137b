// Implements the response reader (response_text.hpp).
#include "admin/response_text.hpp"

#include <cstdio>
#include <optional>

#include "dns/message.hpp"
#include "dns/name.hpp"
#include "policy/relay_text.hpp"

namespace driad::admin {
namespace {

constexpr unsigned kMaxPointers = 64;

std::uint32_t read32(const std::uint8_t* at) {
  return static_cast<std::uint32_t>(dns::read16(at)) << 16 | dns::read16(at + 2);
}

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> message) : message_(message) {}

  // A possibly compressed name at `at`, uncompressed; `at` moves past it.
  tl::expected<dns::WireName, std::string> name(std::size_t& at) const {
    dns::WireName out;
    std::size_t cursor = at;
    std::optional<std::size_t> after;
    for (unsigned pointers = 0;;) {
      if (cursor >= message_.size()) return fail("name", cursor);
      const std::uint8_t length = message_[cursor];
      if ((length & 0xc0) == 0xc0) {
        if (cursor + 1 >= message_.size() || ++pointers > kMaxPointers) return fail("name", cursor);
        if (!after) after = cursor + 2;
        cursor = static_cast<std::size_t>(dns::read16(&message_[cursor]) & 0x3fff);
        continue;
      }
      if (length > dns::kMaxLabelLength || cursor + 1 + length > message_.size())
        return fail("name", cursor);
      out.insert(out.end(), &message_[cursor], &message_[cursor] + 1 + length);
      if (out.size() > dns::kMaxNameLength) return fail("name", cursor);
      cursor += 1 + std::size_t{length};
      if (length == 0) break;
    }
    at = after.value_or(cursor);
    return out;
  }

  tl::expected<RecordText, std::string> record(std::size_t& at) const {
    auto owner = name(at);
    if (!owner) return tl::make_unexpected(owner.error());
    if (at + 10 > message_.size()) return fail("record", at);
    RecordText out;
    out.owner = dns::name_to_text(*owner);
    out.type = dns::read16(&message_[at]);
    out.ttl = read32(&message_[at + 4]);
    const std::size_t length = dns::read16(&message_[at + 8]);
    at += 10;
    if (at + length > message_.size()) return fail("rdata", at);
    auto rdata = rdata_text(out.type, at, length);
    if (!rdata) return tl::make_unexpected(rdata.error());
    out.rdata = std::move(*rdata);
    at += length;
    return out;
  }

  std::uint16_t opt_extended_rcode(std::size_t at, std::uint16_t count) const {
    for (std::uint16_t i = 0; i < count; ++i) {
      auto owner = name(at);
      if (!owner || at + 10 > message_.size()) return 0;
      if (dns::read16(&message_[at]) == dns::rr_type::opt) return message_[at + 4];
      at += 10 + std::size_t{dns::read16(&message_[at + 8])};
    }
    return 0;
  }

  std::span<const std::uint8_t> message() const { return message_; }

 private:
  static tl::unexpected<std::string> fail(const char* what, std::size_t at) {
    return tl::unexpected<std::string>("malformed " + std::string(what) + " at offset " +
                                       std::to_string(at));
  }

  tl::expected<std::string, std::string> rdata_text(std::uint16_t type, std::size_t at,
                                                    std::size_t length) const {
    const std::span<const std::uint8_t> rdata = message_.subspan(at, length);
    if (type == dns::rr_type::amtrelay && length >= 2) {
      policy::AmtRelay relay;
      relay.precedence = rdata[0];
      relay.discovery_optional = (rdata[1] & 0x80) != 0;
      relay.type = static_cast<policy::RelayType>(rdata[1] & 0x7f);
      relay.relay.assign(rdata.begin() + 2, rdata.end());
      return policy::to_text(relay);
    }
    if (type == dns::rr_type::ns) {
      std::size_t cursor = at;
      auto target = name(cursor);
      if (!target) return tl::make_unexpected(target.error());
      return dns::name_to_text(*target);
    }
    if (type == dns::rr_type::soa) {
      std::size_t cursor = at;
      auto mname = name(cursor);
      if (!mname) return tl::make_unexpected(mname.error());
      auto rname = name(cursor);
      if (!rname) return tl::make_unexpected(rname.error());
      if (cursor + 20 > at + length) return fail("SOA", cursor);
      std::string text = dns::name_to_text(*mname) + " " + dns::name_to_text(*rname);
      for (int field = 0; field < 5; ++field) {
        text +=
            " " + std::to_string(read32(&message_[cursor + 4 * static_cast<std::size_t>(field)]));
      }
      return text;
    }
    std::string text = "\\# " + std::to_string(length);
    if (length > 0) text += ' ';
    char hex[3];
    for (const std::uint8_t octet : rdata) {
      std::snprintf(hex, sizeof hex, "%02x", octet);
      text += hex;
    }
    return text;
  }

  std::span<const std::uint8_t> message_;
};

}  // namespace

std::string RecordText::text() const {
  return owner + " " + std::to_string(ttl) + " IN " + type_name(type) + " " + rdata;
}

std::string rcode_name(std::uint16_t rcode) {
  static constexpr const char* kNames[] = {"NOERROR",  "FORMERR", "SERVFAIL",
                                           "NXDOMAIN", "NOTIMP",  "REFUSED"};
  if (rcode < std::size(kNames)) return kNames[rcode];
  if (rcode == dns::rcode::badvers) return "BADVERS";
  return "RCODE" + std::to_string(rcode);
}

std::string type_name(std::uint16_t type) {
  switch (type) {
    case 1:
      return "A";
    case dns::rr_type::ns:
      return "NS";
    case dns::rr_type::soa:
      return "SOA";
    case dns::rr_type::txt:
      return "TXT";
    case 28:
      return "AAAA";
    case dns::rr_type::opt:
      return "OPT";
    case dns::rr_type::any:
      return "ANY";
    case dns::rr_type::amtrelay:
      return "AMTRELAY";
    default:
      return "TYPE" + std::to_string(type);
  }
}

tl::expected<ResponseText, std::string> parse_response(std::span<const std::uint8_t> message) {
  if (message.size() < dns::kHeaderSize) {
    return tl::make_unexpected("short response: " + std::to_string(message.size()) + " octets");
  }
  const Reader reader(message);
  ResponseText out;
  out.id = dns::read16(&message[0]);
  if ((message[2] & 0x80) == 0)
    return tl::make_unexpected(std::string("QR is clear: not a response"));
  out.authoritative = (message[2] & 0x04) != 0;
  out.truncated = (message[2] & 0x02) != 0;
  out.rcode = message[3] & 0x0f;
  const std::uint16_t questions = dns::read16(&message[4]);
  const std::uint16_t answers = dns::read16(&message[6]);
  const std::uint16_t authorities = dns::read16(&message[8]);
  const std::uint16_t additionals = dns::read16(&message[10]);
  std::size_t at = dns::kHeaderSize;
  for (std::uint16_t i = 0; i < questions; ++i) {
    if (auto name = reader.name(at); !name) return tl::make_unexpected(name.error());
    at += 4;
    if (at > message.size()) return tl::make_unexpected(std::string("truncated question"));
  }
  for (std::uint16_t i = 0; i < answers + authorities; ++i) {
    auto record = reader.record(at);
    if (!record) return tl::make_unexpected(record.error());
    (i < answers ? out.answer : out.authority).push_back(std::move(*record));
  }
  out.rcode =
      static_cast<std::uint16_t>(out.rcode | reader.opt_extended_rcode(at, additionals) << 4);
  return out;
}

std::vector<std::uint8_t> make_query(std::span<const std::uint8_t> qname, std::uint16_t qtype,
                                     std::uint16_t id) {
  // Sized once and written in place (GCC 12 misjudges inserts after a short
  // initializer list under -Warray-bounds).
  std::vector<std::uint8_t> query(dns::kHeaderSize + qname.size() + 4, 0);
  query[0] = static_cast<std::uint8_t>(id >> 8);
  query[1] = static_cast<std::uint8_t>(id);
  query[5] = 1;  // QDCOUNT
  std::size_t at = dns::kHeaderSize;
  for (const std::uint8_t octet : qname) query[at++] = octet;
  query[at++] = static_cast<std::uint8_t>(qtype >> 8);
  query[at++] = static_cast<std::uint8_t>(qtype);
  query[at++] = 0;
  query[at] = static_cast<std::uint8_t>(dns::rr_class::in);
  return query;
}

}  // namespace driad::admin
