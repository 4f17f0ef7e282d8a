#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The one test command: builds flux-fill with warnings as errors, runs every
# test (unit, stand-in, real GIMP 3 in batch mode), then all of them again
# under AddressSanitizer and UBSan, runs the libFuzzer targets for a minute
# each (FLUX_FILL_FUZZ_SECONDS), runs the real-GIMP tests of the plain build
# once more in GIMP 3.2, and prints "N passed, N failed".
#
# Where GIMP 3 is installed (Debian 13, Ubuntu 25.04+, Fedora 41+) it runs
# natively; elsewhere (Debian 12) inside a cached Debian 13 root, built on
# first use by tests/trixie-root.sh.  GIMP 3.2 runs in a second cached root,
# Debian sid (tests/trixie-root.sh --suite sid); FLUX_FILL_GIMP32=0 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."

# The outside (host) side: the suites below, in the Debian 13 root or
# natively; then GIMP 3.2 in the sid root, from here, as bwrap does not nest;
# then one summary over everything, its closing line last.
if [ "${FLUX_FILL_INNER:-}" != 1 ]; then
  mkdir -p _build
  state=_build/run-state          # written by the inside run when it is done
  rm -f "$state"
  tests/trixie-root.sh env FLUX_FILL_INNER=1 bash tests/run.sh "$@" || true
  if [ ! -f "$state" ]; then
    echo "failed: the build and test run did not finish (see above)"
    echo "0 passed, 1 failed"
    exit 1
  fi
  source "$state"                 # where, builds, build_status

  # GIMP 3.2: the plain build (against GIMP 3.0's headers, the one binary
  # users get) in GIMP 3.2's console.  Its TAP is counted by summary.py.
  out=_build/$where-gimp32
  tap=$out/gimp-3.2.tap
  rm -rf "$out"; mkdir -p "$out"
  plain=_build/$where-plain
  sid_usable () {
    command -v mmdebstrap >/dev/null && command -v bwrap >/dev/null \
      && bwrap --ro-bind / / true 2>/dev/null
  }
  if [ "${FLUX_FILL_GIMP32:-}" = 0 ]; then
    echo "1..0 # SKIP GIMP 3.2 (FLUX_FILL_GIMP32=0)" >"$tap"
  elif [ "$where" = native ] && ! sid_usable; then
    echo "1..0 # SKIP GIMP 3.2 (no sid root on a native run)" >"$tap"
  elif [ ! -x "$plain/plugin/flux-fill" ]; then
    printf '1..1\nnot ok 1 - no plug-in in %s to run in GIMP 3.2\n' "$plain" >"$tap"
  elif ! tests/trixie-root.sh --suite sid true; then
    printf '1..1\nnot ok 1 - the Debian sid root (GIMP 3.2) could not be built\n' >"$tap"
  else
    echo "GIMP 3.2: the integration tests of $plain in the sid root"
    started=$SECONDS
    if ! tests/trixie-root.sh --suite sid env PYTHONDONTWRITEBYTECODE=1 \
         python3 tests/integration/run_gimp.py --gimp gimp-console-3.2 \
         --plugin "$plain/plugin/flux-fill" --locale-dir "$plain/i18n" \
         >"$tap" 2>"$out/gimp-3.2.log"; then
      cat "$tap"; tail -n 30 "$out/gimp-3.2.log"
    fi
    echo "GIMP 3.2: $((SECONDS - started)) s"
  fi

  # The install command into an existing GIMP 3.2 profile (and 3.0's):
  # GIMP then registers the plug-in.  A temporary HOME only.
  installs=()
  if [ -x "$plain/plugin/flux-fill" ] && [ "${FLUX_FILL_GIMP32:-}" != 0 ] && [ -d "${FLUX_FILL_ROOT_SID:-${XDG_CACHE_HOME:-$HOME/.cache}/flux-fill/sid-root}/usr" ]; then
    tests/trixie-root.sh --suite sid python3 tests/integration/test_install.py \
      --gimp gimp-console-3.2 --plugin "$plain/plugin/flux-fill" --locale-dir "$plain/i18n" \
      > "$out/install-3.2.tap" 2>"$out/install-3.2.log" || true
    installs+=("$out/install-3.2.tap")
  fi
  if [ -x "$plain/plugin/flux-fill" ]; then
    tests/trixie-root.sh python3 tests/integration/test_install.py \
      --plugin "$plain/plugin/flux-fill" --locale-dir "$plain/i18n" \
      > "$out/install-3.0.tap" 2>"$out/install-3.0.log" || true
    installs+=("$out/install-3.0.tap")
  fi

  # flux-fill-batch, the plug-in on files, in GIMP 3.0 against the stand-in.
  if [ -x "$plain/plugin/flux-fill" ]; then
    tests/trixie-root.sh python3 tests/integration/test_batch.py \
      --plugin "$plain/plugin/flux-fill" \
      > "$out/batch-3.0.tap" 2>"$out/batch-3.0.log" || true
    installs+=("$out/batch-3.0.tap")
  fi
  # Its root mode, from this side (bwrap does not nest): the token never
  # in an environment, a stop cancels.  Only where GIMP 3 runs in a root.
  if [ "$where" = root ] && [ -x "$plain/plugin/flux-fill" ]; then
    python3 tests/integration/test_batch_root.py --plugin "$plain/plugin/flux-fill" \
      > "$out/batch-root.tap" 2>"$out/batch-root.log" || true
    installs+=("$out/batch-root.tap")
  fi

  # The dialogs in GIMP's window (Xvfb, xdotool), in English and French:
  # TAP beside the screenshots in _build/<where>-gui/<lang>/.
  gui=_build/$where-gui
  mkdir -p "$gui"
  if [ -x "$plain/plugin/flux-fill" ]; then
    for lang in en fr; do
      tests/gui/dialog-smoke.sh --lang "$lang" --build "$plain" \
        > "$gui/dialog-$lang.tap" 2>"$gui/dialog-$lang.log" || true
      installs+=("$gui/dialog-$lang.tap")
    done
  fi
  # The same in GIMP 3.2, whose dialogs make other widgets (the reference
  # chooser, choices as radio buttons), where its root is.
  if [ -x "$plain/plugin/flux-fill" ] && [ "${FLUX_FILL_GIMP32:-}" != 0 ] && [ -d "${FLUX_FILL_ROOT_SID:-${XDG_CACHE_HOME:-$HOME/.cache}/flux-fill/sid-root}/usr" ]; then
    for lang in en fr; do
      tests/gui/dialog-smoke.sh --lang "$lang" --gimp 3.2 --build "$plain" \
        > "$gui/dialog-3.2-$lang.tap" 2>"$gui/dialog-3.2-$lang.log" || true
      installs+=("$gui/dialog-3.2-$lang.tap")
    done
  fi

  # The packages: the .deb (built with its tests in a root of
  # build-essential and the Build-Depends only, lintian, installed into a
  # throwaway copy of the root, one fill), the Flatpak extension's tree,
  # the tarball.
  pk=_build/packaging
  mkdir -p "$pk"
  for t in deb flatpak_layout dist; do
    tests/packaging/test_$t.sh >"$pk/$t.tap" 2>"$pk/$t.log" || true
    installs+=("$pk/$t.tap")
  done

  [ "$build_status" = 0 ] || echo "a build failed"
  summary=0
  tests/trixie-root.sh python3 tests/summary.py "${builds[@]}" "$tap" "${installs[@]}" || summary=$?
  [ "$build_status" = 0 ] || exit 1
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

# The outside side counts everything, GIMP 3.2 included (see the top).
printf 'where=%s\nbuilds=(%s)\nbuild_status=%s\n' \
  "$where" "${builds[*]}" "$status" >_build/run-state
