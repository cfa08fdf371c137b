// Implements the query log's line (query_log.hpp).
#include "src/query_log.hpp"

#include <span>

#include "admin/response_text.hpp"
#include "dns/name.hpp"

namespace driad::app {
namespace {

std::string client_text(const dns::ClientAddress& client) {
  if (!client.known) return "-";
  zones::Prefix address;
  address.family = client.family;
  address.address = client.address;
  address.length = static_cast<std::uint8_t>(zones::address_bits(client.family));
  const std::string text = zones::to_string(address);
  return text.substr(0, text.find('/'));
}

}  // namespace

std::vector<LogField> query_log_fields(const dns::QueryLogEntry& entry) {
  const std::string qname = entry.qname_length == 0
                                ? std::string("-")
                                : dns::name_to_text(std::span<const std::uint8_t>(
                                      entry.qname.data(), entry.qname_length));
  return {{"client", client_text(entry.client)},
          {"transport", std::string(dns::to_string(entry.transport))},
          {"qname", qname},
          {"qtype", entry.qname_length == 0 ? std::string("-") : admin::type_name(entry.qtype)},
          {"rcode", admin::rcode_name(entry.rcode)},
          {"kind", std::string(dns::to_string(entry.kind))}};
}

void log_query(const dns::QueryLogEntry& entry) {
  log_fields(spdlog::level::info, "query", query_log_fields(entry));
}

}  // namespace driad::app
