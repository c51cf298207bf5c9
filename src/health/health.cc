// The health view (llmroute/health.h) and the process-wide backend name numbers.
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "health/name_registry.h"
#include "llmroute/health.h"
#include "text/views.h"

namespace llmroute {
namespace internal {
namespace {

struct NameRegistry {
  std::mutex mutex;
  absl::flat_hash_map<std::string, uint32_t> numbers;  // "namespace/name" → number
};

NameRegistry& Registry() {
  static NameRegistry* registry = new NameRegistry();  // never destroyed: used at exit
  return *registry;
}

std::string Key(std::string_view namespace_, std::string_view name) {
  return absl::StrCat(AsAbsl(namespace_), "/", AsAbsl(name));
}

}  // namespace

uint32_t InternHealthName(std::string_view namespace_, std::string_view name) {
  NameRegistry& registry = Registry();
  std::lock_guard lock(registry.mutex);
  std::string key = Key(namespace_, name);
  if (auto it = registry.numbers.find(key); it != registry.numbers.end()) return it->second;
  if (registry.numbers.size() >= kMaxHealthNames) return kNoHealthName;
  const uint32_t number = registry.numbers.size();
  registry.numbers.emplace(std::move(key), number);
  return number;
}

uint32_t FindHealthName(std::string_view namespace_, std::string_view name) {
  NameRegistry& registry = Registry();
  std::lock_guard lock(registry.mutex);
  auto it = registry.numbers.find(Key(namespace_, name));
  return it == registry.numbers.end() ? kNoHealthName : it->second;
}

}  // namespace internal

namespace {
int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

HealthView::HealthView() : HealthView(Clock(SteadyMs)) {}
HealthView::HealthView(Clock clock) : clock_(std::move(clock)) {}

HealthView::~HealthView() {
  for (auto& chunk : chunks_) delete[] chunk.load(std::memory_order_relaxed);
}

absl::Status HealthView::SetMark(std::string_view namespace_, std::string_view name,
                                 int64_t mark) {
  const uint32_t number = mark == 0 ? internal::FindHealthName(namespace_, name)
                                    : internal::InternHealthName(namespace_, name);
  if (number == internal::kNoHealthName) {
    if (mark == 0) return absl::OkStatus();  // never marked: already up
    return absl::ResourceExhaustedError(
        absl::StrCat("too many backend names: at most ", kMaxHealthNames, " in a process"));
  }
  std::atomic<std::atomic<int64_t>*>& slot = chunks_[number / kChunkSize];
  std::atomic<int64_t>* chunk = slot.load(std::memory_order_relaxed);
  if (chunk == nullptr) {
    if (mark == 0) return absl::OkStatus();
    chunk = new std::atomic<int64_t>[kChunkSize];
    for (std::size_t i = 0; i < kChunkSize; ++i) chunk[i].store(0, std::memory_order_relaxed);
    slot.store(chunk, std::memory_order_release);
  }
  std::atomic<int64_t>& cell = chunk[number % kChunkSize];
  const int64_t old = cell.load(std::memory_order_relaxed);
  const bool old_timed = old != 0 && old != kForever;
  const bool new_timed = mark != 0 && mark != kForever;
  // Counters go up before the mark is visible and down after it is gone, so a resolve that
  // sees a mark always sees the counters that make it look.
  if (old == 0 && mark != 0) marked_.fetch_add(1, std::memory_order_release);
  if (!old_timed && new_timed) timed_.fetch_add(1, std::memory_order_release);
  cell.store(mark, std::memory_order_release);
  if (old != 0 && mark == 0) marked_.fetch_sub(1, std::memory_order_release);
  if (old_timed && !new_timed) timed_.fetch_sub(1, std::memory_order_release);
  return absl::OkStatus();
}

absl::Status HealthView::MarkDown(std::string_view namespace_, std::string_view name) {
  std::lock_guard lock(mutex_);
  return SetMark(namespace_, name, kForever);
}

absl::Status HealthView::MarkDownFor(std::string_view namespace_, std::string_view name,
                                     int64_t milliseconds) {
  if (milliseconds <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("a cooldown must be at least 1 ms, not ", milliseconds));
  }
  std::lock_guard lock(mutex_);
  const int64_t now = clock_();
  // Saturates below kForever (which means "until marked up") and above 0 (which means up).
  int64_t until = now > kForever - 1 - milliseconds ? kForever - 1 : now + milliseconds;
  if (until <= 0) until = 1;
  return SetMark(namespace_, name, until);
}

void HealthView::MarkUp(std::string_view namespace_, std::string_view name) {
  std::lock_guard lock(mutex_);
  SetMark(namespace_, name, 0).IgnoreError();
}

BackendHealth HealthView::State(std::string_view namespace_, std::string_view name) const {
  const uint32_t number = internal::FindHealthName(namespace_, name);
  if (number == internal::kNoHealthName) return {};
  const int64_t mark = RawMark(number);
  if (mark == 0) return {};
  if (mark == kForever) return {true, std::nullopt};
  if (clock_() >= mark) return {};
  return {true, mark};
}

}  // namespace llmroute
