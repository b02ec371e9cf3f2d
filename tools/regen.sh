#!/usr/bin/env bash
# Regenerates every generated, committed file from ../shared.
# usage: tools/regen.sh SHARED_DIR OUT_ROOT
# OUT_ROOT is the source tree for `make regen`, or a scratch directory for
# the test that checks the committed files are current.
set -eu
shared=$1 out=$2
top=$(cd "$(dirname "$0")/.." && pwd)
python3 "$top/tools/gen_errors.py" "$shared" "$out"
python3 "$top/tools/gen_proto.py" "$shared" "$out"
