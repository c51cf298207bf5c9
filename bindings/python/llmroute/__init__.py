"""llmroute: which backend gets this LLM request?

A binding of the llmroute C library (llmroute/c.h) with ctypes, from the standard library
only::

    import llmroute

    router = llmroute.Router.from_file("routes.yaml", standard_header=True)
    d = router.resolve(method="POST", path="/v1/chat/completions",
                       headers={"x-ai-gateway-backend": "openai"})
    if d.status is llmroute.Status.ROUTED:
        print(d.backend.namespace, d.backend.name, d.via)

A ``Router`` owns its compiled table; every ``Decision`` is a frozen copy made before
``resolve`` returns, so nothing can point into a freed table. Each table caches up to 1024
decisions (they repeat), keyed by the decision and its model; a decision whose model is
longer than 256 bytes is not cached, so the cache holds under 1 MiB of strings whatever
the requests carry. ``Router.reload`` compiles a
new table and swaps it in while other threads keep resolving (each call resolves against
the table that was current when it started).

The shared library is looked for, in order: the path in the environment variable
``LLMROUTE_LIBRARY`` (a file, or a directory holding it); next to this package; on the
system's library path (``libllmroute.so.0``). ``LibraryNotFoundError`` lists every place
tried.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import enum
import os
import struct
import threading
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional, Sequence, Tuple, Union

__all__ = [
    "BackendKind",
    "ConfigError",
    "Attempt",
    "Decision",
    "Error",
    "Health",
    "LibraryNotFoundError",
    "Model",
    "Mutations",
    "NamespacedName",
    "Retry",
    "Router",
    "Status",
    "Via",
    "library_path",
    "version",
]

# ---------------------------------------------------------------------------------------
# Public types


class Status(str, enum.Enum):
    """A decision's status. Compares equal to its name: ``Status.ROUTED == "routed"``."""

    ROUTED = "routed"
    NO_ROUTE = "no_route"
    BACKEND_NOT_ALLOWED = "backend_not_allowed"
    BAD_REQUEST = "bad_request"
    NO_BACKEND = "no_backend"

    def __str__(self) -> str:
        return self.value


class Via(str, enum.Enum):
    """What decided a request: a rule, or the standard routing header."""

    RULE = "rule"
    STANDARD_HEADER = "standard_header"

    def __str__(self) -> str:
        return self.value


class BackendKind(str, enum.Enum):
    """What a routed decision's backend is: a plain backend, or an InferencePool (hand the
    request to the pool's endpoint picker)."""

    BACKEND = "Backend"
    INFERENCE_POOL = "InferencePool"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Mutations:
    """The chosen backendRef's ``headerMutation`` and ``bodyMutation``: headers to set
    (``(name, value)``, replacing) and remove, top-level JSON body fields to set
    (``(path, value as JSON text)``) and remove."""

    header_set: Tuple[Tuple[str, str], ...]
    header_remove: Tuple[str, ...]
    body_set: Tuple[Tuple[str, str], ...]
    body_remove: Tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NamespacedName:
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True, slots=True)
class Retry:
    """A rule's retry policy (Gateway API HTTPRouteRetry)."""

    codes: Tuple[int, ...]  # HTTP statuses that may be retried, as configured
    attempts: int  # retries after the first try, 0-16
    backoff_ms: int  # the wait before each retry


@dataclass(frozen=True, slots=True)
class Attempt:
    """The next try of a request: a backend and that backendRef's modelNameOverride."""

    backend: NamespacedName
    model_override: Optional[str]


@dataclass(frozen=True, slots=True)
class Decision:
    """Which backend gets the request, and why. Absent values are ``None``."""

    status: Status
    http_status: int
    via: Optional[Via]
    backend: Optional[NamespacedName]
    route: Optional[NamespacedName]
    rule: Optional[int]
    rule_name: Optional[str]
    match: Optional[int]
    model: Optional[str]
    model_override: Optional[str]
    fallbacks: Tuple[NamespacedName, ...]
    reason: Optional[str]
    backend_kind: Optional[BackendKind]  # None when not routed
    mutations: Optional[Mutations]  # None when the chosen backendRef has none
    # Each fallback's modelNameOverride (None: the backendRef has none), position for
    # position with ``fallbacks``.
    fallback_overrides: Tuple[Optional[str], ...]
    # The winning rule's retry policy; None without one, for the standard header, and for
    # every decision that is not routed.
    retry: Optional[Retry]
    affinity: bool = False  # the rule's session affinity key chose the backend
    panic: bool = False  # every backend of the rule was down: the health view was ignored

    @property
    def routed(self) -> bool:
        return self.status is Status.ROUTED

    @property
    def upstream_model(self) -> Optional[str]:
        """The model header's value for the upstream request, replacing the client's: the
        chosen backendRef's ``model_override`` when it has one, else ``model``; ``None``:
        send no model header."""
        return self.model_override if self.model_override is not None else self.model

    def next_attempt(self, attempts_made: int, last_status: int) -> Optional[Attempt]:
        """The next try after ``attempts_made`` (>= 1) tries, the last ending with
        ``last_status`` (its HTTP status, or 0 for a connection failure or timeout):
        ``fallbacks[attempts_made - 1]`` when the decision has a retry policy,
        ``attempts_made <= retry.attempts``, ``last_status`` is 0 or in ``retry.codes``, and
        that fallback exists; otherwise None. The rule of ``llmroute_next_attempt``."""
        retry = self.retry
        if (retry is None or not 1 <= attempts_made <= retry.attempts
                or (last_status != 0 and last_status not in retry.codes)
                or attempts_made > len(self.fallbacks)):
            return None
        return Attempt(self.fallbacks[attempts_made - 1], self.fallback_overrides[attempts_made - 1])


@dataclass(frozen=True, slots=True)
class Model:
    """One entry of the models list, as OpenAI's ``/v1/models`` lists a model: an Exact
    value of the model header, its route, owner and creation time (Unix seconds)."""

    model: str
    route: NamespacedName
    owned_by: str
    created: int


class Error(Exception):
    """Base class of this module's errors."""


class ConfigError(Error):
    """The configuration does not load or compile (or a file cannot be read).

    ``message`` is the line the CLI prints, ``file:line:column: error: field: message``;
    ``code`` names the kind: ``config``, ``not_found``, ``permission_denied``, ``io``.
    """

    def __init__(self, message: str, code: str = "config") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class LibraryNotFoundError(Error, ImportError):
    """The shared library was not found; the message lists every place tried."""


# ---------------------------------------------------------------------------------------
# The C ABI


class _String(ctypes.Structure):
    """A string going in: the bytes object stays referenced by the struct."""

    _fields_ = [("data", ctypes.c_char_p), ("len", ctypes.c_size_t)]


class _Header(ctypes.Structure):
    _fields_ = [("name", _String), ("value", _String)]


class _OutString(ctypes.Structure):
    """A string coming out: its address (an int, None for NULL) and length."""

    _fields_ = [("data", ctypes.c_void_p), ("len", ctypes.c_size_t)]


class _OutName(ctypes.Structure):
    _fields_ = [("ns", _OutString), ("name", _OutString)]


class _Request(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("method", _String),
        ("host", _String),
        ("path", _String),
        ("headers", ctypes.POINTER(_Header)),
        ("header_count", ctypes.c_size_t),
        ("body", _String),
        ("body_padding", ctypes.c_size_t),
        ("entropy", ctypes.c_uint64),
        ("has_entropy", ctypes.c_int32),
        ("reserved", ctypes.c_int32),
        ("health", ctypes.c_void_p),
    ]


class _Decision(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("status", ctypes.c_int32),
        ("http_status", ctypes.c_int32),
        ("via", ctypes.c_int32),
        ("rule", ctypes.c_int32),
        ("match", ctypes.c_int32),
        ("reserved", ctypes.c_int32),
        ("backend", _OutName),
        ("route", _OutName),
        ("rule_name", _OutString),
        ("model", _OutString),
        ("model_override", _OutString),
        ("reason", _OutString),
        ("fallback_count", ctypes.c_size_t),
        ("fallbacks", ctypes.c_void_p),
        ("backend_kind", ctypes.c_int32),
        ("reserved2", ctypes.c_int32),
        ("header_set_count", ctypes.c_size_t),
        ("header_remove_count", ctypes.c_size_t),
        ("body_set_count", ctypes.c_size_t),
        ("body_remove_count", ctypes.c_size_t),
        ("mutations", ctypes.c_void_p),
        ("has_retry", ctypes.c_int32),
        ("retry_attempts", ctypes.c_uint32),
        ("retry_backoff_ms", ctypes.c_uint64),
        ("retry_codes", ctypes.c_void_p),
        ("retry_code_count", ctypes.c_size_t),
        ("affinity", ctypes.c_int32),
        ("panic", ctypes.c_int32),
    ]


class _Model(ctypes.Structure):
    _fields_ = [("id", _OutString), ("route", _OutName), ("owned_by", _OutString),
                ("created", ctypes.c_int64)]


# The decision read in one call: struct_size, six int32, then 18 pointer-sized words
# (backend ns/name, route ns/name, rule_name, model, model_override, reason as data+len,
# fallback_count, fallbacks), two int32 (backend_kind, reserved2), five words (the four
# mutation counts, mutations), then the retry policy (has_retry, attempts, backoff_ms,
# codes, code count), then two int32 (affinity, panic).
_DECISION_LAYOUT = struct.Struct("=Q6i18Q2i5QiI3Q2i")
assert _DECISION_LAYOUT.size == ctypes.sizeof(_Decision) or ctypes.sizeof(ctypes.c_void_p) != 8

_STATUSES = (
    Status.ROUTED,
    Status.NO_ROUTE,
    Status.BACKEND_NOT_ALLOWED,
    Status.BAD_REQUEST,
    Status.NO_BACKEND,
)
_VIAS = (None, Via.RULE, Via.STANDARD_HEADER)
_BACKEND_KINDS = {0: BackendKind.BACKEND, 1: BackendKind.INFERENCE_POOL}
_MAX_BODY_SIZE_LIMIT = 4294967295  # the C setter's range: 1 to 2**32 - 1 bytes
_OK = 0

_library: Optional[ctypes.CDLL] = None
_library_path: Optional[str] = None
_library_lock = threading.Lock()


def _candidates() -> list[str]:
    names = ("libllmroute.so.0", "libllmroute.so")
    out = []
    env = os.environ.get("LLMROUTE_LIBRARY")
    if env:
        if os.path.isdir(env):
            out.extend(os.path.join(env, n) for n in names)
        else:
            out.append(env)
    here = os.path.dirname(os.path.abspath(__file__))
    out.extend(os.path.join(here, n) for n in names)
    found = ctypes.util.find_library("llmroute")
    if found:
        out.append(found)
    out.extend(names)  # the dynamic linker's own search (LD_LIBRARY_PATH, ld.so.cache)
    return out


def _declare(lib: ctypes.CDLL) -> None:
    c = ctypes
    p_opts = c.c_void_p
    p_table = c.c_void_p
    sigs = {
        "llmroute_version": (c.c_char_p, []),
        "llmroute_version_number": (c.c_int32, []),
        "llmroute_error_name": (c.c_char_p, [c.c_int32]),
        "llmroute_free": (None, [c.c_void_p]),
        "llmroute_compile_options_create": (p_opts, []),
        "llmroute_compile_options_free": (None, [p_opts]),
        "llmroute_compile_options_set_model_header": (c.c_int32, [p_opts, c.c_char_p, c.c_size_t]),
        "llmroute_compile_options_set_standard_header": (c.c_int32, [p_opts, c.c_int32]),
        "llmroute_compile_options_set_standard_header_name": (
            c.c_int32,
            [p_opts, c.c_char_p, c.c_size_t],
        ),
        "llmroute_compile_options_set_allowed_backends": (c.c_int32, [p_opts, c.c_int32]),
        "llmroute_compile_options_set_on_disallowed": (c.c_int32, [p_opts, c.c_int32]),
        "llmroute_allowed_backends_from_name": (
            c.c_int32, [c.c_char_p, c.c_size_t, c.POINTER(c.c_int32)]),
        "llmroute_on_disallowed_from_name": (
            c.c_int32, [c.c_char_p, c.c_size_t, c.POINTER(c.c_int32)]),
        "llmroute_compile_options_set_max_body_size": (c.c_int32, [p_opts, c.c_size_t]),
        "llmroute_table_compile_text": (
            c.c_int32,
            [p_opts, c.c_char_p, c.c_size_t, c.c_char_p, c.c_size_t,
             c.POINTER(c.c_void_p), c.POINTER(c.c_void_p)],
        ),
        "llmroute_table_compile_files": (
            c.c_int32,
            [p_opts, c.POINTER(_String), c.c_size_t, c.POINTER(c.c_void_p), c.POINTER(c.c_void_p)],
        ),
        "llmroute_table_free": (None, [p_table]),
        "llmroute_resolve": (c.c_int32, [p_table, c.c_void_p, c.c_void_p]),
        "llmroute_decision_fallback": (c.c_int32, [c.c_void_p, c.c_size_t, c.POINTER(_OutName)]),
        "llmroute_decision_fallback_override": (
            c.c_int32,
            [c.c_void_p, c.c_size_t, c.POINTER(_OutString)],
        ),
        "llmroute_explain": (
            c.c_int32,
            [p_table, c.c_void_p, c.POINTER(c.c_void_p), c.POINTER(c.c_size_t),
             c.POINTER(c.c_void_p)],
        ),
        "llmroute_table_model_count": (c.c_size_t, [p_table]),
        "llmroute_table_model": (
            c.c_int32,
            [p_table, c.c_size_t, c.POINTER(_OutString), c.POINTER(_OutName)],
        ),
        "llmroute_table_model_info": (c.c_int32, [p_table, c.c_size_t, c.POINTER(_Model)]),
        "llmroute_table_host_model_count": (c.c_size_t, [p_table, c.c_char_p, c.c_size_t]),
        "llmroute_table_host_model": (
            c.c_int32,
            [p_table, c.c_char_p, c.c_size_t, c.c_size_t, c.POINTER(_Model)],
        ),
        "llmroute_decision_header_set": (
            c.c_int32, [c.c_void_p, c.c_size_t, c.POINTER(_OutString), c.POINTER(_OutString)]),
        "llmroute_decision_header_remove": (
            c.c_int32, [c.c_void_p, c.c_size_t, c.POINTER(_OutString)]),
        "llmroute_decision_body_set": (
            c.c_int32, [c.c_void_p, c.c_size_t, c.POINTER(_OutString), c.POINTER(_OutString)]),
        "llmroute_decision_body_remove": (
            c.c_int32, [c.c_void_p, c.c_size_t, c.POINTER(_OutString)]),
        "llmroute_table_warning_count": (c.c_size_t, [p_table]),
        "llmroute_table_warning": (c.c_int32, [p_table, c.c_size_t, c.POINTER(_OutString)]),
        "llmroute_table_model_header": (c.c_int32, [p_table, c.POINTER(_OutString)]),
        "llmroute_table_owned_header_count": (c.c_size_t, [p_table]),
        "llmroute_table_owned_header": (c.c_int32, [p_table, c.c_size_t, c.POINTER(_OutString)]),
        "llmroute_holder_create": (c.c_void_p, [p_table]),
        "llmroute_holder_free": (None, [c.c_void_p]),
        "llmroute_holder_swap": (c.c_int32, [c.c_void_p, p_table]),
        "llmroute_holder_generation": (c.c_uint64, [c.c_void_p]),
        "llmroute_compile_options_set_affinity_header": (c.c_int32, [p_opts, c.c_char_p, c.c_size_t]),
        "llmroute_compile_options_set_affinity_body_field": (
            c.c_int32,
            [p_opts, c.c_char_p, c.c_size_t],
        ),
        "llmroute_health_create": (c.c_void_p, []),
        "llmroute_health_create_manual_clock": (c.c_void_p, [c.c_int64]),
        "llmroute_health_set_now": (c.c_int32, [c.c_void_p, c.c_int64]),
        "llmroute_health_free": (None, [c.c_void_p]),
        "llmroute_health_mark_down": (
            c.c_int32, [c.c_void_p, c.c_char_p, c.c_size_t, c.c_char_p, c.c_size_t]),
        "llmroute_health_mark_down_for": (
            c.c_int32, [c.c_void_p, c.c_char_p, c.c_size_t, c.c_char_p, c.c_size_t, c.c_int64]),
        "llmroute_health_mark_up": (
            c.c_int32, [c.c_void_p, c.c_char_p, c.c_size_t, c.c_char_p, c.c_size_t]),
        "llmroute_health_state": (
            c.c_int32, [c.c_void_p, c.c_char_p, c.c_size_t, c.c_char_p, c.c_size_t,
                        c.POINTER(c.c_int32), c.POINTER(c.c_int64)]),
    }
    for name, (restype, argtypes) in sigs.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes


def _lib() -> ctypes.CDLL:
    global _library, _library_path
    if _library is not None:
        return _library
    with _library_lock:
        if _library is not None:
            return _library
        tried = []
        for candidate in _candidates():
            if os.sep in candidate and not os.path.exists(candidate):
                tried.append(f"{candidate} (no such file)")
                continue
            try:
                lib = ctypes.CDLL(candidate)
                _declare(lib)
            except (OSError, AttributeError) as e:
                tried.append(f"{candidate} ({e})")
                continue
            _library_path = candidate
            _library = lib
            return lib
        raise LibraryNotFoundError(
            "cannot load the llmroute shared library; set LLMROUTE_LIBRARY to its path. Tried:\n  "
            + "\n  ".join(tried)
        )


def library_path() -> str:
    """The path of the shared library in use (loading it if needed)."""
    _lib()
    assert _library_path is not None
    return _library_path


def version() -> str:
    """The C library's version, e.g. ``"0.1.0"`` (also ``llmroute.__version__``)."""
    return _lib().llmroute_version().decode()


def __getattr__(name: str) -> str:
    # ``__version__`` is the loaded C library's version: the package has no version of its
    # own (its distribution's is the same project version).
    if name == "__version__":
        return version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _bytes(value: Union[str, bytes], what: str) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{what} must be str or bytes, not {type(value).__name__}")


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def _out(s: _OutString) -> str:
    return _text(ctypes.string_at(s.data, s.len)) if s.data else ""


def _raise_error(code: int, error: ctypes.c_void_p) -> None:
    lib = _lib()
    message = ctypes.string_at(error.value).decode("utf-8", "replace") if error.value else ""
    lib.llmroute_free(error)
    name = lib.llmroute_error_name(code).decode()
    if not message:
        message = name
    raise ConfigError(message, name)



def _enum_value(from_name, name, option: str, known: str) -> int:
    """The C value the library gives `name` for `option`; ValueError for another name."""
    out = ctypes.c_int32()
    b = name.encode("utf-8", "surrogatepass") if isinstance(name, str) else None
    if b is None or from_name(b, len(b), ctypes.byref(out)) != 0:
        raise ValueError(f"{option} must be one of [{known}], not {name!r}")
    return out.value


class _Options:
    """Compile options as a C handle, freed with this object."""

    def __init__(
        self,
        model_header: Optional[str] = None,
        standard_header: Union[bool, str] = False,
        allowed_backends: str = "RulesOnly",
        on_disallowed: str = "Reject",
        max_body_size: Optional[int] = None,
        affinity_header: Optional[str] = None,
        affinity_body_field: Optional[str] = None,
    ) -> None:
        lib = _lib()
        if max_body_size is not None and (
                max_body_size.__class__ is bool or not isinstance(max_body_size, int)
                or not 1 <= max_body_size <= _MAX_BODY_SIZE_LIMIT):
            raise ValueError(f"max_body_size must be an int from 1 to {_MAX_BODY_SIZE_LIMIT}, "
                             f"not {max_body_size!r}")
        if affinity_header is not None and affinity_body_field is not None:
            raise ValueError("give affinity_header or affinity_body_field, not both")
        allowed_value = _enum_value(lib.llmroute_allowed_backends_from_name, allowed_backends,
                                    "allowed_backends", "'RulesOnly', 'SameNamespace'")
        on_disallowed_value = _enum_value(lib.llmroute_on_disallowed_from_name, on_disallowed,
                                          "on_disallowed", "'Reject', 'UseRules'")
        self._lib = lib
        self.handle = lib.llmroute_compile_options_create()
        if not self.handle:
            raise MemoryError("llmroute_compile_options_create")
        if model_header is not None:
            b = _bytes(model_header, "model_header")
            lib.llmroute_compile_options_set_model_header(self.handle, b, len(b))
        if standard_header:
            lib.llmroute_compile_options_set_standard_header(self.handle, 1)
            if isinstance(standard_header, str):
                b = _bytes(standard_header, "standard_header")
                lib.llmroute_compile_options_set_standard_header_name(self.handle, b, len(b))
        lib.llmroute_compile_options_set_allowed_backends(self.handle, allowed_value)
        lib.llmroute_compile_options_set_on_disallowed(self.handle, on_disallowed_value)
        if max_body_size is not None:
            lib.llmroute_compile_options_set_max_body_size(self.handle, max_body_size)
        if affinity_header is not None:
            b = _bytes(affinity_header, "affinity_header")
            lib.llmroute_compile_options_set_affinity_header(self.handle, b, len(b))
        if affinity_body_field is not None:
            b = _bytes(affinity_body_field, "affinity_body_field")
            lib.llmroute_compile_options_set_affinity_body_field(self.handle, b, len(b))

    def __del__(self) -> None:
        handle, self.handle = getattr(self, "handle", None), None
        if handle:
            self._lib.llmroute_compile_options_free(handle)


class _Table:
    """One reference to a compiled table, released when this object is collected. Caches
    the Python objects made from the table's own strings (they never change)."""

    __slots__ = ("_lib", "handle", "names", "strings", "fallbacks", "decisions", "__weakref__")

    def __init__(self, handle: int) -> None:
        self._lib = _lib()
        self.handle = handle
        self.names: dict = {}
        self.strings: dict = {}
        self.fallbacks: dict = {}
        self.decisions: dict = {}

    def __del__(self) -> None:
        handle, self.handle = self.handle, None
        if handle:
            self._lib.llmroute_table_free(handle)

    @staticmethod
    def compile(text: Optional[bytes], files: Optional[Sequence[bytes]], options: _Options,
                file_name: bytes = b"") -> "_Table":
        lib = _lib()
        table = ctypes.c_void_p()
        error = ctypes.c_void_p()
        if files is None:
            code = lib.llmroute_table_compile_text(options.handle, text, len(text), file_name,
                                                   len(file_name), ctypes.byref(table),
                                                   ctypes.byref(error))
        else:
            paths = (_String * len(files))(*[_String(f, len(f)) for f in files])
            code = lib.llmroute_table_compile_files(options.handle, paths, len(files),
                                                    ctypes.byref(table), ctypes.byref(error))
        if code != _OK:
            _raise_error(code, error)
        return _Table(table.value)

    def string(self, data: int, length: int) -> str:
        key = (data, length)
        s = self.strings.get(key)
        if s is None:
            s = self.strings[key] = _text(ctypes.string_at(data, length))
        return s

    def name(self, ns: int, ns_len: int, name: int, name_len: int) -> NamespacedName:
        key = (ns, name)
        n = self.names.get(key)
        if n is None:
            n = self.names[key] = NamespacedName(self.string(ns, ns_len),
                                                 self.string(name, name_len))
        return n


HeadersArg = Union[Mapping[str, Union[str, bytes, Sequence[Union[str, bytes]]]],
                   Iterable[Tuple[Union[str, bytes], Union[str, bytes]]], None]

_new_decision = object.__new__
_set = object.__setattr__


class Router:
    """A compiled routing table that can be reloaded. Thread-safe: any number of threads
    may call ``resolve`` while another calls ``reload``."""

    def __init__(self, _table: _Table, _source: tuple, _options: dict) -> None:
        self._lib = _lib()
        self._table: Optional[_Table] = _table
        self._holder = self._lib.llmroute_holder_create(_table.handle)
        if not self._holder:
            raise MemoryError("llmroute_holder_create")
        self._source = _source
        self._options = _options
        self._reload_lock = threading.Lock()

    # -- construction -------------------------------------------------------------------

    @classmethod
    def from_file(cls, path: Union[str, os.PathLike, Sequence[Union[str, os.PathLike]]],
                  **options) -> "Router":
        """Loads and compiles one configuration file, or several that form one configuration.

        Options: ``model_header`` (default ``"x-ai-eg-model"``); ``standard_header`` (``True``
        or a header name: enable the standard routing header for routes without their own
        section); ``allowed_backends`` (``"RulesOnly"`` or ``"SameNamespace"``);
        ``on_disallowed`` (``"Reject"`` or ``"UseRules"``); ``max_body_size`` (bytes, 1 to
        2**32 - 1, default 64 MiB: a longer body is ``bad_request``, neither parsed nor
        copied); ``affinity_header`` or ``affinity_body_field`` (session affinity for routes
        without their own ``sessionAffinity``). Raises ``ConfigError`` (and ``ValueError`` for
        a bad option).
        """
        files = cls._paths(path)
        return cls(_Table.compile(None, files, _Options(**options)), ("files", files), options)

    @classmethod
    def from_text(cls, text: Union[str, bytes], file_name: str = "", **options) -> "Router":
        """Loads and compiles configuration text (YAML or JSON); ``file_name`` is used only in
        error messages. Options as ``from_file``. Raises ``ConfigError``."""
        data = _bytes(text, "text")
        name = _bytes(file_name, "file_name")
        return cls(_Table.compile(data, None, _Options(**options), name),
                   ("text", data, name), options)

    @staticmethod
    def _paths(path) -> list:
        if isinstance(path, (str, bytes, os.PathLike)):
            path = [path]
        return [os.fsencode(p) for p in path]

    # -- routing ------------------------------------------------------------------------

    def resolve(
        self,
        headers: HeadersArg = None,
        host: Optional[str] = None,
        path: str = "/",
        method: str = "GET",
        body: Union[str, bytes, None] = None,
        entropy: Optional[int] = None,
        health: Optional["Health"] = None,
    ) -> Decision:
        """Decides which backend gets the request.

        ``headers``: a mapping (a value may be a list: the header repeated) or an iterable
        of (name, value) pairs; names and values are str (UTF-8) or bytes. ``path``
        includes the query string. ``body``: the request body, when the caller has it (its
        JSON ``model`` replaces the model header). ``entropy``: 0 <= entropy < 2**64 for a
        reproducible weighted choice; None draws one. ``health``: a ``Health`` view whose
        down backends are not chosen.
        """
        table = self._table
        if table is None:
            raise Error("the router is closed")
        scratch, at, end, blob = _pack(headers, host, path, method, body, entropy, health)
        base = scratch.base
        mv = scratch.view
        code = _resolve(table.handle, base + _REQUEST_AT, base)
        if code != _OK:
            raise Error(f"llmroute_resolve: {self._lib.llmroute_error_name(code).decode()}")

        model, model_len = _MODEL_LAYOUT.unpack_from(mv, _MODEL_AT)
        if not model:
            model_bytes = None
        elif at <= model < base + end:  # the model is in the request: slice it
            model_bytes = blob[model - at:model - at + model_len]
        else:  # a body model with JSON escapes, decoded into the library's buffer
            model_bytes = ctypes.string_at(model, model_len)
        if health is not None or mv[_AFFINITY_AT]:
            # The fallbacks may be in the library's per-thread buffer, whose address does
            # not tell one list from another: no caching.
            return self._decision(table, _DECISION_LAYOUT.unpack_from(mv),
                                  None if model_bytes is None else _text(model_bytes),
                                  ctypes.c_void_p(base), cache_fallbacks=False)
        # Decisions repeat: cache them by their bytes (pointers into this table, which
        # this cache lives and dies with) and the model's text. A long model (a client's
        # own string) is not cached: the cache's size stays bounded in bytes.
        if model_bytes is not None and len(model_bytes) > _DECISION_CACHE_MODEL_MAX:
            return self._decision(table, _DECISION_LAYOUT.unpack_from(mv), _text(model_bytes),
                                  ctypes.c_void_p(base))
        key = (mv[8:_DECISION_SIZE].tobytes(), model_bytes)
        cache = table.decisions
        d = cache.get(key)
        if d is None:
            if len(cache) >= _DECISION_CACHE_SIZE:
                cache.clear()
            d = cache[key] = self._decision(
                table, _DECISION_LAYOUT.unpack_from(mv),
                None if model_bytes is None else _text(model_bytes), ctypes.c_void_p(base))
        return d

    def explain(
        self,
        headers: HeadersArg = None,
        host: Optional[str] = None,
        path: str = "/",
        method: str = "GET",
        body: Union[str, bytes, None] = None,
        entropy: Optional[int] = None,
    ) -> str:
        """For a person: how the request gets its decision, as ``llmroute explain`` prints
        it (the arguments are those of ``resolve``). Slow: not for the request path."""
        table = self._current()
        scratch, _, _, _ = _pack(headers, host, path, method, body, entropy)
        text = ctypes.c_void_p()
        length = ctypes.c_size_t()
        error = ctypes.c_void_p()
        code = self._lib.llmroute_explain(table.handle, scratch.base + _REQUEST_AT,
                                          ctypes.byref(text), ctypes.byref(length),
                                          ctypes.byref(error))
        if code != _OK:
            _raise_error(code, error)
        try:
            return _text(ctypes.string_at(text.value, length.value))
        finally:
            self._lib.llmroute_free(text)

    def _decision(self, table: _Table, fields: tuple, model: Optional[str],
                  out: ctypes.c_void_p, cache_fallbacks: bool = True) -> Decision:
        (_, status, http_status, via, rule, match, _,
         b_ns, b_ns_len, b_name, b_name_len, r_ns, r_ns_len, r_name, r_name_len,
         rule_name, rule_name_len, _, _, override, override_len,
         reason, reason_len, fallback_count, fallbacks,
         backend_kind, _, header_sets, header_removes, body_sets, body_removes, mutations,
         has_retry, retry_attempts, retry_backoff_ms, retry_codes, retry_code_count,
         affinity, panic) = fields
        string = table.string
        d = _new_decision(Decision)
        _set(d, "status", _STATUSES[status])
        _set(d, "http_status", http_status)
        _set(d, "via", _VIAS[via])
        _set(d, "backend", table.name(b_ns, b_ns_len, b_name, b_name_len) if b_name else None)
        _set(d, "route", table.name(r_ns, r_ns_len, r_name, r_name_len) if r_name else None)
        _set(d, "rule", rule if rule >= 0 else None)
        _set(d, "rule_name", string(rule_name, rule_name_len) if rule_name else None)
        _set(d, "match", match if match >= 0 else None)
        _set(d, "model", model)
        _set(d, "model_override", string(override, override_len) if override else None)
        names, overrides = (self._fallbacks(table, out, fallbacks, fallback_count, cache_fallbacks)
                            if fallback_count else ((), ()))
        _set(d, "fallbacks", names)
        _set(d, "fallback_overrides", overrides)
        _set(d, "reason", string(reason, reason_len) if reason else None)
        _set(d, "backend_kind", _BACKEND_KINDS.get(backend_kind) if b_name else None)
        _set(d, "mutations", self._mutations(
            table, out, mutations, (header_sets, header_removes, body_sets, body_removes))
            if mutations else None)
        _set(d, "retry", Retry(
            tuple((ctypes.c_uint16 * retry_code_count).from_address(retry_codes))
            if retry_code_count else (), retry_attempts, retry_backoff_ms) if has_retry else None)
        _set(d, "affinity", bool(affinity))
        _set(d, "panic", bool(panic))
        return d

    def _mutations(self, table: _Table, out: ctypes.c_void_p, address: int,
                   counts: tuple) -> Mutations:
        # A backendRef's mutations live in the table: cached by their address.
        key = ("mutations", address)
        cached = table.fallbacks.get(key)
        if cached is None:
            lib = self._lib
            a, b = _OutString(), _OutString()
            string = table.string

            def pairs(fn, count):
                items = []
                for i in range(count):
                    fn(out, i, ctypes.byref(a), ctypes.byref(b))
                    items.append((string(a.data, a.len), string(b.data, b.len)))
                return tuple(items)

            def singles(fn, count):
                items = []
                for i in range(count):
                    fn(out, i, ctypes.byref(a))
                    items.append(string(a.data, a.len))
                return tuple(items)

            cached = table.fallbacks[key] = Mutations(
                pairs(lib.llmroute_decision_header_set, counts[0]),
                singles(lib.llmroute_decision_header_remove, counts[1]),
                pairs(lib.llmroute_decision_body_set, counts[2]),
                singles(lib.llmroute_decision_body_remove, counts[3]))
        return cached

    def _fallbacks(self, table: _Table, out: ctypes.c_void_p, address: int,
                   count: int, cache: bool = True
                   ) -> Tuple[Tuple[NamespacedName, ...], Tuple[Optional[str], ...]]:
        # A decision's fallbacks are a list inside the table: cached by its address.
        key = (address, count)
        cached = table.fallbacks.get(key) if cache else None
        if cached is None:
            names = []
            overrides = []
            n = _OutName()
            o = _OutString()
            for i in range(count):
                self._lib.llmroute_decision_fallback(out, i, ctypes.byref(n))
                names.append(table.name(n.ns.data, n.ns.len, n.name.data, n.name.len))
                self._lib.llmroute_decision_fallback_override(out, i, ctypes.byref(o))
                overrides.append(table.string(o.data, o.len) if o.data else None)
            cached = (tuple(names), tuple(overrides))
            if cache:
                table.fallbacks[key] = cached
        return cached

    def next_attempt(self, decision: Decision, attempts_made: int,
                     last_status: int) -> Optional[Attempt]:
        """``decision.next_attempt(attempts_made, last_status)``."""
        return decision.next_attempt(attempts_made, last_status)

    # -- the table ----------------------------------------------------------------------

    def models(self, host: Union[str, bytes, None] = None) -> list[Model]:
        """The models list: every Exact value of the model header, with its route, owner and
        creation time. With ``host``: only the models of the routes that apply to that host,
        chosen as ``resolve`` chooses them (what ``/v1/models`` lists for one client)."""
        table = self._current()
        lib = self._lib
        entry = _Model()
        if host is None:
            count = lib.llmroute_table_model_count(table.handle)
            get = lambda i: lib.llmroute_table_model_info(table.handle, i, ctypes.byref(entry))
        else:
            h = _bytes(host, "host")
            count = lib.llmroute_table_host_model_count(table.handle, h, len(h))
            get = lambda i: lib.llmroute_table_host_model(table.handle, h, len(h), i,
                                                          ctypes.byref(entry))
        out = []
        for i in range(count):
            get(i)
            out.append(Model(_out(entry.id),
                             NamespacedName(_out(entry.route.ns), _out(entry.route.name)),
                             _out(entry.owned_by), entry.created))
        return out

    @property
    def warnings(self) -> list[str]:
        """The compile warnings, one CLI line each."""
        return self._table_strings(self._lib.llmroute_table_warning_count,
                                   self._lib.llmroute_table_warning)

    @property
    def model_header(self) -> str:
        """The header the table reads the model from (lower-cased)."""
        name = _OutString()
        self._lib.llmroute_table_model_header(self._current().handle, ctypes.byref(name))
        return _out(name)

    @property
    def owned_headers(self) -> list[str]:
        """The request headers the gateway owns (lower-cased): the model header, then every
        enabled standard routing header. A proxy removes them from the client's request
        before setting its own upstream."""
        return self._table_strings(self._lib.llmroute_table_owned_header_count,
                                   self._lib.llmroute_table_owned_header)

    def _table_strings(self, count, get) -> list[str]:
        """The current table's strings get(table, 0 .. count(table) - 1)."""
        table = self._current()
        string = _OutString()
        out = []
        for i in range(count(table.handle)):
            get(table.handle, i, ctypes.byref(string))
            out.append(_out(string))
        return out

    @property
    def generation(self) -> int:
        """How many times the table was reloaded."""
        if self._holder is None:
            raise Error("the router is closed")
        return self._lib.llmroute_holder_generation(self._holder)

    def reload(self, path=None, *, text: Union[str, bytes, None] = None, **options) -> None:
        """Compiles a new table and swaps it in; resolves running in other threads finish on
        the table they started with. With no argument, reads the same files (or text) again
        with the same options; ``path`` or ``text`` give a new source, ``options`` new
        options (replacing the old ones when any is given). On ``ConfigError`` the current
        table stays."""
        if path is not None and text is not None:
            raise ValueError("give path or text, not both")
        opts = options if options else self._options
        if path is not None:
            source = ("files", self._paths(path))
        elif text is not None:
            source = ("text", _bytes(text, "text"), b"")
        else:
            source = self._source
        if source[0] == "files":
            table = _Table.compile(None, source[1], _Options(**opts))
        else:
            table = _Table.compile(source[1], None, _Options(**opts), source[2])
        with self._reload_lock:
            if self._holder is None:
                raise Error("the router is closed")
            self._lib.llmroute_holder_swap(self._holder, table.handle)
            self._table = table
            self._source = source
            self._options = opts

    def _decision_cache_size(self) -> Tuple[int, int]:
        """The current table's decision cache: (entries, bytes of the strings it holds: each
        key's decision bytes and model bytes, and the model's text once more)."""
        cache = self._current().decisions
        return len(cache), sum(len(k[0]) + 2 * len(k[1] or b"") for k in list(cache))

    def _current(self) -> _Table:
        table = self._table
        if table is None:
            raise Error("the router is closed")
        return table

    def close(self) -> None:
        """Releases the table now (otherwise when the router is collected). Later calls raise
        ``Error``; decisions already returned stay valid (they are copies)."""
        with self._reload_lock:
            holder, self._holder = self._holder, None
            self._table = None
            if holder:
                self._lib.llmroute_holder_free(holder)

    def __enter__(self) -> "Router":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        holder = getattr(self, "_holder", None)
        if holder:
            self._holder = None
            self._lib.llmroute_holder_free(holder)


_REQUEST_SIZE = ctypes.sizeof(_Request)
_DECISION_SIZE = ctypes.sizeof(_Decision)
# The per-thread scratch buffer: [decision][request][headers...][strings...][padding].
_REQUEST_AT = _DECISION_SIZE
_HEADERS_AT = _REQUEST_AT + _REQUEST_SIZE
_REQUEST_LAYOUT = struct.Struct("=13Q2iQ")
_HEADER_LAYOUT = struct.Struct("=4Q")
_MODEL_LAYOUT = struct.Struct("=2Q")
_MODEL_AT = _Decision.model.offset
_AFFINITY_AT = _Decision.affinity.offset
_PADDING = 64  # readable bytes after the body: the library parses it in place
_ZERO_PADDING = bytes(_PADDING)
# The decision cache of a table: at most _DECISION_CACHE_SIZE entries, none for a model
# longer than _DECISION_CACHE_MODEL_MAX bytes, so its strings (the key's decision and model
# bytes, the model's text) stay under _DECISION_CACHE_BYTES.
_DECISION_CACHE_SIZE = 1024
_DECISION_CACHE_MODEL_MAX = 256
_DECISION_CACHE_BYTES = 1 << 20
assert (_DECISION_CACHE_SIZE * (_DECISION_SIZE + 2 * _DECISION_CACHE_MODEL_MAX)
        <= _DECISION_CACHE_BYTES)
assert _REQUEST_LAYOUT.size == _REQUEST_SIZE and _HEADER_LAYOUT.size == ctypes.sizeof(_Header)


class Health:
    """A view of backend health shared by any number of threads and routers: pass it to
    ``Router.resolve(health=...)``. A backend marked down is not chosen and leaves the
    fallbacks; when every backend of the winning rule is down the view is ignored and the
    decision says ``panic``. Backends are named by namespace and name; marks on names no
    table knows are kept, and survive reloads. Thread-safe.

    ``now_ms``: for tests, a manual clock starting at this reading (move it with
    ``set_now``); by default the view reads a monotonic clock.
    """

    def __init__(self, now_ms: Optional[int] = None) -> None:
        self._lib = _lib()
        if now_ms is None:
            self._handle = self._lib.llmroute_health_create()
        else:
            self._handle = self._lib.llmroute_health_create_manual_clock(now_ms)
        if not self._handle:
            raise MemoryError("llmroute_health_create")

    def _call(self, fn, namespace: str, name: str, *extra) -> None:
        ns = _bytes(namespace, "namespace")
        n = _bytes(name, "name")
        code = fn(self._handle, ns, len(ns), n, len(n), *extra)
        if code != _OK:
            raise ValueError(f"{fn.__name__}: {self._lib.llmroute_error_name(code).decode()}")

    def mark_down(self, namespace: str, name: str, for_ms: Optional[int] = None) -> None:
        """Down until ``mark_up``, or for ``for_ms`` milliseconds (>= 1: a cooldown, as for
        a 429 with Retry-After). Replaces an earlier mark."""
        if for_ms is None:
            self._call(self._lib.llmroute_health_mark_down, namespace, name)
        else:
            self._call(self._lib.llmroute_health_mark_down_for, namespace, name, for_ms)

    def mark_up(self, namespace: str, name: str) -> None:
        self._call(self._lib.llmroute_health_mark_up, namespace, name)

    def state(self, namespace: str, name: str) -> Tuple[bool, Optional[int]]:
        """(down, down_until_ms): the clock reading when a cooldown ends, else None."""
        down = ctypes.c_int32()
        until = ctypes.c_int64()
        self._call(self._lib.llmroute_health_state, namespace, name, ctypes.byref(down),
                   ctypes.byref(until))
        return bool(down.value), (until.value if until.value >= 0 else None)

    def set_now(self, now_ms: int) -> None:
        """Moves a manual clock (a view made with ``now_ms``)."""
        if self._lib.llmroute_health_set_now(self._handle, now_ms) != _OK:
            raise ValueError("set_now needs a view made with now_ms")

    def __del__(self) -> None:
        handle = getattr(self, "_handle", None)
        if handle:
            self._handle = None
            self._lib.llmroute_health_free(handle)


class _Scratch(threading.local):
    """A buffer per thread (the C call runs without the GIL), grown on demand."""

    def __init__(self) -> None:
        self.capacity = 0
        self.buffer = None
        self.view = None
        self.base = 0

    def get(self, size: int) -> "_Scratch":
        if size > self.capacity:
            capacity = max(size, 2 * self.capacity, 4096)
            self.buffer = (ctypes.c_char * capacity)()
            self.view = memoryview(self.buffer).cast("B")
            self.base = ctypes.addressof(self.buffer)
            self.capacity = capacity
            _DECISION_LAYOUT.pack_into(self.view, 0, _DECISION_SIZE, *([0] * 38))
        return self


_scratch = _Scratch()


def _pack(headers: HeadersArg, host: Optional[str], path: str, method: str,
          body: Union[str, bytes, None], entropy: Optional[int],
          health: Optional["Health"] = None) -> tuple:
    """Packs a request into this thread's scratch buffer: returns (scratch, the address of
    the strings, their end offset, their bytes)."""
    # Everything the C call reads is packed into one per-thread buffer: the decision,
    # the request, the header array, then the strings (the method, host, path, header
    # names and values, body). A pointer is the buffer's address plus an offset.
    parts = [method.encode() if method.__class__ is str else _bytes(method, "method"),
             path.encode() if path.__class__ is str else _bytes(path, "path")]
    if host is not None:
        parts.append(host.encode() if host.__class__ is str else _bytes(host, "host"))
    count = 0
    if headers:
        if headers.__class__ is dict or isinstance(headers, Mapping):
            headers = headers.items()
        for name, value in headers:
            if value.__class__ is str:
                parts.append(name.encode() if name.__class__ is str else _bytes(name, "header name"))
                parts.append(value.encode())
                count += 1
            elif isinstance(value, (list, tuple)):
                n = _bytes(name, "header name")
                for v in value:
                    parts.append(n)
                    parts.append(_bytes(v, "header value"))
                    count += 1
            else:
                parts.append(_bytes(name, "header name"))
                parts.append(_bytes(value, "header value"))
                count += 1
    if body is not None:
        parts.append(body.encode() if body.__class__ is str else _bytes(body, "body"))
    if entropy is None:
        entropy = has_entropy = 0
    else:
        if not 0 <= entropy < 18446744073709551616:
            raise ValueError("entropy must be in [0, 2**64)")
        has_entropy = 1
    blob = b"".join(parts)
    strings = _HEADERS_AT + 32 * count
    end = strings + len(blob)
    scratch = _scratch.get(end + _PADDING)
    base = scratch.base
    mv = scratch.view
    mv[strings:end] = blob
    if body is not None:  # the padding the library may read past the body: zeroed
        mv[end:end + _PADDING] = _ZERO_PADDING

    at = base + strings
    m_len = len(parts[0])
    p_len = len(parts[1])
    p_at = at + m_len
    i = 2
    if host is None:
        h_at = h_len = 0
        next_at = p_at + p_len
    else:
        h_at = p_at + p_len
        h_len = len(parts[2])
        next_at = h_at + h_len
        i = 3
    offset = _HEADERS_AT
    pack = _HEADER_LAYOUT.pack_into
    for _ in range(count):
        n_len = len(parts[i])
        v_len = len(parts[i + 1])
        pack(mv, offset, next_at, n_len, next_at + n_len, v_len)
        next_at += n_len + v_len
        offset += 32
        i += 2
    if body is None:
        b_at = b_len = 0
    else:
        b_at = next_at
        b_len = len(parts[i])
    _REQUEST_LAYOUT.pack_into(mv, _REQUEST_AT, _REQUEST_SIZE, at, m_len, h_at, h_len,
                              p_at, p_len, base + _HEADERS_AT if count else 0, count,
                              b_at, b_len, _PADDING if body is not None else 0,
                              entropy, has_entropy, 0,
                              health._handle if health is not None else 0)
    return scratch, at, end, blob


def _resolve(table: int, request: int, decision: int) -> int:
    global _resolve
    _resolve = _lib().llmroute_resolve
    return _resolve(table, request, decision)
