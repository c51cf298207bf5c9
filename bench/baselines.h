// Two reference routers measured beside `resolve` on the same requests:
//  - Floor: find the model header by a case-insensitive scan and look its value up in one
//    absl::flat_hash_map — the least work any correct model router does.
//  - Linear: first-match scan over the rules, each header condition found by scanning the
//    request's headers — the straightforward router most gateways start with.
#ifndef LLMROUTE_BENCH_BASELINES_H_
#define LLMROUTE_BENCH_BASELINES_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "llmroute/request.h"

namespace llmroute::bench {

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x += 32;
    if (y >= 'A' && y <= 'Z') y += 32;
    if (x != y) return false;
  }
  return true;
}

inline const std::string_view* FindHeader(const Request& request, std::string_view lower_name) {
  for (const Header& header : request.headers) {
    if (EqualsIgnoreCase(header.name, lower_name)) return &header.value;
  }
  return nullptr;
}

class FloorRouter {
 public:
  void Add(std::string model, int backend) { backends_.emplace(std::move(model), backend); }
  int Route(const Request& request) const {
    const std::string_view* model = FindHeader(request, "x-ai-eg-model");
    if (model == nullptr) return -1;
    auto it = backends_.find(absl::string_view(model->data(), model->size()));
    return it == backends_.end() ? -1 : it->second;
  }

 private:
  absl::flat_hash_map<std::string, int> backends_;
};

class LinearRouter {
 public:
  struct Condition {
    std::string name;  // lower-case
    std::string value;
  };
  void Add(std::vector<Condition> conditions, int backend) { rules_.push_back({std::move(conditions), backend}); }
  int Route(const Request& request) const {
    for (const Rule& rule : rules_) {
      bool all = true;
      for (const Condition& condition : rule.conditions) {
        const std::string_view* value = FindHeader(request, condition.name);
        if (value == nullptr || *value != condition.value) {
          all = false;
          break;
        }
      }
      if (all) return rule.backend;
    }
    return -1;
  }

 private:
  struct Rule {
    std::vector<Condition> conditions;
    int backend;
  };
  std::vector<Rule> rules_;
};

}  // namespace llmroute::bench

#endif  // LLMROUTE_BENCH_BASELINES_H_
