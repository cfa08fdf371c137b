// Implements TrafficOpsClient (traffic_ops_client.hpp) on one libcurl easy handle.
#include "health/traffic_ops_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>

#include <nlohmann/json.hpp>

#include "health/traffic_ops_json.hpp"

namespace driad::health {
namespace {

// Traffic Ops answers are a few MB at most; anything far larger is not one.
constexpr std::size_t kMaxBody = 64U << 20U;

// What the callbacks collect during one exchange.
struct Received {
  std::string body;
  std::string reason;
  std::string last_modified;
  bool too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& received = *static_cast<Received*>(user);
  const std::size_t bytes = size * count;
  if (received.body.size() + bytes > kMaxBody) {
    received.too_large = true;
    return 0;  // makes curl fail the transfer with CURLE_WRITE_ERROR
  }
  received.body.append(data, bytes);
  return bytes;
}

std::string trimmed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
    text.remove_suffix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
    text.remove_prefix(1);
  }
  return std::string(text);
}

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto& received = *static_cast<Received*>(user);
  const std::string_view line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    // "HTTP/1.1 500 Internal Server Error": a new status line (after a 100
    // Continue, say) starts the headers afresh.
    received.reason.clear();
    received.last_modified.clear();
    const auto code = line.find(' ');
    const auto text = code == std::string_view::npos ? code : line.find(' ', code + 1);
    if (text != std::string_view::npos) received.reason = trimmed(line.substr(text + 1));
  } else if (starts_with_nocase(line, "last-modified:")) {
    received.last_modified = trimmed(line.substr(std::strlen("last-modified:")));
  }
  return size * count;
}

int on_progress(void* aborted, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<std::atomic<bool>*>(aborted)->load() ? 1 : 0;
}

// The HTTP error of `response` for messages: "HTTP 500: Internal Server Error",
// preferring Traffic Ops' own alert texts to the status line's reason.
std::string http_error(long status, const std::string& reason, const std::string& body) {
  std::string detail = alerts_text(body);
  if (detail.empty()) detail = reason;
  return "HTTP " + std::to_string(status) + (detail.empty() ? "" : ": " + detail);
}

bool valid_api_version(const std::string& version) {
  const auto dot = version.find('.');
  const auto digits = [](std::string_view part) {
    return !part.empty() && std::all_of(part.begin(), part.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c)) != 0;
    });
  };
  return dot != std::string::npos && digits(std::string_view(version).substr(0, dot)) &&
         digits(std::string_view(version).substr(dot + 1));
}

class HeaderList {
 public:
  HeaderList() = default;
  HeaderList(const HeaderList&) = delete;
  HeaderList& operator=(const HeaderList&) = delete;
  ~HeaderList() { curl_slist_free_all(list_); }
  void add(const std::string& header) {
    if (curl_slist* grown = curl_slist_append(list_, header.c_str())) list_ = grown;
  }
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

}  // namespace

tl::expected<std::unique_ptr<TrafficOpsClient>, std::string> TrafficOpsClient::create(
    TrafficOpsSettings settings) {
  std::string& url = settings.url;
  while (url.size() > 1 && url.back() == '/') url.pop_back();
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return tl::unexpected("traffic ops url \"" + url + "\": not an http:// or https:// URL");
  }
  if (!valid_api_version(settings.api_version)) {
    return tl::unexpected("traffic ops api_version \"" + settings.api_version +
                          "\": not <major>.<minor>");
  }
  if (!settings.ca_file.empty() && !std::ifstream(settings.ca_file)) {
    return tl::unexpected("traffic ops ca_file " + settings.ca_file +
                          ": cannot open: " + std::strerror(errno));
  }
  if (settings.timeout.count() <= 0)
    return tl::unexpected(std::string("traffic ops timeout: not > 0"));
  // Once per process, before the first handle (thread-safe in libcurl >= 7.84).
  static std::once_flag curl_ready;
  std::call_once(curl_ready, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<TrafficOpsClient> client(new TrafficOpsClient(std::move(settings)));
  if (auto configured = client->configure(); !configured) return tl::unexpected(configured.error());
  return client;
}

TrafficOpsClient::TrafficOpsClient(TrafficOpsSettings settings)
    : settings_(std::move(settings)), curl_error_(CURL_ERROR_SIZE + 1, '\0') {}

TrafficOpsClient::~TrafficOpsClient() {
  if (curl_ != nullptr) curl_easy_cleanup(curl_);
}

tl::expected<void, std::string> TrafficOpsClient::configure() {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return tl::unexpected(std::string("traffic ops: curl_easy_init failed"));
  curl_ = curl;
  const auto set_failed = [](CURLcode code) { return code != CURLE_OK; };
  bool failed = false;
  failed |= set_failed(curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L));
  failed |= set_failed(curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error_.data()));
  failed |= set_failed(curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https"));
  // "" turns on the in-memory cookie engine without reading any file.
  failed |= set_failed(curl_easy_setopt(curl, CURLOPT_COOKIEFILE, ""));
  failed |= set_failed(curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, ""));
  failed |= set_failed(curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L));
  failed |= set_failed(
      curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout.count())));
  failed |= set_failed(curl_easy_setopt(curl, CURLOPT_USERAGENT, "driad/" DRIAD_VERSION));
  failed |= set_failed(curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body));
  failed |= set_failed(curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header));
  failed |= set_failed(curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L));
  failed |= set_failed(curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress));
  failed |= set_failed(curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &aborted_));
  if (!settings_.ca_file.empty()) {
    failed |= set_failed(curl_easy_setopt(curl, CURLOPT_CAINFO, settings_.ca_file.c_str()));
  }
  if (settings_.insecure) {
    failed |= set_failed(curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L));
    failed |= set_failed(curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L));
  }
  if (failed) return tl::unexpected(std::string("traffic ops: libcurl refused an option"));
  return {};
}

void TrafficOpsClient::abort() {
  aborted_ = true;
}

std::string TrafficOpsClient::api_path(const std::string& endpoint) const {
  return "/api/" + settings_.api_version + endpoint;
}

tl::expected<TrafficOpsClient::Response, std::string> TrafficOpsClient::perform(
    const std::string& path, const std::string* post_body, const std::string& if_modified_since) {
  if (aborted_) return tl::unexpected(std::string("stopped"));
  CURL* curl = curl_;
  Received received;
  HeaderList headers;
  headers.add("Accept: application/json");
  if (!if_modified_since.empty()) headers.add("If-Modified-Since: " + if_modified_since);
  const std::string url = settings_.url + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &received);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &received);
  if (post_body != nullptr) {
    headers.add("Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, post_body->c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(post_body->size()));
  } else {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_error_[0] = '\0';
  const CURLcode code = curl_easy_perform(curl);
  // Nothing may point at this call's locals (or the password) after it.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, nullptr);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, nullptr);
  if (code != CURLE_OK) {
    if (code == CURLE_ABORTED_BY_CALLBACK) return tl::unexpected(std::string("stopped"));
    if (code == CURLE_OPERATION_TIMEDOUT) {
      return tl::unexpected("timed out after " + std::to_string(settings_.timeout.count()) + " ms");
    }
    if (received.too_large) {
      return tl::unexpected("response larger than " + std::to_string(kMaxBody >> 20U) + " MiB");
    }
    const std::string detail(curl_error_.data());
    return tl::unexpected(detail.empty() ? std::string(curl_easy_strerror(code)) : detail);
  }
  Response response;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  response.reason = std::move(received.reason);
  response.body = std::move(received.body);
  response.last_modified = std::move(received.last_modified);
  return response;
}

tl::expected<void, std::string> TrafficOpsClient::login() {
  logged_in_ = false;
  // A fresh session: drop whatever cookies the old one left.
  curl_easy_setopt(curl_, CURLOPT_COOKIELIST, "ALL");
  const std::string body = nlohmann::json{{"u", settings_.user}, {"p", settings_.password}}.dump();
  const std::string path = api_path("/user/login");
  auto response = perform(path, &body, "");
  if (!response) return tl::unexpected("login: POST " + path + ": " + response.error());
  if (response->status != 200) {
    std::string detail = alerts_text(response->body);
    if (detail.empty()) detail = response->reason;
    return tl::unexpected("login: " + std::to_string(response->status) +
                          (detail.empty() ? "" : " " + detail));
  }
  logged_in_ = true;
  return {};
}

tl::expected<TrafficOpsClient::Response, std::string> TrafficOpsClient::get(
    const std::string& path, const std::string& if_modified_since) {
  if (!logged_in_) {
    if (auto done = login(); !done) return tl::unexpected(done.error());
  }
  auto response = perform(path, nullptr, if_modified_since);
  if (response && response->status == 401) {
    // The session expired (Traffic Ops re-issues the cookie for an hour per call).
    if (auto done = login(); !done) return tl::unexpected(done.error());
    response = perform(path, nullptr, if_modified_since);
  }
  if (!response) return tl::unexpected("GET " + path + ": " + response.error());
  if (response->status == 401) logged_in_ = false;
  return response;
}

template <typename T, typename Parse>
tl::expected<TrafficOpsClient::Fetched<T>, std::string> TrafficOpsClient::fetch_part(
    const std::string& path, const Cached<T>& cached, Parse parse, bool not_found_is_empty) {
  auto response = get(path, cached.value ? cached.last_modified : std::string());
  if (!response) return tl::unexpected(response.error());
  if (response->status == 304) {
    if (!cached.value) return tl::unexpected("GET " + path + ": 304 for a request without a date");
    return Fetched<T>{*cached.value, cached.last_modified, false};
  }
  if (response->status == 404 && not_found_is_empty) return Fetched<T>{T{}, "", true};
  if (response->status != 200) {
    return tl::unexpected("GET " + path + ": " +
                          http_error(response->status, response->reason, response->body));
  }
  auto parsed = parse(response->body);
  if (!parsed) return tl::unexpected("GET " + path + ": " + parsed.error());
  return Fetched<T>{std::move(*parsed), std::move(response->last_modified), true};
}

tl::expected<FetchResult, std::string> TrafficOpsClient::fetch() {
  auto servers = fetch_part(
      api_path("/servers?type=") + std::string(kAmtRelayType), servers_,
      [this](const std::string& body) { return parse_servers(body, settings_.cdn); }, false);
  if (!servers) return tl::unexpected(servers.error());
  auto groups = fetch_part(
      api_path("/cachegroups"), cachegroups_,
      [](const std::string& body) { return parse_cachegroups(body); }, false);
  if (!groups) return tl::unexpected(groups.error());
  auto port = fetch_part(
      api_path("/profiles/name/") + std::string(kMxProfile) + "/parameters", gnmi_port_,
      [](const std::string& body) { return parse_gnmi_port(body); }, true);
  if (!port) return tl::unexpected(port.error());

  const bool modified = servers->modified || groups->modified || !gnmi_port_.value ||
                        *gnmi_port_.value != port->value;
  servers_ = {servers->value, servers->last_modified};
  cachegroups_ = {groups->value, groups->last_modified};
  gnmi_port_ = {port->value, port->last_modified};
  if (!modified) return FetchResult{};
  return FetchResult{Topology{std::move(servers->value), std::move(groups->value), port->value}};
}

}  // namespace driad::health
