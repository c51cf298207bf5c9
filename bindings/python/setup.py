"""The distribution's version: the project's, from the CMakeLists.txt two folders up (the one
place it is written), or from PKG-INFO when building from a source distribution."""
import pathlib
import re

from setuptools import setup

here = pathlib.Path(__file__).resolve().parent


def project_version() -> str:
    cmake = here.parent.parent / "CMakeLists.txt"
    if cmake.is_file():
        m = re.search(r"project\(\s*llmroute\s+VERSION\s+(\d+\.\d+\.\d+)", cmake.read_text())
        if m:
            return m.group(1)
    pkg_info = here / "PKG-INFO"
    if pkg_info.is_file():
        m = re.search(r"^Version: (\S+)$", pkg_info.read_text(), re.M)
        if m:
            return m.group(1)
    raise RuntimeError(f"llmroute: no project(llmroute VERSION x.y.z) in {cmake}")


setup(version=project_version())
