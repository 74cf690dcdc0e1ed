"""Imports one settings module under a real Python and prints its UPPERCASE names as JSON.

Ground truth for the static evaluator's differential test. Run only on the project's own fixtures:
  python3 -I -B python-dump-settings.py <sys.path root> <dotted module name>
with the environment set to exactly the variables of the case.

Packages that are not installed are replaced by opaque stubs (their values dump as {"__opaque__": ...}
and must never be claimed known). dotenv is always stubbed so no .env file is read into os.environ.
"""

import importlib.abc
import importlib.machinery
import json
import sys
import traceback
import types

ALWAYS_STUBBED = {"dotenv"}
stubbed = []


class OpaqueMeta(type):
    def __getattr__(cls, name):
        return Opaque(f"{cls.__name__}.{name}")


class Opaque(metaclass=OpaqueMeta):
    """Stands for anything a stubbed package returns: every operation gives another Opaque."""

    def __init__(self, label="opaque", *args, **kwargs):
        self._label = label if isinstance(label, str) else "opaque"

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Opaque(f"{self._label}.{name}")

    def __call__(self, *args, **kwargs):
        return Opaque(f"{self._label}()")

    def __truediv__(self, other):
        return Opaque(self._label)

    __rtruediv__ = __add__ = __radd__ = __or__ = __ror__ = __getitem__ = __truediv__

    def __iter__(self):
        return iter(())

    def __repr__(self):
        return f"<opaque {self._label}>"


def stub_attribute(module_name, name):
    if name.startswith("__"):
        raise AttributeError(name)
    if name[:1].isupper():
        # Capitalised names are usually classes, often exceptions caught in `except` clauses.
        return OpaqueMeta(name, (Exception,), {"__init__": lambda self, *a, **k: None})
    if module_name == "dotenv" and name in ("load_dotenv", "read_dotenv"):
        return lambda *a, **k: False
    if module_name == "dotenv" and name == "find_dotenv":
        return lambda *a, **k: ""
    if module_name == "dotenv" and name == "dotenv_values":
        return lambda *a, **k: {}
    return Opaque(f"{module_name}.{name}")


class StubLoader(importlib.abc.Loader):
    def create_module(self, spec):
        module = types.ModuleType(spec.name)
        module.__path__ = []
        module.__all__ = []
        module.__getattr__ = lambda name: stub_attribute(spec.name, name)
        return module

    def exec_module(self, module):
        pass


class StubFinder(importlib.abc.MetaPathFinder):
    """Placed last: only consulted when no real finder has the module."""

    def __init__(self, always_only):
        self.always_only = always_only

    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if self.always_only and top not in ALWAYS_STUBBED:
            return None
        if not self.always_only and name != top and top not in sys.modules:
            return None
        if not self.always_only and name != top and not isinstance(sys.modules[top].__spec__.loader, StubLoader):
            # A submodule missing from a real package (a project's absent local.py) must raise ImportError.
            return None
        if top not in stubbed:
            stubbed.append(top)
        return importlib.machinery.ModuleSpec(name, StubLoader(), is_package=True)


def convert(value, depth=0):
    if depth > 60:
        return {"__opaque__": "nested too deeply"}
    if value is None or isinstance(value, (bool, str)):
        return value if not isinstance(value, str) or type(value) is str else str(value)
    if isinstance(value, int):
        return value if abs(value) <= 2**53 - 1 else {"__opaque__": "big int"}
    if isinstance(value, float):
        return {"__float__": repr(value)}
    if isinstance(value, tuple):
        return {"__tuple__": [convert(v, depth + 1) for v in value]}
    if isinstance(value, list):
        return [convert(v, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        return {"__set__": [convert(v, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {"__dict__": [[convert(k, depth + 1), convert(v, depth + 1)] for k, v in value.items()]}
    return {"__opaque__": type(value).__name__}


def main():
    root, module_name = sys.argv[1], sys.argv[2]
    sys.path.insert(0, root)
    sys.meta_path.insert(0, StubFinder(always_only=True))
    sys.meta_path.append(StubFinder(always_only=False))
    out = {"stubbed": stubbed}
    try:
        module = importlib.import_module(module_name)
    except BaseException as exc:  # noqa: BLE001 - the test reports whatever the settings raise
        out["error"] = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        print(json.dumps(out))
        return
    out["names"] = {name: convert(value) for name, value in vars(module).items() if name.isupper()}
    print(json.dumps(out))


main()
