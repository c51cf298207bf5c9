// Compile: matches ranked by precedence, grouped by host, indexed by their rarest exact
// condition; the models list.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "compile/compiled_table.h"
#include "compile/compiler.h"
#include "diagnostic_status.h"
#include "match/conditions.h"
#include "simdjson.h"
#include "text/http_text.h"

namespace llmroute::internal {

void Compiler::RankMatches() {
  ranked_.resize(table_->matches.size());
  for (uint32_t i = 0; i < ranked_.size(); ++i) ranked_[i] = i;
  std::stable_sort(ranked_.begin(), ranked_.end(), [&](uint32_t a, uint32_t b) {
    return precedence_[a].Compare(precedence_[b]) < 0;
  });
  rank_of_match_.resize(ranked_.size());
  for (uint32_t rank = 0; rank < ranked_.size(); ++rank) rank_of_match_[ranked_[rank]] = rank;
}

absl::Status Compiler::BuildHostGroups() {
  // Routes of each hostname, in route order; the catch-all holds routes without any.
  StringMap<std::vector<uint32_t>> routes_by_hostname;
  std::vector<std::string> hostname_order;
  std::vector<uint32_t> catch_all_routes;
  for (uint32_t route_id = 0; route_id < route_hostnames_.size(); ++route_id) {
    if (route_hostnames_[route_id].empty()) catch_all_routes.push_back(route_id);
    for (const std::string& hostname : route_hostnames_[route_id]) {
      auto [it, inserted] = routes_by_hostname.try_emplace(hostname);
      if (inserted) hostname_order.push_back(hostname);
      it->second.push_back(route_id);
    }
  }
  // Where each route's matches are: ids are contiguous per route.
  std::vector<Range>& matches_of_route = matches_of_route_;
  matches_of_route.assign(table_->routes.size(), Range{});
  for (uint32_t id = table_->matches.size(); id-- > 0;) {
    Range& range = matches_of_route[table_->matches[id].route];
    if (range.empty()) range.end = id + 1;
    range.begin = id;
  }
  for (const std::string& hostname : hostname_order) {
    const uint32_t group = BuildGroup(routes_by_hostname[hostname], matches_of_route);
    if (hostname.starts_with("*.")) {
      table_->wildcard_hosts.emplace(hostname.substr(1), group);
    } else {
      table_->exact_hosts.emplace(hostname, group);
    }
  }
  if (!catch_all_routes.empty()) {
    table_->catch_all_group = BuildGroup(catch_all_routes, matches_of_route);
  }
  return absl::OkStatus();
}

uint32_t Compiler::BuildGroup(const std::vector<uint32_t>& route_ids, const std::vector<Range>& matches_of_route) {
  HostGroup group;
  std::vector<uint32_t> ranked;  // match ids, best precedence first
  for (uint32_t route_id : route_ids) {
    for (uint32_t id = matches_of_route[route_id].begin; id < matches_of_route[route_id].end; ++id) {
      ranked.push_back(id);
    }
    if (table_->routes[route_id].has_standard_header) group.standard_header_routes.push_back(route_id);
  }
  std::sort(ranked.begin(), ranked.end(),
            [&](uint32_t a, uint32_t b) { return rank_of_match_[a] < rank_of_match_[b]; });

  // Candidate anchors of a match: the condition keys an index can find it by, each with
  // the header condition an exact header anchor proves.
  using Kind = ConditionKey::Kind;
  struct Anchor {
    ConditionKey key;
    uint32_t condition = kNone;
  };
  auto anchors_of = [&](const CompiledMatch& match) {
    std::vector<Anchor> anchors;
    if (match.path_type == MatchType::kExact) anchors.push_back({{Kind::kExactPath, 0, match.path}});
    for (uint32_t c = match.headers.begin; c < match.headers.end; ++c) {
      const ValueCondition& condition = table_->header_conditions[c];
      if (condition.type == MatchType::kExact) anchors.push_back({ExactKey(condition, /*is_header=*/true), c});
    }
    for (uint32_t c = match.queries.begin; c < match.queries.end; ++c) {
      const ValueCondition& condition = table_->query_conditions[c];
      if (condition.type == MatchType::kExact) anchors.push_back({ExactKey(condition, /*is_header=*/false)});
    }
    if (match.path_type == MatchType::kPathPrefix && !match.path.empty()) {
      anchors.push_back({{Kind::kPathPrefix, 0, match.path}});
    }
    // Regex anchors by literal prefix rank after every exact anchor: they cost a regex run.
    if (match.path_type == MatchType::kRegularExpression && !match.path_literal_prefix.empty()) {
      anchors.push_back({{Kind::kPathRegexPrefix, 0, match.path_literal_prefix}});
    }
    for (uint32_t c = match.headers.begin; c < match.headers.end; ++c) {
      const ValueCondition& condition = table_->header_conditions[c];
      if (condition.type == MatchType::kRegularExpression && !condition.literal_prefix.empty()) {
        anchors.push_back({{Kind::kHeaderRegexPrefix, condition.key, condition.literal_prefix}});
      }
    }
    return anchors;
  };
  absl::flat_hash_map<ConditionKey, uint32_t> anchor_counts;
  for (uint32_t id : ranked) {
    for (const Anchor& anchor : anchors_of(table_->matches[id])) ++anchor_counts[anchor.key];
  }
  // Ranks per chosen anchor, then flattened into the group's rank pool.
  std::vector<std::pair<Anchor, std::vector<Candidate>>> lists;
  absl::flat_hash_map<ConditionKey, uint32_t> list_of_key;
  std::vector<Candidate> residual;
  for (uint32_t rank = 0; rank < ranked.size(); ++rank) {
    std::vector<Anchor> anchors = anchors_of(table_->matches[ranked[rank]]);
    if (anchors.empty()) {
      residual.push_back(MakeCandidate(rank, ranked[rank], kNone));
      continue;
    }
    const Anchor* best = &anchors.front();
    uint32_t best_count = anchor_counts[best->key];
    for (const Anchor& anchor : anchors) {
      uint32_t count = anchor_counts[anchor.key];
      const bool is_regex = anchor.key.is_regex();
      const bool best_is_regex = best->key.is_regex();
      if (is_regex && !best_is_regex) continue;
      if (count < best_count || (best_is_regex && !is_regex)) {
        best = &anchor;
        best_count = count;
      }
    }
    auto [it, inserted] = list_of_key.try_emplace(best->key, lists.size());
    if (inserted) lists.push_back({*best, {}});
    lists[it->second].second.push_back(MakeCandidate(rank, ranked[rank], best->condition));
  }
  auto flatten = [&](const std::vector<Candidate>& ranks) {
    Range range{static_cast<uint32_t>(group.rank_pool.size()), 0};
    group.rank_pool.insert(group.rank_pool.end(), ranks.begin(), ranks.end());
    range.end = group.rank_pool.size();
    return range;
  };
  auto index_for = [](std::vector<RankIndex>& indexes, uint32_t slot) -> RankIndex& {
    for (RankIndex& index : indexes) {
      if (index.key == slot) return index;
    }
    indexes.push_back(RankIndex{slot, {}});
    return indexes.back();
  };
  group.residual = flatten(residual);
  for (const auto& [anchor, ranks] : lists) {
    const Range range = flatten(ranks);
    const ConditionKey& key = anchor.key;
    std::string value(key.value);
    switch (key.kind) {
      case Kind::kExactPath: group.exact_paths.ranks_by_value.emplace(value, range); break;
      case Kind::kPathPrefix: AddPrefixAnchor(group.path_prefixes, value, range); break;
      case Kind::kHeader: index_for(group.header_values, key.slot).ranks_by_value.emplace(value, range); break;
      case Kind::kQuery: index_for(group.query_values, key.slot).ranks_by_value.emplace(value, range); break;
      case Kind::kPathRegexPrefix: AddPrefixAnchor(group.path_regex_prefixes, value, range); break;
      case Kind::kHeaderRegexPrefix:
        AddPrefixAnchor(index_for(group.header_regex_prefixes, key.slot), value, range);
        break;
      case Kind::kNone: break;
    }
  }
  table_->groups.push_back(std::move(group));
  group_routes_.push_back(route_ids);
  return table_->groups.size() - 1;
}

void NamesByLength::Build(const StringMap<uint32_t>& slots) {
  std::vector<Entry> sorted;
  for (const auto& [name, slot] : slots) sorted.push_back({name, slot, 0});
  std::sort(sorted.begin(), sorted.end(), [](const Entry& a, const Entry& b) {
    return a.name.size() != b.name.size() ? a.name.size() < b.name.size() : a.name < b.name;
  });
  longest = sorted.empty() ? 0 : sorted.back().name.size();
  by_length.assign(longest + 1, Range{});
  short_lengths = 0;
  names.clear();
  letter_bits.clear();
  for (Entry entry : sorted) {
    entry.letters = static_cast<uint32_t>(letter_bits.size());
    for (const char c : entry.name) letter_bits.push_back(c >= 'a' && c <= 'z' ? 0x20 : 0);
    if (entry.name.size() < 64) short_lengths |= uint64_t{1} << entry.name.size();
    Range& bucket = by_length[entry.name.size()];
    if (bucket.empty()) bucket.begin = bucket.end = static_cast<uint32_t>(names.size());
    names.push_back(entry);
    ++bucket.end;
  }
}

void Compiler::BucketNamesByLength() {
  table_->header_names.Build(table_->header_slots);
  table_->query_names.Build(table_->query_slots);
}

Candidate Compiler::MakeCandidate(uint32_t rank, uint32_t match_id, uint32_t proven_condition) const {
  const CompiledMatch& match = table_->matches[match_id];
  Candidate candidate;
  candidate.rank = rank;
  candidate.match = match_id;
  candidate.proven_condition = proven_condition;
  candidate.rule = match.rule;
  candidate.match_index = match.match_index;
  candidate.proven_is_all = proven_condition != kNone && match.path_type == MatchType::kPathPrefix &&
                            match.path.empty() && !match.has_method && match.headers.size() == 1 &&
                            match.queries.empty();
  return candidate;
}

void Compiler::AddPrefixAnchor(RankIndex& index, const std::string& prefix, Range ranks) {
  index.ranks_by_value.emplace(prefix, ranks);
  auto& lengths = index.prefix_lengths;
  auto at = std::lower_bound(lengths.begin(), lengths.end(), prefix.size());
  if (at == lengths.end() || *at != prefix.size()) lengths.insert(at, prefix.size());
}

void Compiler::CollectModels() {
  AppendModels(Range{0, static_cast<uint32_t>(table_->matches.size())}, table_->models);
  for (HostGroup& group : table_->groups) {
    // Match ids are contiguous per route and in route order, like the group's routes.
    for (uint32_t route_id : group_routes_[&group - table_->groups.data()]) {
      AppendModels(matches_of_route_[route_id], group.models);
    }
    Deduplicate(group.models);
  }
}

void Compiler::AppendModels(Range matches, std::vector<ModelEntry>& models) const {
  for (uint32_t id = matches.begin; id < matches.end; ++id) {
    const CompiledMatch& match = table_->matches[id];
    for (uint32_t c = match.headers.begin; c < match.headers.end; ++c) {
      const ValueCondition& condition = table_->header_conditions[c];
      if (condition.key != table_->model_slot || condition.type != MatchType::kExact) continue;
      models.push_back({condition.value, table_->routes[match.route].name,
                        rule_owned_by_[match.rule], rule_created_[match.rule]});
    }
  }
  Deduplicate(models);
}

void Compiler::Deduplicate(std::vector<ModelEntry>& models) {
  absl::flat_hash_set<std::string_view> seen;
  std::erase_if(models, [&](const ModelEntry& entry) { return !seen.insert(entry.model).second; });
}

}  // namespace llmroute::internal
