#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The install command (packaging/install.sh) puts the plug-in where the
installed GIMP 3 looks, and --uninstall takes it away again.  Prints TAP,
one line per check.

With a temporary HOME (XDG_CONFIG_HOME and GIMP3_DIRECTORY unset), GIMP
first runs once to create its own profile ~/.config/GIMP/3.<n>, as a user's
GIMP would have; with GIMP 3.2 an older, empty ~/.config/GIMP/3.0 is added
beside it.  install.sh then installs the given prebuilt binary
(FLUX_FILL_PREBUILT, so nothing is rebuilt) into every profile, and GIMP,
started again with that HOME, must register plug-in-flux-fill.  After
--uninstall the plug-in folders are gone and GIMP no longer registers it.
A second HOME without any profile checks that install.sh picks the profile
of the installed GIMP's version.  A Flatpak GIMP profile is left alone
(the host binary cannot run there; install.sh names the extension
instead), the closing lines point at the dialog's Service section and the
keyring first, a checkout path with a newline leaves no temporary file,
a failure leaves nothing behind, and without GIMP's headers and without
a terminal install.sh refuses to build the 1.7 GB root unless --yes.

    test_install.py --plugin BUILD/plugin/flux-fill [--locale-dir BUILD/i18n]
                    [--gimp gimp-console-3.2]

--gimp defaults to the newest gimp-console-3.* on PATH; GIMP's version
decides which profile is expected.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
INSTALL = os.path.normpath(os.path.join(HERE, "..", "..", "packaging", "install.sh"))
PROC = "plug-in-flux-fill"
TIMEOUT = 600

results = []


def check(ok, name, detail=""):
    results.append((bool(ok), name, detail))
    return ok


# The newest gimp-console-3.* on PATH, as run_gimp.py picks it.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_gimp import default_gimp  # noqa: E402


def environment(home):
    """The user's environment with HOME, and nothing else telling GIMP or
    install.sh where the profile is."""
    env = dict(os.environ, HOME=home)
    for var in ("XDG_CONFIG_HOME", "GIMP3_DIRECTORY", "FLUX_FILL_PREBUILT_LOCALE"):
        env.pop(var, None)
    # A sanitizer build of the plug-in: libgimp's own allocations are not ours.
    env["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=1"
    return env


def run(cmd, env):
    try:
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=TIMEOUT,
                           stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired as e:
        return None, f"timed out after {TIMEOUT} s\n{e.stdout or ''}{e.stderr or ''}"
    except OSError as e:
        return None, str(e)


def gimp_registers(gimp, home, tag):
    """Starts GIMP with HOME; True/False whether the PDB has the plug-in's
    procedure, None when GIMP gave no answer (with GIMP's output)."""
    answer = os.path.join(home, f"answer-{tag}")
    code = ("import gi; gi.require_version('Gimp', '3.0'); "
            "from gi.repository import Gimp; "
            f"open({answer!r}, 'w').write(str(Gimp.get_pdb().procedure_exists({PROC!r})))")
    rc, out = run([gimp, "-i", "-n", "--no-fonts", "--quit",
                   "--batch-interpreter=python-fu-eval", "-b", code], environment(home))
    try:
        return {"True": True, "False": False}.get(open(answer).read().strip()), out
    except OSError:
        return None, f"exit {rc}\n{out}"


def tail(text, n=40):
    return "\n".join(text.splitlines()[-n:])


def plugin_in(profile, catalogues):
    """Missing pieces of an installed plug-in in PROFILE ([] when complete)."""
    folder = os.path.join(profile, "plug-ins", "flux-fill")
    exe = os.path.join(folder, "flux-fill")
    missing = [] if os.path.isfile(exe) and os.access(exe, os.X_OK) else [exe]
    for lang in catalogues:
        mo = os.path.join(folder, "locale", lang, "LC_MESSAGES", "flux-fill.mo")
        if not os.path.isfile(mo):
            missing.append(mo)
    return missing


def checkout_copy(folder):
    """The files install.sh uses, in @folder (a checkout of its own)."""
    root = os.path.dirname(os.path.dirname(INSTALL))
    for rel in ("packaging/install.sh", "tools/flux-fill-batch", "tests/trixie-root.sh"):
        os.makedirs(os.path.dirname(os.path.join(folder, rel)), exist_ok=True)
        shutil.copy(os.path.join(root, rel), os.path.join(folder, rel))
    # The help pages go beside the plug-in in every profile.
    shutil.copytree(os.path.join(root, "docs", "help"), os.path.join(folder, "docs", "help"))
    return os.path.join(folder, "packaging", "install.sh")


def everything_in(folder):
    return sorted(os.path.relpath(os.path.join(d, n), folder)
                  for d, dirs, files in os.walk(folder) for n in dirs + files)


def extra_cases(work, prebuilt):
    # A checkout whose path holds a newline: installed, no temporary left.
    odd = os.path.join(work, "check\nout")
    install = checkout_copy(odd)
    home = os.path.join(work, "home-newline")
    os.makedirs(os.path.join(home, ".config", "GIMP", "3.0"))
    env = environment(home)
    env["FLUX_FILL_PREBUILT"] = os.path.join(prebuilt, "flux-fill")
    env["TMPDIR"] = os.path.join(work, "tmp-newline")
    os.makedirs(env["TMPDIR"])
    rc, out = run(["bash", install], env)
    bindir = os.path.join(home, ".local", "bin")
    left = os.listdir(bindir) if os.path.isdir(bindir) else []
    check(rc == 0 and left == ["flux-fill-batch"] and not os.listdir(env["TMPDIR"]),
          "a checkout path with a newline: installed, no temporary file left",
          f"exit {rc}, {bindir}: {left}, TMPDIR: {os.listdir(env['TMPDIR'])}\n{tail(out)}")

    # A failure half-way (~/.local/bin is a file): nothing half-made left.
    home = os.path.join(work, "home-failing")
    profile = os.path.join(home, ".config", "GIMP", "3.0")
    os.makedirs(profile)
    os.makedirs(os.path.join(home, ".local"))
    with open(os.path.join(home, ".local", "bin"), "w") as f:
        f.write("not a folder\n")
    env = environment(home)
    env["FLUX_FILL_PREBUILT"] = os.path.join(prebuilt, "flux-fill")
    env["TMPDIR"] = os.path.join(work, "tmp-failing")
    os.makedirs(env["TMPDIR"])
    rc, out = run(["bash", INSTALL], env)
    stray = [p for p in everything_in(home) if os.path.basename(p).startswith((".flux-fill.",
                                                                             "flux-fill-batch."))]
    check(rc != 0 and not os.listdir(env["TMPDIR"]) and not stray,
          "a failure half-way leaves no temporary file or folder behind",
          f"exit {rc}, TMPDIR: {os.listdir(env['TMPDIR'])}, stray: {stray}\n{tail(out)}")

    # No GIMP headers, no root yet, no terminal: it says what it would
    # download and refuses without --yes.
    home = os.path.join(work, "home-root")
    os.makedirs(home)
    env = environment(home)
    env.pop("FLUX_FILL_PREBUILT", None)
    env["PKG_CONFIG_LIBDIR"] = env["PKG_CONFIG_PATH"] = os.path.join(work, "no-pkgconfig")
    env["FLUX_FILL_ROOT"] = os.path.join(work, "no-root-here")
    rc, out = run(["bash", INSTALL], env)
    check(rc != 0 and "1.7 GB" in out and env["FLUX_FILL_ROOT"] in out and "--yes" in out
          and not os.path.exists(env["FLUX_FILL_ROOT"])
          and not os.path.exists(os.path.join(home, ".config")),
          "without GIMP's headers and a terminal: says what the root downloads, how big and "
          "where, and refuses without --yes", f"exit {rc}\n{tail(out)}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", required=True, help="the built flux-fill executable")
    parser.add_argument("--locale-dir", help="folder holding LANG/LC_MESSAGES/flux-fill.mo")
    parser.add_argument("--gimp", default=default_gimp(),
                        help="GIMP's console binary (default: the newest gimp-console-3.* on PATH)")
    args = parser.parse_args()

    rc, version_line = run([args.gimp, "--version"], os.environ)
    m = re.search(r"version (3\.\d+)", version_line or "")
    print("TAP version 13")
    print(f"# {args.gimp}: {version_line.strip()}")
    if not m:
        print("1..1\nnot ok 1 - GIMP 3 runs (--version)")
        return 1
    version = m.group(1)

    catalogues = []
    if args.locale_dir:
        catalogues = sorted(os.path.basename(os.path.dirname(os.path.dirname(p)))
                            for p in glob.glob(os.path.join(args.locale_dir, "*", "LC_MESSAGES",
                                                            "flux-fill.mo")))
    work = tempfile.mkdtemp(prefix="flux-fill-install-")
    # The plug-in as a prebuilt binary, catalogues beside it (the way
    # install.sh finds them without FLUX_FILL_PREBUILT_LOCALE).
    prebuilt = os.path.join(work, "prebuilt")
    os.makedirs(prebuilt)
    shutil.copy(args.plugin, os.path.join(prebuilt, "flux-fill"))
    if args.locale_dir:
        shutil.copytree(args.locale_dir, os.path.join(prebuilt, "locale"),
                        ignore=lambda d, names: [n for n in names
                                                 if os.path.isfile(os.path.join(d, n))
                                                 and n != "flux-fill.mo"])

    home = os.path.join(work, "home")
    os.makedirs(home)
    gimp_dir = os.path.join(home, ".config", "GIMP")
    profile = os.path.join(gimp_dir, version)

    # The user's GIMP has run before: its profile exists.
    rc, out = run([args.gimp, "-i", "-n", "--no-fonts", "--quit"], environment(home))
    check(os.path.isdir(profile), f"GIMP {version} created its profile ~/.config/GIMP/{version}",
          tail(out))
    profiles = [profile]
    if version != "3.0":
        # An older GIMP 3.0 profile left beside it.
        os.makedirs(os.path.join(gimp_dir, "3.0"), exist_ok=True)
        profiles.insert(0, os.path.join(gimp_dir, "3.0"))

    # GIMP's Flatpak profile beside it: not to be installed into.
    flatpak = os.path.join(home, ".var", "app", "org.gimp.GIMP", "config", "GIMP", "3.0")
    os.makedirs(flatpak)
    env = environment(home)
    env["FLUX_FILL_PREBUILT"] = os.path.join(prebuilt, "flux-fill")
    rc, out = run(["bash", INSTALL], env)
    check(rc == 0, "install.sh exits 0", tail(out))
    check(not os.path.exists(os.path.join(flatpak, "plug-ins")),
          "nothing was installed into the Flatpak GIMP's profile", tail(out))
    check("flatpak-builder" in out and "Not installed into GIMP's Flatpak" in out,
          "install.sh says why not, and how to install the Flatpak extension", tail(out))
    closing = out.strip().splitlines()[-3:]
    check(any("Service section" in l for l in closing) and "keyring" in " ".join(closing)
          and out.find("Service section") < out.find("REPLICATE_API_TOKEN"),
          "the closing lines point at the dialog's Service section and the keyring first",
          "\n".join(closing))
    for p in profiles:
        name = os.path.relpath(p, home)
        missing = plugin_in(p, catalogues)
        check(not missing, f"the plug-in{' and its catalogues' if catalogues else ''} "
              f"landed in ~/{name}", "missing: " + " ".join(missing))
        check(f"Installed into {p}/plug-ins/flux-fill" in out,
              f"install.sh names ~/{name}/plug-ins/flux-fill", tail(out))
    others = sorted(set(os.listdir(gimp_dir)) - {os.path.basename(p) for p in profiles})
    check(not others, "no other profile was created", " ".join(others))

    registered, out = gimp_registers(args.gimp, home, "installed")
    check(registered is True, f"GIMP {version} registers {PROC} from its profile",
          f"procedure_exists gave {registered}\n{tail(out)}")

    rc, out = run(["bash", INSTALL, "--uninstall"], environment(home))
    check(rc == 0, "install.sh --uninstall exits 0", tail(out))
    left = [p for p in profiles if os.path.exists(os.path.join(p, "plug-ins", "flux-fill"))]
    check(not left, "--uninstall removed plug-ins/flux-fill from every profile", " ".join(left))
    check(all(f"Removed {p}/plug-ins/flux-fill" in out for p in profiles),
          "--uninstall names each folder it removed", tail(out))
    check("secret-tool clear application flux-fill" in out,
          "--uninstall tells how to clear the token from the keyring", tail(out))
    registered, out = gimp_registers(args.gimp, home, "uninstalled")
    check(registered is False, f"GIMP {version} no longer registers {PROC}",
          f"procedure_exists gave {registered}\n{tail(out)}")

    # No profile yet: the installed GIMP's version decides.
    fresh = os.path.join(work, "fresh")
    os.makedirs(fresh)
    env = environment(fresh)
    env["FLUX_FILL_PREBUILT"] = os.path.join(prebuilt, "flux-fill")
    rc, out = run(["bash", INSTALL], env)
    made = sorted(os.listdir(os.path.join(fresh, ".config", "GIMP"))) \
        if os.path.isdir(os.path.join(fresh, ".config", "GIMP")) else []
    check(rc == 0 and made == [version]
          and not plugin_in(os.path.join(fresh, ".config", "GIMP", version), catalogues),
          f"without a profile install.sh installs into ~/.config/GIMP/{version} "
          "(the installed GIMP's version)", f"exit {rc}, made {made}\n{tail(out)}")

    extra_cases(work, prebuilt)

    print(f"1..{len(results)}")
    for i, (ok, name, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if not ok and detail:
            for line in detail.splitlines():
                print(f"# {line}")
    if all(ok for ok, _, _ in results):
        shutil.rmtree(work, ignore_errors=True)
        return 0
    print(f"# files kept in {work}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
