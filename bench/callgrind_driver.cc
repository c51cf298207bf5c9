// Runs one workload's resolves with callgrind instrumentation on only around them, so
// `valgrind --tool=callgrind --instr-atstart=no` counts the instructions of resolve alone
// (machine noise does not move instruction counts). scripts/bench.sh divides by the count.
//
//   callgrind_driver WORKLOAD N COUNT     WORKLOAD: model | header | floor
//                                         | affinity | affinity-body (N backends)
//                                         | affinity-off (the affinity requests, key
//                                           header and all, to a table without affinity)
//                                         | health (N: the mode of BM_Health_Resolve)
#include <cstdio>
#include <cstdlib>
#include <string>

#include "baselines.h"
#include "workloads.h"

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#endif

using namespace llmroute;
using namespace llmroute::bench;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr,
                 "usage: %s model|header|floor|affinity|affinity-body|affinity-off|health N COUNT\n",
                 argv[0]);
    return 2;
  }
  const std::string workload = argv[1];
  const int n = std::atoi(argv[2]);
  const int count = std::atoi(argv[3]);
  const bool header = workload == "header";
  const bool affinity = workload.starts_with("affinity");
  const bool body = workload == "affinity-body";
  const bool health = workload == "health";
  std::string yaml = affinity ? AffinityYaml(n, body)
                     : health ? HealthYaml()
                              : ModelRoutingYaml(n, header);
  if (workload == "affinity-off") {
    const std::string setting = "  sessionAffinity: {header: x-session-id}\n";
    yaml.erase(yaml.find(setting), setting.size());
  }
  auto table = CompileOrDie(yaml);
  auto owned = affinity ? AffinityRequests(4096, 17, body)
               : health ? HealthRequests(4096, 19)
               : header ? StandardHeaderRequests(n, 4096, true, 42)
                        : ModelRequests(n, 4096, 42);
  auto requests = Views(owned);
  HealthView view;
  if (health) {
    if (n == 2) (void)view.MarkDown("elsewhere", "backend");
    if (n >= 3) (void)view.MarkDown("default", "healthy-3");
    if (n == 4) {
      for (const char* name : {"healthy-0", "healthy-5", "healthy-6"}) (void)view.MarkDown("default", name);
    }
    for (Request& r : requests) r.health = n == 0 ? nullptr : &view;
  }
  FloorRouter floor;
  for (int i = 0; i < n; ++i) floor.Add("model-" + std::to_string(i), i);

  uint64_t sink = 0;
  for (const Request& request : requests) sink += table->Resolve(request).rule.value_or(0);  // warm up
  CALLGRIND_START_INSTRUMENTATION;
  if (workload == "floor") {
    for (int i = 0; i < count; ++i) sink += floor.Route(requests[i & 4095]);
  } else {
    for (int i = 0; i < count; ++i) sink += table->Resolve(requests[i & 4095]).status == DecisionStatus::kRouted;
  }
  CALLGRIND_STOP_INSTRUMENTATION;
  std::printf("%llu\n", static_cast<unsigned long long>(sink));
  return 0;
}
