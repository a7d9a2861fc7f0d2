#!/usr/bin/env python3
"""check-layers.py BUILD_DIR: the library's layers call downward only.

README.md and docs/architecture.md promise that dependencies point one way:

    api -> handshake -> session | auth | record -> codec | keys -> base
    (and session -> auth)

This reads the compiled objects of the library (the sesame_objs target under
BUILD_DIR), takes from `nm` the external symbols each object defines and the
ones it references, and reports every reference from one layer to a symbol
defined in a layer it may not use. A reference through a header counts the
same as a direct call: what matters is what the object needs at link time.
Exit status 0 and "ok: ..." when every reference points down; 1 otherwise,
one line per offending (layer, layer) pair.
"""
import os
import subprocess
import sys

# Each layer and the layers below it that it may use.
MAY_USE = {
    "base": set(),
    "keys": {"base"},
    "codec": {"base"},
    "record": {"codec", "keys", "base"},
    "auth": {"codec", "keys", "base"},
    "session": {"auth", "codec", "keys", "base"},
    "handshake": {"session", "auth", "record", "codec", "keys", "base"},
    "api": {"handshake", "session", "auth", "record", "codec", "keys", "base"},
}


def library_objects(build):
    """(layer, path) for every object of the sesame_objs target."""
    found = []
    for root, _dirs, files in os.walk(build):
        if "sesame_objs.dir" not in root.split(os.sep):
            continue
        parts = root.split(os.sep)
        if "src" not in parts:
            continue
        rest = parts[parts.index("src") + 1:]
        if not rest:
            continue
        for name in files:
            if name.endswith(".o"):
                found.append((rest[0], os.path.join(root, name)))
    return found


def symbols(path):
    """(defined, referenced): the object's external symbols."""
    out = subprocess.run(["nm", "-P", path], capture_output=True, text=True, check=True).stdout
    defined, referenced = set(), set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 2:
            continue
        name, kind = fields[0], fields[1]
        if kind == "U":
            referenced.add(name)
        elif kind in "TDBRVWC":  # upper case: external definitions
            defined.add(name)
    return defined, referenced


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: check-layers.py BUILD_DIR")
    objs = library_objects(sys.argv[1])
    if not objs:
        print("FAIL: no objects of sesame_objs under %s" % sys.argv[1])
        return 1
    unknown = sorted({layer for layer, _ in objs if layer not in MAY_USE})
    if unknown:
        print("FAIL: objects outside the known layers: " + ", ".join(unknown))
        return 1
    where = {}
    refs = []
    for layer, path in objs:
        defined, referenced = symbols(path)
        for sym in defined:
            where[sym] = (layer, os.path.basename(path))
        refs.append((layer, os.path.basename(path), referenced))
    bad = {}
    for layer, obj, referenced in refs:
        for sym in referenced:
            if sym not in where:
                continue  # libcrypto, libc
            target, target_obj = where[sym]
            if target == layer or target in MAY_USE[layer]:
                continue
            bad.setdefault((layer, target), set()).add("%s -> %s:%s" % (obj, target_obj, sym))
    for (layer, target), uses in sorted(bad.items()):
        print("UPWARD %s -> %s: %s" % (layer, target, "; ".join(sorted(uses))))
    if bad:
        return 1
    layers = sorted({layer for layer, _ in objs})
    print("ok: %d objects in %s; every reference points down" % (len(objs), ", ".join(layers)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
