#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The Debian package (debian/), tested end to end; prints TAP.
#
#   tests/packaging/test_deb.sh
#
# Runs on the host, as root: builds the .deb with dpkg-buildpackage in the
# cached Debian 13 root (tests/trixie-root.sh), runs lintian on it,
# installs it with dpkg -i into a throwaway copy of that root (an overlay
# mount over it, or a cp -a where overlays are refused), lets GIMP run one
# fill and the German case with the plug-in from GIMP's system folder,
# then removes it with dpkg -r.  The cached root itself is never changed
# (but for the build tools, when its package list lacks them).
# The source copied is the working tree (committed or not, ignored files
# left out); the packages land in _build/packaging/deb/.
set -uo pipefail
cd "$(dirname "$0")/../.."
export FLUX_FILL_NATIVE=0           # a root to copy and install into
root=${FLUX_FILL_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/flux-fill/trixie-root}
out=_build/packaging/deb
version=$(sed -n '1s/.*(\(.*\)).*/\1/p' debian/changelog)
upstream=${version%-*}

echo "TAP version 13"
echo "1..7"
. "$(dirname "$0")/tap.sh"   # result ()
skip_rest () {   # REASON
  while [ "$n" -lt 7 ]; do n=$((n + 1)); echo "ok $n - # SKIP $1"; done
  exit 1
}

rm -rf "$out"; mkdir -p "$out"
log=$out/test.log; : >"$log"

# The build tools (once; tests/trixie-root.sh's list should hold them).
if ! tests/trixie-root.sh sh -c 'command -v dpkg-buildpackage && command -v dh && command -v lintian && command -v fakeroot' >/dev/null 2>>"$log"; then
  tests/trixie-root.sh sh -c 'apt-get -qq -o APT::Sandbox::User=root update && DEBIAN_FRONTEND=noninteractive apt-get -qq -y -o APT::Sandbox::User=root install debhelper dpkg-dev lintian fakeroot' >>"$log" 2>&1
fi

# 1. The build, from a copy of the working tree.
src=$out/flux-fill-$upstream
mkdir -p "$src"
git ls-files -z --cached --others --exclude-standard \
  | tar -c --null -T - --ignore-failed-read 2>/dev/null | tar -x -C "$src"
tests/trixie-root.sh sh -c "cd '$src' && dpkg-buildpackage -us -uc -b" >"$out/build.log" 2>&1
deb=$(ls "$out"/gimp-flux-fill_"$version"_*.deb 2>/dev/null | head -n 1)
changes=$(ls "$out"/flux-fill_"$version"_*.changes 2>/dev/null | head -n 1)
result $([ -n "$deb" ] && [ -n "$changes" ]; echo $?) \
  "dpkg-buildpackage -us -uc -b builds ${deb:-the .deb}" "$out/build.log"
[ -n "$deb" ] || skip_rest "no .deb"

# 2. Its files: the plug-in in GIMP's folder, the catalogues in /usr/share/locale.
tests/trixie-root.sh sh -c "
  dir=\$(pkg-config --variable=gimplibdir gimp-3.0)/plug-ins/flux-fill
  echo \"\$dir\" >'$out/plugindir'
  dpkg-deb -c '$deb' | awk '{print \$1, \$6}' >'$out/contents'" 2>>"$log"
plugindir=$(cat "$out/plugindir" 2>/dev/null)
bad=0
grep -qx -- "-rwxr-xr-x .$plugindir/flux-fill" "$out/contents" || bad=1
grep -q ' ./usr/share/locale/de/LC_MESSAGES/flux-fill.mo$' "$out/contents" || bad=1
grep -q ' ./usr/share/doc/gimp-flux-fill/copyright$' "$out/contents" || bad=1
# Nothing else executable, nothing outside /usr.
grep -v ' ./usr/' "$out/contents" | grep -qv ' ./$' && bad=1
[ "$(grep -c '^-..x' "$out/contents")" = 1 ] || bad=1
result $bad "it installs $plugindir/flux-fill (0755) and /usr/share/locale/*/LC_MESSAGES/flux-fill.mo" \
  "$out/contents"

# 3. lintian: no error or warning (overrides in debian/*.lintian-overrides
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

# 4. dpkg -i: its dependencies are met in the root, nothing else asked.
in_copy sh -c "dpkg -i '$deb' && dpkg -s gimp-flux-fill | grep -q '^Status: install ok installed'" \
  >"$out/install.log" 2>&1
status=$?
result $status "dpkg -i $(basename "$deb") in a copy of the Debian 13 root" "$out/install.log"
[ $status = 0 ] || skip_rest "not installed"

# 5. The installed file is where GIMP looks, and loads what it links.
in_copy sh -c "test -x '$plugindir/flux-fill' && ! ldd '$plugindir/flux-fill' | grep 'not found'" \
  >"$out/ldd.log" 2>&1
result $? "$plugindir/flux-fill is executable and finds every library" "$out/ldd.log"

# 6. GIMP runs it from its system folder: one fill against the stand-in,
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

# 7. dpkg -r takes every file away.
in_copy sh -c "dpkg -r gimp-flux-fill && test ! -e '$plugindir' \
  && test ! -e /usr/share/locale/de/LC_MESSAGES/flux-fill.mo" >"$out/remove.log" 2>&1
result $? "dpkg -r gimp-flux-fill leaves no plug-in folder or catalogue" "$out/remove.log"
