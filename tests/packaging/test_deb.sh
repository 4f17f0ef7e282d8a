#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The Debian package (debian/), tested end to end; prints TAP.
#
#   tests/packaging/test_deb.sh
#
# Runs on the host, as root.  Builds the .deb as Debian's builders do: with
# dpkg-buildpackage, its tests on (no nocheck), in a root holding only
# build-essential and the Build-Depends of debian/control
# (tests/trixie-root.sh --suite buildd, cached beside the other roots), so
# a dependency missing from debian/control fails here.  Then checks that
# every unit test ran and passed in that build, what the .deb holds, runs
# lintian on it, installs it with dpkg -i into a throwaway copy of the
# cached Debian 13 root (an overlay mount over it, or a cp -a where
# overlays are refused), lets GIMP run one fill and the German case with
# the plug-in from GIMP's system folder, then removes it with dpkg -r.  The
# cached roots themselves are never changed.  The source copied is the
# working tree (committed or not, ignored files left out); the packages
# land in _build/packaging/deb/.
set -uo pipefail
cd "$(dirname "$0")/../.."
export FLUX_FILL_NATIVE=0           # a root to copy and install into
root=${FLUX_FILL_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/flux-fill/trixie-root}
out=_build/packaging/deb
version=$(sed -n '1s/.*(\(.*\)).*/\1/p' debian/changelog)
upstream=${version%-*}
plan=9

echo "TAP version 13"
echo "1..$plan"
. "$(dirname "$0")/tap.sh"   # result ()
skip_rest () {   # REASON
  while [ "$n" -lt $plan ]; do n=$((n + 1)); echo "ok $n - # SKIP $1"; done
  exit 1
}

rm -rf "$out"; mkdir -p "$out"
log=$out/test.log; : >"$log"

# 1. The build, from a copy of the working tree, in the buildd root: its
# tests run (DEB_BUILD_OPTIONS without nocheck, no build profile).
src=$out/flux-fill-$upstream
mkdir -p "$src"
git ls-files -z --cached --others --exclude-standard \
  | tar -c --null -T - --ignore-failed-read 2>/dev/null | tar -x -C "$src"
started=$SECONDS
tests/trixie-root.sh --suite buildd env -u DEB_BUILD_PROFILES DEB_BUILD_OPTIONS=parallel=2 \
  sh -c "cd '$src' && dpkg-buildpackage -us -uc -b" >"$out/build.log" 2>&1
deb=$(ls "$out"/gimp-flux-fill_"$version"_*.deb 2>/dev/null | head -n 1)
changes=$(ls "$out"/flux-fill_"$version"_*.changes 2>/dev/null | head -n 1)
result $([ -n "$deb" ] && [ -n "$changes" ]; echo $?) \
  "dpkg-buildpackage -us -uc -b, tests on, in a root of build-essential and the Build-Depends only, builds ${deb:-the .deb} ($((SECONDS - started)) s)" \
  "$out/build.log"
[ -n "$deb" ] || skip_rest "no .deb"

# 2. dh_auto_test ran every unit test of the tree (meson's own list) and
# each passed without skipping a case: a test dependency missing from
# debian/control shows here.
builddir=$(ls -d "$src"/obj-*/ 2>/dev/null | head -n 1)
tests/trixie-root.sh python3 - "${builddir:-$src/obj-}" >"$out/unit-tests.log" 2>&1 <<'PY'
import json, os, re, sys
build = sys.argv[1]
defined = [t["name"] for t in json.load(open(os.path.join(build, "meson-info", "intro-tests.json")))
           if any(s.split(":")[-1] == "unit" for s in t["suite"])]
ran = {}
for line in open(os.path.join(build, "meson-logs", "testlog.json")):
    t = json.loads(line)
    ran[t["name"].split(" / ")[-1]] = t      # "flux-fill:unit / NAME"
bad = 0
for name in defined:
    t = ran.get(name)
    if t is None:
        print(f"{name}: did not run"); bad = 1; continue
    skips = re.findall(r"^ok .*# SKIP.*$", t.get("stdout") or "", re.M)
    print(f"{name}: {t['result']}" + "".join(f"\n  {s}" for s in skips))
    if t["result"] != "OK" or skips:
        bad = 1
print(f"{len(defined)} unit tests defined, {len(ran)} ran")
sys.exit(bad if defined else 1)
PY
status=$?
count=$(sed -n 's/^\([0-9]*\) unit tests defined.*/\1/p' "$out/unit-tests.log")
result $status "the build's own tests (meson test --suite unit): all ${count:-?} ran and passed, no case skipped" \
  "$out/unit-tests.log"

# 3. Its files: everything meson installs (the plug-in in GIMP's folder,
# the catalogues in /usr/share/locale, ...), the README and copyright;
# nothing outside /usr, nothing executable that meson does not install so.
tests/trixie-root.sh sh -c "
  dir=\$(pkg-config --variable=gimplibdir gimp-3.0)/plug-ins/flux-fill
  echo \"\$dir\" >'$out/plugindir'
  dpkg-deb -c '$deb' | awk '{print \$1, \$6}' >'$out/contents'" 2>>"$log"
tests/trixie-root.sh python3 -c '
import json, sys
for path in json.load(open(sys.argv[1])).values():
    print(path)' "${builddir}meson-info/intro-installed.json" 2>>"$log" | sort >"$out/meson-installs"
plugindir=$(cat "$out/plugindir" 2>/dev/null)
{
  [ -s "$out/meson-installs" ] || echo "meson installs nothing? (${builddir}meson-info/intro-installed.json)"
  # dh_compress gzips man pages.
  while read -r f; do
    grep -qE -- " \.$f(\.gz)?\$" "$out/contents" || echo "missing: $f (meson installs it)"
  done <"$out/meson-installs"
  grep -qx -- "-rwxr-xr-x .$plugindir/flux-fill" "$out/contents" || echo "missing: $plugindir/flux-fill (0755)"
  grep -q ' ./usr/share/locale/de/LC_MESSAGES/flux-fill.mo$' "$out/contents" || echo "missing: the German catalogue"
  grep -qE ' ./usr/share/doc/gimp-flux-fill/README.md(.gz)?$' "$out/contents" || echo "missing: README.md"
  grep -q ' ./usr/share/doc/gimp-flux-fill/copyright$' "$out/contents" || echo "missing: copyright"
  grep -v ' ./usr/' "$out/contents" | grep -v ' ./$' | sed 's/^/outside \/usr: /'
  grep '^-..x' "$out/contents" | while read -r _ f; do
    grep -qx -- "${f#.}" "$out/meson-installs" || echo "executable, not from meson: $f"
  done
} >"$out/contents.log"
bad=0; [ -s "$out/contents.log" ] && bad=1
result $bad \
  "it holds what meson installs ($(wc -l <"$out/meson-installs") files: $plugindir/flux-fill 0755, the catalogues in /usr/share/locale), README.md and copyright" \
  "$out/contents.log"

# 4. flux-fill-batch, where the tree has it (tools/flux-fill-batch, which
# meson installs): in /usr/bin with its man page.
if [ -e tools/flux-fill-batch ]; then
  bad=0
  grep -qx -- '-rwxr-xr-x ./usr/bin/flux-fill-batch' "$out/contents" || bad=1
  grep -qE ' ./usr/share/man/man1/flux-fill-batch.1(.gz)?$' "$out/contents" || bad=1
  result $bad "it installs /usr/bin/flux-fill-batch (0755) and its man page" "$out/contents"
else
  n=$((n + 1)); echo "ok $n - flux-fill-batch in /usr/bin # SKIP no tools/flux-fill-batch in this tree (meson installs it from there)"
fi

# 5. lintian: no error or warning (overrides in debian/*.lintian-overrides
# say why); info tags are listed.
tests/trixie-root.sh lintian --display-info --fail-on error,warning "$changes" \
  >"$out/lintian.log" 2>&1
status=$?
result $status "lintian --fail-on error,warning $(basename "$changes")" "$out/lintian.log"
[ -s "$out/lintian.log" ] && [ $status = 0 ] && sed 's/^/# lintian: /' "$out/lintian.log"

# A throwaway copy of the root: an overlay (quick), else a full copy.
tmp=$(mktemp -d /tmp/flux-fill-deb.XXXXXX)
copy=$tmp/root
cleanup () {
  mountpoint -q "$copy" 2>/dev/null && umount "$copy"
  rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/upper" "$tmp/work" "$copy"
if ! mount -t overlay overlay -o "lowerdir=$root,upperdir=$tmp/upper,workdir=$tmp/work" \
     "$copy" 2>>"$log"; then
  echo "# no overlay mount here: copying the root" 
  rmdir "$copy" && cp -a "$root" "$copy"
fi
in_copy () { FLUX_FILL_ROOT=$copy tests/trixie-root.sh "$@"; }

# 6. dpkg -i: its dependencies are met in the root, nothing else asked.
in_copy sh -c "dpkg -i '$deb' && dpkg -s gimp-flux-fill | grep -q '^Status: install ok installed'" \
  >"$out/install.log" 2>&1
status=$?
result $status "dpkg -i $(basename "$deb") in a copy of the Debian 13 root" "$out/install.log"
[ $status = 0 ] || skip_rest "not installed"

# 7. The installed file is where GIMP looks, and loads what it links;
# flux-fill-batch, where installed, runs.
batch=
grep -q ' ./usr/bin/flux-fill-batch$' "$out/contents" && batch=/usr/bin/flux-fill-batch
in_copy sh -c "test -x '$plugindir/flux-fill' && ! ldd '$plugindir/flux-fill' | grep 'not found' \
  && { [ -z '$batch' ] || '$batch' --help; }" >"$out/ldd.log" 2>&1
result $? "$plugindir/flux-fill is executable and finds every library${batch:+; $batch --help runs}" \
  "$out/ldd.log"

# 8. GIMP runs it from its system folder: one fill against the stand-in,
# and the German case (the catalogue from /usr/share/locale).
in_copy env PYTHONDONTWRITEBYTECODE=1 FLUX_FILL_GROUPS=main,de \
  FLUX_FILL_CASES=case_ellipse_fill,case_german \
  python3 tests/integration/run_gimp.py --installed --plugin "$plugindir/flux-fill" \
  >"$out/gimp.tap" 2>"$out/gimp.log"
status=$?
oks=$(grep -c '^ok ' "$out/gimp.tap"); fails=$(grep -c '^not ok ' "$out/gimp.tap")
grep -q '^ok .*main: .*ellipse' "$out/gimp.tap" || status=1
grep -q '^ok .*de: ' "$out/gimp.tap" || status=1
result $status "GIMP runs the installed plug-in: a fill and the German case ($oks ok, $fails not ok)" \
  "$out/gimp.tap"
grep -E '^(ok|not ok) ' "$out/gimp.tap" | sed 's/^/#   /'

# 9. dpkg -r takes every file away.
in_copy sh -c "dpkg -r gimp-flux-fill && test ! -e '$plugindir' \
  && test ! -e /usr/share/locale/de/LC_MESSAGES/flux-fill.mo && test ! -e /usr/bin/flux-fill-batch" \
  >"$out/remove.log" 2>&1
result $? "dpkg -r gimp-flux-fill leaves no plug-in folder or catalogue" "$out/remove.log"
