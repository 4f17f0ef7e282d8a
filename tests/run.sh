#!/usr/bin/env bash
# The one test command: builds flux-fill with warnings as errors, runs every
# test (unit, stand-in, real GIMP 3 in batch mode), then all of them again
# under AddressSanitizer and UBSan, runs the libFuzzer targets for a minute
# each (FLUX_FILL_FUZZ_SECONDS), and prints "N passed, N failed".
#
# Where GIMP 3 is installed (Debian 13, Ubuntu 25.04+, Fedora 41+) it runs
# natively; elsewhere (Debian 12) inside a cached Debian 13 root, built on
# first use by tests/trixie-root.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${FLUX_FILL_INNER:-}" != 1 ]; then
  # Outside any root: the Debian 13 run (or a native one), then GIMP 3.2's
  # integration run in the Debian sid root with the plain build's plug-in
  # (built against 3.0's headers: the one binary users get), then one
  # summary over both.  bwrap does not nest, hence this order.
  rm -f _build/builds.txt _build/gimp-3.2.tap
  tests/trixie-root.sh env FLUX_FILL_INNER=1 bash tests/run.sh "$@" || true
  plain=$(grep -- '-plain$' _build/builds.txt 2>/dev/null || true)
  taps=()
  if [ -x "$plain/plugin/flux-fill" ]; then
    mkdir -p _build
    echo "GIMP 3.2: integration tests in the Debian sid root" >&2
    tests/trixie-root.sh --suite sid python3 tests/integration/run_gimp.py \
      --gimp gimp-console-3.2 --plugin "$plain/plugin/flux-fill" \
      --locale-dir "$plain/i18n" > _build/gimp-3.2.tap 2>_build/gimp-3.2.log || true
    taps+=(--tap "gimp-3.2=_build/gimp-3.2.tap")
  fi
  # shellcheck disable=SC2046
  python3 tests/summary.py $(cat _build/builds.txt 2>/dev/null) "${taps[@]}"
  summary=$?
  [ -f _build/inner-ok ] || { echo "a build failed"; exit 1; }
  exit $summary
fi

where=$([ "${FLUX_FILL_NATIVE:-}" = 1 ] && echo native || echo root)
builds=()
run_suite () {   # NAME SUITE|"" [meson setup options]
  local name=$1 suite=$2; shift 2
  local dir=_build/$where-$name
  builds+=("$dir")
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" -Dwerror=true "$@" >"$dir.setup.log" 2>&1 || {
      mkdir -p "$dir"; cat "$dir.setup.log"; return 1; }
  fi
  meson compile -C "$dir" || return 1
  # Failures are counted from the logs below, not from the exit status.
  meson test -C "$dir" --print-errorlogs --num-processes 2 ${suite:+--suite "$suite"} || true
}

mkdir -p _build
rm -f _build/"$where"-*/meson-logs/testlog.json
status=0
run_suite plain "" || status=1
# Leak checks for our code; GLib's type system keeps its own memory for good.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
run_suite sanitize "" -Db_sanitize=address,undefined -Db_lundef=false || status=1
CC=clang run_suite fuzz fuzz -Dfuzzing=true -Dplugin=disabled \
  -Db_sanitize=address,undefined -Db_lundef=false || status=1

# The outer run adds GIMP 3.2's results and prints the one summary.
printf '%s\n' "${builds[@]}" > _build/builds.txt
rm -f _build/inner-ok
[ $status = 0 ] && touch _build/inner-ok
exit 0
