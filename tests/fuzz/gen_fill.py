#!/usr/bin/env python3
"""tests/fuzz/gen_fill.py: C code that fills generated messages, for seeds.

Reads the headers tools/gen_proto.py writes in src/proto/gen/ and prints C
source for tests/fuzz/gen_seeds.c: for every response message (and the
consumer protocol's subscription and assignment) and every struct nested in
them, a function

    static void fill_<struct>(struct <struct> *m, int16_t v, kfk_arena *a)

that sets every field the version v carries to a value other than its
default (one element in each array, a short string, a nested struct
filled in turn), so that the seeds built from them reach every field of
the decoders. Then one seed function per message and a table of them.

It relies only on the header layout gen_proto.py produces: a struct per
message, each field preceded by a comment ending in its versions, e.g.
"(v4+; nullable v4+; ignorable)" or "(v0-12)" or "(v12+; tag 0 in v12+)",
and arrays written as a pointer followed by an int32_t <name>_count.

usage: gen_fill.py SRC_PROTO_GEN_DIR > fuzz_fill.c
"""
import glob
import os
import re
import sys

MAXV = 32767

STRUCT_RE = re.compile(r"struct (kfk_\w+) \{\n(.*?)\n\};", re.S)
FIELD_RE = re.compile(r"^\s*((?:struct )?\w+) (\**)(\w+);")


def versions(spec):
    """(lo, hi) of 'vN+', 'vN-M' or 'vN'."""
    m = re.match(r"v(\d+)(\+|-(\d+))?$", spec.strip())
    if not m:
        raise ValueError("version spec " + spec)
    lo = int(m.group(1))
    if m.group(2) == "+":
        return lo, MAXV
    if m.group(3):
        return lo, int(m.group(3))
    return lo, lo


def annotation(comment):
    """Versions of a field from its comment: (lo, hi), with a tagged
    field's tag versions intersected."""
    text = " ".join(x.strip().lstrip("*").strip() for x in comment.split("\n"))
    ann = re.findall(r"\((v\d[^()]*)\)\s*$", text.strip())
    if not ann:
        raise ValueError("no versions in: " + text)
    parts = [p.strip() for p in ann[-1].split(";")]
    lo, hi = versions(parts[0])
    for p in parts[1:]:
        t = re.match(r"tag \d+ in (v.*)$", p)
        if t:
            tlo, thi = versions(t.group(1))
            lo, hi = max(lo, tlo), min(hi, thi)
    return lo, hi


def parse_struct(body):
    """[(ctype, stars, name, lo, hi, is_array)] of a struct body."""
    fields = []
    comment = None
    lines = body.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip().startswith("/*"):
            c = [line]
            while "*/" not in lines[i]:
                i += 1
                c.append(lines[i])
            comment = "\n".join(c).strip()[2:-2]
            i += 1
            continue
        m = FIELD_RE.match(line)
        if m:
            ctype, stars, name = m.groups()
            if name.endswith("_count") and fields and \
                    fields[-1][2] == name[:-6]:
                f = fields[-1]
                fields[-1] = f[:5] + (True,)
            else:
                lo, hi = annotation(comment)
                fields.append((ctype, stars, name, lo, hi, False))
            comment = None
        i += 1
    return fields


SCALARS = {
    "int8_t": "1", "int16_t": "2", "int32_t": "3", "int64_t": "4",
    "uint16_t": "5", "uint32_t": "6", "bool": "true", "double": "1.5",
}


def value_of(ctype, structs, name):
    """C expression of a filled value of a scalar, string, bytes or uuid."""
    if ctype in SCALARS:
        return SCALARS[ctype]
    if ctype == "struct kfk_str":
        return "kfk_str_c(\"%s\")" % name[:8]
    if ctype == "struct kfk_bytes":
        return "fill_bytes(%s)" % ("1" if name == "records" else "0")
    if ctype == "struct kfk_uuid":
        return "fill_uuid()"
    raise ValueError("type " + ctype)


def emit_fill(sname, fields, structs, out):
    out.append("static void fill_%s(struct %s *m, int16_t v, kfk_arena *a)"
               % (sname, sname))
    out.append("{")
    out.append("\t(void)v;\n\t(void)a;")
    out.append("\t%s_init(m);" % sname)
    for ctype, stars, name, lo, hi, is_array in fields:
        cond = "v >= %d" % lo if hi == MAXV else "v >= %d && v <= %d" % (lo, hi)
        out.append("\tif (%s) {" % cond)
        nested = ctype.startswith("struct ") and ctype[7:] in structs
        if is_array:
            out.append("\t\tm->%s = kfk_arena_alloc(a, sizeof *m->%s);"
                       % (name, name))
            out.append("\t\tm->%s_count = 1;" % name)
            if nested:
                out.append("\t\tfill_%s(m->%s, v, a);" % (ctype[7:], name))
            else:
                out.append("\t\tm->%s[0] = %s;"
                           % (name, value_of(ctype, structs, name)))
        elif stars:
            out.append("\t\tm->%s = kfk_arena_alloc(a, sizeof *m->%s);"
                       % (name, name))
            out.append("\t\tfill_%s(m->%s, v, a);" % (ctype[7:], name))
        elif nested:
            out.append("\t\tfill_%s(&m->%s, v, a);" % (ctype[7:], name))
        else:
            out.append("\t\tm->%s = %s;"
                       % (name, value_of(ctype, structs, name)))
        out.append("\t}")
    out.append("}\n")


def reachable(root, structs, seen):
    if root in seen:
        return
    seen.add(root)
    for ctype, *_ in structs[root]:
        if ctype.startswith("struct ") and ctype[7:] in structs:
            reachable(ctype[7:], structs, seen)


def main():
    gen = sys.argv[1]
    structs = {}
    order = []
    roots = []  # (api file name, message struct)
    for h in sorted(glob.glob(os.path.join(gen, "*.h"))):
        base = os.path.basename(h)[:-2]
        text = open(h).read()
        for m in STRUCT_RE.finditer(text):
            structs[m.group(1)] = parse_struct(m.group(2))
            order.append(m.group(1))
        if "int kfk_%s_response_decode(" % base in text:
            roots.append((base, "kfk_%s_response" % base))
    for msg in ("subscription", "assignment"):
        roots.append(("consumer_protocol_" + msg,
                      "kfk_consumer_protocol_" + msg))
    used = set()
    for _, r in roots:
        reachable(r, structs, used)
    out = ["/* Written by tests/fuzz/gen_fill.py from the headers of src/proto/gen/. */"]
    for s in order:
        if s in used:
            out.append("static void fill_%s(struct %s *m, int16_t v, "
                       "kfk_arena *a);" % (s, s))
    out.append("")
    for s in order:
        if s in used:
            emit_fill(s, structs[s], structs, out)
    for name, r in roots:
        out.append("static int seed_%s(kfk_wbuf *w, int16_t v, kfk_arena *a, "
                   "int filled)" % name)
        out.append("{\n\tstruct %s m;\n" % r)
        out.append("\tif (filled)\n\t\tfill_%s(&m, v, a);" % r)
        out.append("\telse\n\t\t%s_init(&m);" % r)
        out.append("\treturn %s_encode(w, v, &m);\n}\n" % r)
    out.append("/* Response APIs, then the consumer protocol (key -1). */")
    out.append("static const struct seed_msg seed_msgs[] = {")
    for name, r in roots:
        key = "-1" if name.startswith("consumer_protocol_") else \
            "KFK_APIKEY_" + name.upper()
        out.append("\t{ \"%s\", %s, seed_%s }," % (name, key, name))
    out.append("};")
    print("\n".join(out))


main()
