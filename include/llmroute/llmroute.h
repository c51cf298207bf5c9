// llmroute: which backend gets this LLM request?
//
//   config text --LoadConfig*--> Config --Compile--> RoutingTable --Resolve--> Decision
//
// This umbrella header includes the whole public C++ API.
#ifndef LLMROUTE_LLMROUTE_H_
#define LLMROUTE_LLMROUTE_H_

#include "llmroute/config.h"
#include "llmroute/decision.h"
#include "llmroute/diagnostic.h"
#include "llmroute/explain.h"
#include "llmroute/health.h"
#include "llmroute/holder.h"
#include "llmroute/load.h"
#include "llmroute/names.h"
#include "llmroute/request.h"
#include "llmroute/table.h"

#endif  // LLMROUTE_LLMROUTE_H_
