// RoutingTable: the compiled table's public face. Compile (compile/) builds it, Decide
// (resolve/) answers a request from it.
#include "llmroute/table.h"

#include <memory>
#include <span>
#include <string_view>
#include <utility>

#include "compile/compiled_table.h"
#include "resolve/resolve_steps.h"

namespace llmroute {

RoutingTable::RoutingTable(std::unique_ptr<internal::CompiledTable> compiled)
    : compiled_(std::move(compiled)) {}
RoutingTable::~RoutingTable() = default;

Decision RoutingTable::Resolve(const Request& request) const {
  Decision decision = internal::Decide(*compiled_, request);
  decision.http_status = HttpStatusOf(decision.status);
  return decision;
}

std::span<const Diagnostic> RoutingTable::warnings() const { return compiled_->warnings; }

std::span<const ModelEntry> RoutingTable::models() const { return compiled_->models; }

std::span<const ModelEntry> RoutingTable::models(std::string_view host) const {
  const internal::HostGroup* group = internal::GroupForHost(*compiled_, host);
  return group == nullptr ? std::span<const ModelEntry>() : std::span<const ModelEntry>(group->models);
}

std::string_view RoutingTable::model_header() const { return compiled_->model_header; }

std::span<const std::string_view> RoutingTable::owned_headers() const {
  return compiled_->owned_headers;
}

}  // namespace llmroute
