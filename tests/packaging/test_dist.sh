#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The release tarball; prints TAP.
#
#   tests/packaging/test_dist.sh
#
# meson dist archives what git holds at HEAD (a clean tree is required), so
# this clones HEAD into a temporary folder, runs meson dist there, and
# builds the tarball alone (no git, no repo beside it): setup with the
# plug-in, compile, the unit tests.  Uncommitted changes are not in it.
# Runs in the Debian 13 root (tests/trixie-root.sh) or natively.
set -uo pipefail
cd "$(dirname "$0")/../.."
if [ "${FLUX_FILL_INNER_PACKAGING:-}" != 1 ]; then
  exec tests/trixie-root.sh env FLUX_FILL_INNER_PACKAGING=1 bash "$0" "$@"
fi

out=$PWD/_build/packaging/dist
rm -rf "$out"; mkdir -p "$out"
tmp=$(mktemp -d /tmp/flux-fill-dist.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

echo "TAP version 13"
echo "1..4"
. "$(dirname "$0")/tap.sh"   # result ()
skip_rest () {
  while [ "$n" -lt 4 ]; do n=$((n + 1)); echo "ok $n - # SKIP $1"; done
  exit 1
}

head=$(git rev-parse --short HEAD 2>/dev/null)
git clone -q --no-hardlinks . "$tmp/clone" >"$out/clone.log" 2>&1
{ cd "$tmp/clone" && meson setup "$tmp/clone-build" -Dplugin=disabled \
  && meson dist -C "$tmp/clone-build" --no-tests --formats xztar; } >"$out/dist.log" 2>&1
status=$?
cd - >/dev/null
tarball=$(ls "$tmp"/clone-build/meson-dist/flux-fill-*.tar.xz 2>/dev/null | head -n 1)
[ -n "$tarball" ] || status=1
result $status "meson dist --no-tests from a clone of HEAD ($head) gives ${tarball:+$(basename "$tarball")}" \
  "$out/dist.log"
[ -n "$tarball" ] || skip_rest "no tarball"
cp "$tarball" "$out/"

# What it holds: the sources and COPYING, none of git's or the build's,
# and no debian/ (.gitattributes: export-ignore; distributions bring their
# own packaging).
tar -tJf "$tarball" | sort >"$out/contents"
top=$(head -n 1 "$out/contents" | cut -d/ -f1)
bad=0
for f in meson.build meson_options.txt COPYING README.md plugin/meson.build i18n/LINGUAS \
         tests/meson.build; do
  grep -qx "$top/$f" "$out/contents" || { echo "missing $f" >>"$out/contents.log"; bad=1; }
done
grep -E "^$top/(\.git/|_build/|debian(/|\$))" "$out/contents" >>"$out/contents.log" && bad=1
result $bad "$(basename "$tarball") holds the sources and COPYING, no .git, _build or debian/" "$out/contents.log"

# Built from the tarball alone, far from the repo and without git.
mkdir -p "$tmp/unpacked"
tar -xJf "$tarball" -C "$tmp/unpacked"
src=$tmp/unpacked/$top
{ cd "$src" && meson setup "$tmp/build" && meson compile -C "$tmp/build"; } >"$out/build.log" 2>&1
status=$?
cd - >/dev/null
plugin=$(sed -n 's/^ *plug-in *: *//p' "$out/build.log" | head -n 1)
result $status "the unpacked tarball sets up and compiles (plug-in: ${plugin:-?})" "$out/build.log"

meson test -C "$tmp/build" --suite unit --print-errorlogs --num-processes 2 \
  >"$out/test.log" 2>&1
status=$?
summary=$(grep -E '^(Ok|Fail|Skipped|Timeout):' "$out/test.log" | tr -s ' \n' ' ')
result $status "meson test --suite unit in the tarball's build: $summary" "$out/test.log"
