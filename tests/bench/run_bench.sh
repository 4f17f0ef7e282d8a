#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The benchmark command: builds flux-fill as a release build
# (_build/<native|root>-release) and runs tests/bench/run_bench.py, which
# drives the real plug-in in gimp-console-3.0 against the stand-in API and
# prints a table.  Arguments go to run_bench.py (--repeat N, --cases 1,3,
# --variations 1,4, --duration S, --direct, --noise X, --no-naive, --log FILE).
#
# Where GIMP 3 is installed it runs natively; elsewhere (Debian 12) inside
# the cached Debian 13 root of tests/trixie-root.sh, as tests/run.sh does.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ "${FLUX_FILL_INNER:-}" != 1 ]; then
  # What the figures were measured on (git may be missing in the root).
  FLUX_BENCH_REVISION="$(git describe --always --dirty 2>/dev/null || echo unknown)"
  exec tests/trixie-root.sh env FLUX_FILL_INNER=1 FLUX_BENCH_REVISION="$FLUX_BENCH_REVISION" \
    bash tests/bench/run_bench.sh "$@"
fi

where=$([ "${FLUX_FILL_NATIVE:-}" = 1 ] && echo native || echo root)
dir=_build/$where-release
mkdir -p _build
if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir" --buildtype=release >"$dir.setup.log" 2>&1 || {
    cat "$dir.setup.log"; exit 1; }
fi
meson compile -C "$dir" >"$dir.compile.log" 2>&1 || {
  tail -n 60 "$dir.compile.log"; echo "run_bench.sh: the release build failed"; exit 1; }
echo "built $dir (release)"
exec python3 tests/bench/run_bench.py --plugin "$dir/plugin/flux-fill" "$@"
