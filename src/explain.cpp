// Implements explain() (explain.hpp): the real query path, then the story.
#include "src/explain.hpp"

#include <array>
#include <optional>

#include "admin/response_text.hpp"
#include "dns/message.hpp"
#include "dns/name.hpp"
#include "dns/query_stats.hpp"
#include "dns/responder.hpp"
#include "dns/reverse_name.hpp"

namespace driad::app {
namespace {

std::string address_text(const zones::Prefix& address) {
  const std::string text = zones::to_string(address);
  return text.substr(0, text.find('/'));
}

tl::expected<zones::Prefix, std::string> parse(std::string_view what, std::string_view text) {
  auto address = zones::parse_address(text);
  if (!address) {
    return tl::make_unexpected(std::string(what) + ": '" + std::string(text) +
                               "' is not an IP address");
  }
  return *address;
}

// What the snapshot's spec says about a source address: its zone and the
// longest source prefix holding it.
struct SourcePlace {
  const zones::ZoneSpec* zone = nullptr;
  const zones::SourceSpec* source = nullptr;
};

SourcePlace place_of(const zones::SnapshotSpec& spec, const zones::Prefix& address) {
  SourcePlace place;
  for (const zones::ZoneSpec& zone : spec.zones) {
    if (zone.prefix.contains(address)) place.zone = &zone;
  }
  for (const zones::SourceSpec& source : spec.sources) {
    if (source.prefix.contains(address) &&
        (place.source == nullptr || source.prefix.length > place.source->prefix.length)) {
      place.source = &source;
    }
  }
  return place;
}

std::string decision_words(const ExplainContext& context, const std::string& group,
                           admin::Explanation& out) {
  const policy::Decision* decision =
      context.live != nullptr ? context.live->decision(group) : nullptr;
  if (decision != nullptr) {
    out.decision = std::string(policy::to_string(decision->kind));
    out.reason = std::string(decision->reason_text());
    return out.decision + " (" + out.reason + ")";
  }
  out.decision = "static";
  out.reason = "a static relay group: its configured relays";
  return "its static relays";
}

}  // namespace

tl::expected<admin::Explanation, std::string> explain(const ExplainContext& context,
                                                      std::string_view source,
                                                      std::string_view client) {
  auto source_address = parse("source", source);
  if (!source_address) return tl::make_unexpected(source_address.error());
  dns::ClientAddress client_address;
  admin::Explanation out;
  out.source = address_text(*source_address);
  if (!client.empty()) {
    auto parsed = parse("client", client);
    if (!parsed) return tl::make_unexpected(parsed.error());
    client_address = {true, parsed->family, parsed->address};
    out.client = address_text(*parsed);
  }
  if (context.snapshot == nullptr || context.spec == nullptr) {
    return tl::make_unexpected(std::string("no snapshot is loaded yet"));
  }
  const zones::Snapshot& snapshot = *context.snapshot;
  const zones::SnapshotSpec& spec = *context.spec;

  // The query a gateway sends, answered by the code that answers it.
  const dns::WireName qname = dns::reverse_name(*source_address);
  out.qname = dns::name_to_text(qname);
  const std::vector<std::uint8_t> query = admin::make_query(qname, dns::rr_type::amtrelay, 0);
  std::vector<std::uint8_t> response(65535);
  const dns::ResponseInfo info =
      dns::respond(&snapshot, query, response, dns::Transport::tcp, client_address);
  response.resize(info.size);
  out.rcode = admin::rcode_name(info.rcode);
  out.kind = std::string(dns::to_string(info.kind));
  if (auto parsed = admin::parse_response(response); parsed) {
    for (const admin::RecordText& record : parsed->answer) out.rrset.push_back(record.text());
  } else {
    return tl::make_unexpected("the response could not be read back: " + parsed.error());
  }

  const SourcePlace place = place_of(spec, *source_address);
  if (place.zone == nullptr) {
    out.summary = out.source + " lies in no zone driad serves: " + out.rcode + ".";
    return out;
  }
  out.zone = dns::name_to_text(place.zone->origin);
  if (place.source == nullptr) {
    out.summary =
        out.source + " is in zone " + out.zone + " but under no source prefix: " + out.rcode + ".";
    return out;
  }
  const std::uint32_t row = place.source->group;
  out.source_prefix = zones::to_string(place.source->prefix);
  out.source_group = spec.groups[row].name;

  // The client's view, and how its cell of the table was decided.
  std::uint32_t column = 0;
  if (client_address.known)
    column = snapshot.client_column(client_address.family, client_address.address);
  if (column > 0 && column <= context.views->view_names.size()) {
    out.client_view = context.views->view_names[column - 1];
  }
  const std::size_t columns = std::size_t{snapshot.view_count()} + 1;
  const std::size_t cell = row * columns + column;
  std::optional<policy::MappingStep> step;
  if (cell < context.views->cells.size()) step = context.views->cells[cell].step;
  // respond() reads the client's column only where the row varies by client.
  const std::uint32_t served =
      snapshot.answer_group(row, snapshot.varies_by_client(row) ? column : 0);
  out.answer_group = spec.groups[served].name;
  out.mapping = step ? std::string(policy::to_string(*step)) : "own";

  std::string who = out.client.empty()
                        ? std::string("a client in no client view")
                        : "client " + out.client +
                              (out.client_view.empty() ? std::string(" (in no client view)")
                                                       : " (client view " + out.client_view + ")");
  std::string summary = out.source + " is under " + out.source_prefix + " (relay group " +
                        out.source_group + "); " + who;
  if (spec.groups[served].unavailable) {
    out.decision = "pending";
    out.reason = "relay group '" + out.answer_group +
                 "' is not known yet (no Traffic Ops topology names it)";
    out.summary = summary + " is answered SERVFAIL: " + out.reason + ".";
    return out;
  }
  if (out.mapping == "none") {
    summary += " gets the fail-static answer of " + out.answer_group +
               " (no cachegroup in reach has a healthy relay): ";
  } else if (out.answer_group == out.source_group) {
    summary += " gets " + out.answer_group + "'s own answer: ";
  } else {
    const char* why = out.mapping == "own"        ? "its client view's cachegroup"
                      : out.mapping == "fallback" ? "a fallback of its cachegroup"
                                                  : "the closest cachegroup with a healthy relay";
    summary += " is sent to " + out.answer_group + " (" + why + "): ";
  }
  out.summary = summary + decision_words(context, out.answer_group, out) + ".";
  return out;
}

}  // namespace driad::app
