"""The LuaJIT FFI module declares the C ABI by hand (its ffi.cdef): it must be the C header's
declarations between the BEGIN and END markers, token for token (comments, layout and the
order of the declarations aside).

    cdef_test.py HEADER LUA_MODULE
"""
import difflib
import re
import sys

BEGIN = "/* BEGIN llmroute declarations */"
END = "/* END llmroute declarations */"


def tokens(text: str) -> list:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    return re.findall(r"[A-Za-z_][A-Za-z0-9_]*|\d+|\S", text)


def declarations(toks: list) -> list:
    """One line per top-level declaration, for a readable difference."""
    out, current, depth = [], [], 0
    for t in toks:
        current.append(t)
        depth += t == "{"
        depth -= t == "}"
        if t == ";" and depth == 0:
            out.append(" ".join(current))
            current = []
    if current:
        out.append(" ".join(current))
    return out


def main() -> int:
    header_path, lua_path = sys.argv[1:3]
    header = open(header_path, encoding="utf-8").read()
    lua = open(lua_path, encoding="utf-8").read()
    if header.count(BEGIN) != 1 or header.count(END) != 1:
        print(f"{header_path}: expected one {BEGIN!r} and one {END!r}")
        return 1
    block = header[header.index(BEGIN) + len(BEGIN):header.index(END)]
    m = re.search(r"ffi\.cdef\s*\[(=*)\[(.*?)\]\1\]", lua, re.S)
    if not m:
        print(f"{lua_path}: no ffi.cdef [[ ... ]] block")
        return 1
    want = sorted(declarations(tokens(block)))
    got = sorted(declarations(tokens(m.group(2))))
    if want == got:
        print(f"ok: {len(want)} declarations agree")
        return 0
    print(f"{lua_path}'s ffi.cdef differs from {header_path} (- header, + Lua module):")
    sys.stdout.writelines(line + "\n" for line in difflib.unified_diff(
        want, got, "header", "ffi.cdef", lineterm="", n=1))
    return 1


if __name__ == "__main__":
    sys.exit(main())
