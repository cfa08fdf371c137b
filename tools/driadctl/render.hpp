// driadctl's human output: aligned tables and short lines made from the admin
// API's JSON (admin/json_views.hpp). --json prints the JSON itself instead.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace driad::ctl {

// Columns padded to their widest cell, two spaces apart, no trailing blanks.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const noexcept { return rows_.empty(); }
  std::string text() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// "4.2s", "37s", "12m05s", "3h20m", "9d".
std::string duration_text(double seconds);

std::string render_status(const nlohmann::json& state);         // driadctl status
std::string render_decisions(const nlohmann::json& body);       // driadctl decisions
std::string render_explanation(const nlohmann::json& explain);  // driadctl explain
std::string render_reload(const nlohmann::json& body);          // driadctl reload

}  // namespace driad::ctl
