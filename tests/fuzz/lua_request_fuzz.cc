// libFuzzer harness for the Lua 5.3 C module's request conversion (bindings/lua/llmroute_lua.c,
// compiled in): an embedded Lua 5.3 builds request tables from the input and calls
// router:resolve (and llmroute.from_file with a path list built the same way).
//
// The input is a small program for a value stack: push strings (raw bytes or a few names
// the configuration knows), integers, floats, booleans, nil and tables; store into tables;
// give tables metatables whose __len lies (a fixed count, -1, or a different answer on
// every call) and whose __index answers anything; set the request's fields. Resolve must
// not crash or read freed memory: the collector runs constantly (pause 0), so a string
// the module stops referencing too early is freed before the library reads it.
#include <lua.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

extern "C" int luaopen_llmroute(lua_State* L);

namespace {

constexpr char kConfig[] = R"(apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: LLMRoute
metadata: {name: quickstart, namespace: default}
spec:
  rules:
    - matches:
        - headers:
            - {type: Exact, name: x-ai-eg-model, value: gpt-4o-mini}
      backendRefs: [{name: openai}]
    - matches:
        - headers:
            - {type: RegularExpression, name: x-ai-eg-model, value: "llama-.*"}
      backendRefs: [{name: llama-local, weight: 80}, {name: llama-cloud, weight: 20}]
  standardRoutingHeader:
    enabled: true
    allowedBackends: Explicit
    backends: [openai, llama-cloud]
)";

constexpr const char* kWords[] = {
    "x-ai-eg-model", "x-ai-gateway-backend", "gpt-4o-mini", "llama-3-70b", "openai",
    "POST", "/v1/chat/completions", "example.com", R"({"model": "llama-3-70b"})", "",
};

constexpr const char* kFields[] = {"method", "host", "path", "body", "headers", "entropy"};

constexpr int kMaxStack = 64;

lua_State* g_lua = nullptr;
int g_router = LUA_NOREF;  // registry reference to the router

// __len: a fixed answer, or (when the second upvalue is true) a different one each call.
int LyingLen(lua_State* L) {
  lua_Integer n = lua_tointeger(L, lua_upvalueindex(1));
  if (lua_toboolean(L, lua_upvalueindex(2))) {
    lua_pushinteger(L, n * 3 + 1);
    lua_replace(L, lua_upvalueindex(1));
  }
  lua_pushinteger(L, n);
  return 1;
}

// __index: whatever value it was made with.
int AnyIndex(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  return 1;
}

lua_State* Init() {
  lua_State* L = luaL_newstate();
  luaL_openlibs(L);
  luaL_requiref(L, "llmroute", luaopen_llmroute, 0);
  lua_getfield(L, -1, "from_text");
  lua_pushstring(L, kConfig);
  if (lua_pcall(L, 1, 1, 0) != LUA_OK || !lua_isuserdata(L, -1)) std::abort();
  g_router = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_settop(L, 0);
  lua_gc(L, LUA_GCSETPAUSE, 0);  // always collecting
  return L;
}

class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  uint8_t Byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint64_t Bytes(size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | Byte();
    return v;
  }
  const char* Take(size_t* n) {
    if (*n > size_ - pos_) *n = size_ - pos_;
    const char* p = reinterpret_cast<const char*>(data_ + pos_);
    pos_ += *n;
    return p;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// Sets or extends the metatable of the table at `index` with `field` = the value on top.
void SetMeta(lua_State* L, int index, const char* field) {
  index = lua_absindex(L, index);
  if (!lua_getmetatable(L, index)) {
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setmetatable(L, index);
  }
  lua_insert(L, -2);
  lua_setfield(L, -2, field);
  lua_pop(L, 1);
}

// Runs the program; the request table is at index 1, the value stack above it.
void Build(lua_State* L, Input& in) {
  while (!in.empty()) {
    const int top = lua_gettop(L);
    const bool full = top >= kMaxStack;
    switch (in.Byte() % 14) {
      case 0: {  // a string of raw bytes
        size_t n = in.Byte();
        const char* p = in.Take(&n);
        if (!full) lua_pushlstring(L, p, n);
        break;
      }
      case 1: {  // a known word
        const char* w = kWords[in.Byte() % (sizeof(kWords) / sizeof(kWords[0]))];
        if (!full) lua_pushstring(L, w);
        break;
      }
      case 2: {  // an integer
        const lua_Integer v = static_cast<lua_Integer>(in.Bytes(8));
        if (!full) lua_pushinteger(L, v);
        break;
      }
      case 3: {  // a float
        const uint64_t bits = in.Bytes(8);
        double v;
        std::memcpy(&v, &bits, sizeof v);
        if (!full) lua_pushnumber(L, v);
        break;
      }
      case 4:
        if (!full) lua_pushboolean(L, in.Byte() & 1);
        break;
      case 5:
        if (!full) lua_pushnil(L);
        break;
      case 6:
        if (!full) lua_newtable(L);
        break;
      case 7:  // t[k] = v with t, k, v on top
        if (top >= 4 && lua_istable(L, -3)) {
          const int kt = lua_type(L, -2);
          if (kt == LUA_TNIL || (kt == LUA_TNUMBER && lua_tonumber(L, -2) != lua_tonumber(L, -2))) {
            lua_pop(L, 2);
          } else {
            lua_rawset(L, -3);
          }
        }
        break;
      case 8:  // append v to t with t, v on top
        if (top >= 3 && lua_istable(L, -2)) {
          lua_rawseti(L, -2, static_cast<lua_Integer>(lua_rawlen(L, -2)) + 1);
        }
        break;
      case 9: {  // a lying __len on the table on top
        const uint8_t mode = in.Byte();
        const lua_Integer n = mode & 0x80 ? -1 : static_cast<lua_Integer>(in.Bytes(2));
        if (top >= 2 && lua_istable(L, -1)) {
          lua_pushinteger(L, n);
          lua_pushboolean(L, mode & 1);
          lua_pushcclosure(L, LyingLen, 2);
          SetMeta(L, -2, "__len");
        }
        break;
      }
      case 10:  // __index answering v, on t with t, v on top (v popped)
        if (top >= 3 && lua_istable(L, -2)) {
          lua_pushcclosure(L, AnyIndex, 1);
          SetMeta(L, -2, "__index");
        }
        break;
      case 11:  // duplicate the top
        if (top >= 2 && !full) lua_pushvalue(L, -1);
        break;
      case 12: {  // req[field] = v (popped)
        const char* field = kFields[in.Byte() % (sizeof(kFields) / sizeof(kFields[0]))];
        if (top >= 2) lua_setfield(L, 1, field);
        break;
      }
      case 13:  // drop the top
        if (top >= 2) lua_pop(L, 1);
        break;
    }
  }
}

// A copy of the table at `index` for llmroute.from_file: every string replaced by a path
// that does not exist (the fuzzer must not read arbitrary files), everything else and the
// metatable kept.
void PushPathList(lua_State* L, int index) {
  index = lua_absindex(L, index);
  lua_newtable(L);
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    if (lua_type(L, -1) == LUA_TSTRING) {
      lua_pop(L, 1);
      lua_pushstring(L, "/nonexistent/llmroute-fuzz.yaml");
    }
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, -4);
  }
  if (lua_getmetatable(L, index)) lua_setmetatable(L, -2);
}

// Builds the request from the input (light userdata at 1), resolves it, and compiles from
// its headers table read as a path list.
int Run(lua_State* L) {
  Input* in = static_cast<Input*>(lua_touserdata(L, 1));
  lua_settop(L, 0);
  if (!lua_checkstack(L, kMaxStack + 16)) return 0;
  lua_newtable(L);  // the request, at 1
  Build(L, *in);
  lua_settop(L, 1);

  lua_rawgeti(L, LUA_REGISTRYINDEX, g_router);
  lua_getfield(L, -1, "resolve");
  lua_insert(L, -2);
  lua_pushvalue(L, 1);
  if (lua_pcall(L, 2, 2, 0) == LUA_OK && lua_istable(L, -2)) {
    lua_getfield(L, -2, "model");  // read what came back, as a caller would
    lua_getfield(L, -3, "status");
  }
  lua_settop(L, 1);

  if (lua_getfield(L, 1, "headers") == LUA_TTABLE) {
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "loaded");
    lua_getfield(L, -1, "llmroute");
    lua_getfield(L, -1, "from_file");
    PushPathList(L, 2);
    lua_pcall(L, 1, 3, 0);
  }
  lua_settop(L, 0);
  return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (g_lua == nullptr) g_lua = Init();
  lua_State* L = g_lua;
  Input in(data, size);
  lua_settop(L, 0);
  lua_pushcfunction(L, Run);
  lua_pushlightuserdata(L, &in);
  lua_pcall(L, 1, 0, 0);  // Lua errors (a request that is not a table) are allowed
  lua_settop(L, 0);
  lua_gc(L, LUA_GCCOLLECT, 0);
  return 0;
}
