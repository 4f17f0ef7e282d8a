#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The Flatpak extension (packaging/flatpak/), checked offline; prints TAP.
#
#   tests/packaging/test_flatpak_layout.sh
#
# GIMP's Flatpak runtime is not here, so the extension is not built with
# flatpak-builder; instead: the manifest is read by flatpak-builder
# --show-manifest (else parsed as JSON) and has the shape of Flathub's GIMP
# plug-in extensions; the metainfo passes appstreamcli validate --no-net;
# and meson install --destdir with the manifest's options and prefix, then
# the manifest's post-install commands, give exactly the extension's tree.
# Runs in the Debian 13 root (tests/trixie-root.sh) or natively.
set -uo pipefail
cd "$(dirname "$0")/../.."
if [ "${FLUX_FILL_INNER_PACKAGING:-}" != 1 ]; then
  exec tests/trixie-root.sh env FLUX_FILL_INNER_PACKAGING=1 bash "$0" "$@"
fi

dir=packaging/flatpak
id=org.gimp.GIMP.Plugin.FluxFill
manifest=$dir/$id.json
metainfo=$dir/$id.metainfo.xml
out=_build/packaging/flatpak
rm -rf "$out"; mkdir -p "$out"

echo "TAP version 13"
echo "1..4"
. "$(dirname "$0")/tap.sh"   # result ()

# 1. The manifest: what flatpak-builder reads, in the extensions' shape.
if command -v flatpak-builder >/dev/null; then
  reader="flatpak-builder --show-manifest"
  # (it leaves a .flatpak-builder folder where it runs: in $out)
  (cd "$out" && flatpak-builder --show-manifest "$OLDPWD/$manifest") >"$out/manifest.json" 2>"$out/manifest.log"
else
  reader="python3 -m json.tool (no flatpak-builder)"
  python3 -m json.tool "$manifest" >"$out/manifest.json" 2>"$out/manifest.log"
fi
status=$?
[ $status = 0 ] && python3 - "$out/manifest.json" "$id" >>"$out/manifest.log" 2>&1 <<'EOF' || status=1
import json, sys
m = json.load(open(sys.argv[1]))
ident = sys.argv[2]
want = {"id": ident, "runtime": "org.gimp.GIMP", "runtime-version": "stable",
        "build-extension": True, "branch": "3"}
bad = [f"{k}: {m.get(k)!r}, not {v!r}" for k, v in want.items() if m.get(k) != v]
if not str(m.get("sdk", "")).startswith("org.gnome.Sdk//"):
    bad.append(f"sdk: {m.get('sdk')!r}")
prefix = m.get("build-options", {}).get("prefix")
if prefix != "/app/extensions/FluxFill":
    bad.append(f"prefix: {prefix!r}")
mod = m["modules"][-1]
opts = mod.get("config-opts", [])
if mod.get("buildsystem") != "meson" or "-Dpackaging=flatpak" not in opts:
    bad.append(f"the last module is no meson build with -Dpackaging=flatpak: {mod}")
post = " ".join(mod.get("post-install", []))
for f in (f"share/metainfo/{ident}.metainfo.xml", "share/licenses/flux-fill"):
    if f not in post:
        bad.append(f"post-install does not install {f}")
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
result $status "$reader reads $manifest, in the shape of Flathub's GIMP extensions" \
  "$out/manifest.log"

# 2. The metainfo.
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net "$metainfo" >"$out/metainfo.log" 2>&1
  status=$?
  # The project has no homepage yet: the one warning allowed, and said.
  others=$(grep -E '^[EW]: ' "$out/metainfo.log" | grep -v 'url-homepage-missing')
  if [ $status = 0 ]; then
    result 0 "appstreamcli validate --no-net $metainfo"
  elif [ -z "$others" ] && grep -q url-homepage-missing "$out/metainfo.log"; then
    n=$((n + 1)); echo "not ok $n - appstreamcli validate --no-net $metainfo # TODO url-homepage-missing: the project has no homepage URL yet"
  else
    result 1 "appstreamcli validate --no-net $metainfo" "$out/metainfo.log"
  fi
  sed 's/^/# appstreamcli: /' "$out/metainfo.log"
else
  n=$((n + 1)); echo "ok $n - # SKIP no appstreamcli (package appstream)"
fi

# 3. meson install --destdir with the manifest's prefix and options.
prefix=/app/extensions/FluxFill
dest=$PWD/$out/dest
opts=$(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["modules"][-1]["config-opts"]))' "$manifest")
# shellcheck disable=SC2086
{ meson setup "$out/build" --prefix="$prefix" $opts \
  && meson compile -C "$out/build" \
  && meson install -C "$out/build" --destdir "$dest" --no-rebuild; } >"$out/build.log" 2>&1
status=$?
expected () {   # [post-install]
  echo "$prefix/plug-ins/flux-fill/flux-fill"
  echo "$prefix/plug-ins/flux-fill/help/en/gimp-help.xml"
  echo "$prefix/plug-ins/flux-fill/help/en/index.html"
  for lang in $(grep -v '^#' i18n/LINGUAS); do
    echo "$prefix/plug-ins/flux-fill/locale/$lang/LC_MESSAGES/flux-fill.mo"
  done
  if [ "${1:-}" = post-install ]; then
    echo "$prefix/share/licenses/flux-fill/COPYING"
    echo "$prefix/share/metainfo/$id.metainfo.xml"
  fi
}
tree () { (cd "$dest" && find . \( -type f -o -type l \) | sed 's/^\.//' | sort); }
if [ $status = 0 ]; then
  diff <(expected | sort) <(tree) >"$out/tree.diff" || status=1
  [ -x "$dest$prefix/plug-ins/flux-fill/flux-fill" ] || status=1
fi
result $status "meson install --destdir, --prefix=$prefix $opts: exactly PREFIX/plug-ins/flux-fill/flux-fill, its help and its catalogues" \
  "$([ -s "$out/tree.diff" ] && echo "$out/tree.diff" || echo "$out/build.log")"

# 4. Then the manifest's post-install commands, run as flatpak-builder
# runs them (in the source folder, FLATPAK_DEST the prefix).
status=1
if [ -x "$dest$prefix/plug-ins/flux-fill/flux-fill" ]; then
  python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["modules"][-1]["post-install"]))' "$manifest" \
    | FLATPAK_DEST=$dest$prefix sh -e >"$out/post-install.log" 2>&1 \
    && diff <(expected post-install | sort) <(tree) >"$out/tree.diff" 2>&1
  status=$?
fi
result $status "the post-install commands add exactly the metainfo and the licence" \
  "$([ -s "$out/tree.diff" ] && echo "$out/tree.diff" || echo "$out/post-install.log")"
