// Routes one request that names its backend in the standard header with the C++ library,
// against the installed package; prints what route.c prints:
//
//   c++ -std=c++20 route.cc $(pkg-config --cflags --libs llmroute-cpp) -o route_cpp
//   ./route_cpp examples/quickstart.yaml llama-cloud
//   routed 200 via standard_header: default/llama-cloud (route default/quickstart)
#include <llmroute/llmroute.h>

#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: " << argv[0] << " CONFIG BACKEND\n";
    return 2;
  }
  absl::StatusOr<llmroute::Config> config = llmroute::LoadConfigFile(argv[1]);
  if (!config.ok()) {
    std::cerr << config.status().message() << "\n";
    return 1;
  }
  absl::StatusOr<std::shared_ptr<const llmroute::RoutingTable>> table = llmroute::Compile(*config);
  if (!table.ok()) {
    std::cerr << table.status().message() << "\n";
    return 1;
  }
  const std::string backend = argv[2];
  const std::vector<llmroute::Header> headers = {{"x-ai-eg-model", "llama-3-70b"},
                                                 {"x-ai-gateway-backend", backend}};
  llmroute::Request request;
  request.method = "POST";
  request.path = "/v1/chat/completions";
  request.headers = headers;
  const llmroute::Decision d = (*table)->Resolve(request);

  std::cout << llmroute::StatusName(d.status) << " " << d.http_status;
  if (d.via != llmroute::Via::kNone) std::cout << " via " << llmroute::ViaName(d.via);
  if (d.backend) std::cout << ": " << d.backend->namespace_ << "/" << d.backend->name;
  if (d.route) std::cout << " (route " << d.route->namespace_ << "/" << d.route->name << ")";
  std::cout << "\n";
  return 0;
}
