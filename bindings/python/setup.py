"""Builds kfk's Python binding: the extension kfk._kfk over libkfk, found
with pkg-config (an installed libkfk, or a build tree's through
PKG_CONFIG_PATH, as the project's tests do)."""
import glob
import shlex
import subprocess

from setuptools import Extension, setup


def pkg_config(flag):
    try:
        out = subprocess.run(["pkg-config", flag, "kfk"], check=True,
                             capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        raise SystemExit("kfk: pkg-config cannot find libkfk (run `make install` "
                         "in kfk's tree, or set PKG_CONFIG_PATH): %s" % e)
    return shlex.split(out)


cflags = pkg_config("--cflags")
libs = pkg_config("--libs")
setup(
    name="kfk",
    version="0.1.0",
    description="kfk's Python binding: confluent_kafka's surface over libkfk",
    packages=["kfk"],
    ext_modules=[Extension(
        "kfk._kfk", sorted(glob.glob("src/*.c")),
        depends=["src/kfkpy.h"],
        extra_compile_args=cflags + ["-std=c11", "-Wall", "-Wno-missing-field-initializers"],
        extra_link_args=libs)],
    python_requires=">=3.9",
)
