#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs the built plug-in in real GIMP 3 (batch mode) against the stand-in
API and prints the cases' results as TAP.  --gimp names the console binary
(gimp-console-3.2, ...); by default the newest gimp-console-3.* on PATH, else
gimp-console.  The GIMP version that ran is a TAP comment.

GIMP runs four times: with a token and an aggregator-style base URL
(…/replicate) for the fill and error cases, with Replicate's own layout
for the Files API, without REPLICATE_API_TOKEN, and in German; then three
times for the token's sources: from a gnome-keyring in a session bus of its
own ("keyring"), the variable over a wrong keyring entry
("keyring-env-wins"), and neither with no session bus ("no-keyring").
No group sees the developer's session bus or keyring.  The driver adds checks of its own on what
GIMP printed: no CRITICAL or WARNING from the plug-in, and never the token.
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
STANDIN = os.path.join(HERE, "..", "standin", "replicate_standin.py")
TOKEN = "r8_gimp_test_token_9c1e"
# What the keyring holds in "keyring-env-wins": the variable must win.
WRONG_KEYRING_TOKEN = "r8_gimp_wrong_keyring_token_0b7a"
# Groups whose GIMP runs in a session bus of its own with a gnome-keyring
# holding this token for the group's base URL, stored as users do.
KEYRING_GROUPS = {"keyring": TOKEN, "keyring-env-wins": WRONG_KEYRING_TOKEN}
KEYRING_TOOLS = ("dbus-run-session", "gnome-keyring-daemon", "secret-tool")
# The session: an unlocked login keyring (password on stdin), the token
# stored with the README's command, then GIMP with neither variable.
KEYRING_SESSION = (
    "printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null"
    " || { echo 'gnome-keyring-daemon did not start' >&2; exit 1; }; "
    "secret-tool store --label='FLUX Fill token'"
    " application flux-fill base-url \"$REPLICATE_BASE_URL\" <\"$FLUX_FILL_KEYRING_TOKEN_FILE\""
    " || { echo 'secret-tool store failed' >&2; exit 1; }; "
    "rm -f \"$FLUX_FILL_KEYRING_TOKEN_FILE\"; unset FLUX_FILL_KEYRING_TOKEN_FILE; exec \"$@\"")
GIMP_TIMEOUT = 600
BFL_STANDIN = os.path.join(HERE, "..", "standin", "bfl_standin.py")
BFL_KEY = "bfl_gimp_test_key_3e8a"


def start_standin(script=None, token=TOKEN):
    """A stand-in (Replicate's by default); its process and ports."""
    proc = subprocess.Popen([sys.executable, script or STANDIN, "--token", token],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    ports = proc.stdout.readline().split()[1:]
    return (proc,) + tuple(int(p) for p in ports)


def default_gimp():
    """The newest gimp-console-3.* on PATH, else gimp-console."""
    found = {}
    for d in os.environ.get("PATH", "").split(os.pathsep):
        for path in glob.glob(os.path.join(d or ".", "gimp-console-3.*")):
            name = os.path.basename(path)
            m = re.fullmatch(r"gimp-console-3\.(\d+)", name)
            if m and os.access(path, os.X_OK):
                found.setdefault(int(m.group(1)), name)
    return found[max(found)] if found else "gimp-console"


def gimp_version(gimp):
    try:
        out = subprocess.run([gimp, "--version"], capture_output=True, text=True,
                             timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError) as e:
        return None, f"{gimp} --version failed: {e}"
    return (out.split()[-1] if out else None), out


def isolate_session(env, workdir, group):
    """No session bus but the test's own: a plug-in that finds no token in
    the environment looks in the keyring, and the developer's must never
    be asked (or prompt).  The keyring's folders (and HOME, where the test
    runs one) go to the group's own."""
    for var in ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(var, None)
    folders = [("XDG_DATA_HOME", "data"), ("XDG_RUNTIME_DIR", "run")]
    if group in KEYRING_GROUPS:
        folders.append(("HOME", "home"))
    for var, sub in folders:
        env[var] = os.path.join(workdir, f"session-{group}", sub)
        os.makedirs(env[var], mode=0o700, exist_ok=True)


def files_holding(folder, secrets):
    """Files under @folder whose bytes hold any of @secrets."""
    found = []
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            try:
                data = open(path, "rb").read()
            except OSError:
                continue
            if any(s.encode() in data for s in secrets):
                found.append(os.path.relpath(path, folder))
    return found


def run_gimp(gimp, plugin, locale_dir, workdir, group, env_extra, drop_token,
             installed=False):
    profile = os.path.join(workdir, f"profile-{group}")
    target = os.path.join(profile, "plug-ins", "flux-fill")
    os.makedirs(target)
    # --installed: GIMP finds the plug-in in its own folder (a package's).
    if not installed:
        shutil.copy(plugin, os.path.join(target, "flux-fill"))
    # The help pages, where an installed plug-in has them (see plugin/meson.build).
    if not installed:
        shutil.copytree(os.path.join(HERE, "..", "..", "docs", "help"), os.path.join(target, "help"))
    # The catalogs, where an installed plug-in has them (see i18n/).
    if locale_dir and os.path.isdir(locale_dir) and not installed:
        for lang in os.listdir(locale_dir):
            mo = os.path.join(locale_dir, lang, "LC_MESSAGES", "flux-fill.mo")
            if os.path.isfile(mo):
                dest = os.path.join(target, "locale", lang, "LC_MESSAGES")
                os.makedirs(dest)
                shutil.copy(mo, dest)
    results = os.path.join(workdir, f"results-{group}.tap")
    env = dict(os.environ, GIMP3_DIRECTORY=profile, FLUX_FILL_RESULTS=results,
               FLUX_FILL_GROUP=group, FLUX_FILL_WORKDIR=workdir, **env_extra)
    # A value of None: the variable is not set for this group.
    env = {k: v.replace("{workdir}", workdir) for k, v in env.items() if v is not None}
    # Sanitizer runtimes in the plug-in: libgimp's own allocations are not ours.
    env["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=1"
    if drop_token:
        env.pop("REPLICATE_API_TOKEN", None)
    isolate_session(env, workdir, group)
    cases = os.path.join(HERE, "gimp_cases.py")
    cmd = [gimp, "-i", "-n", "--no-fonts", "--quit",
           "--batch-interpreter=python-fu-eval",
           "-b", f"exec(open({cases!r}).read())"]
    if group in KEYRING_GROUPS:
        # Through a file, so that no process has the token in its environment.
        token_file = os.path.join(workdir, f"session-{group}", "token")
        with open(os.open(token_file, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(KEYRING_GROUPS[group])
        env["FLUX_FILL_KEYRING_TOKEN_FILE"] = token_file
        cmd = ["dbus-run-session", "--", "sh", "-c", KEYRING_SESSION, "sh"] + cmd
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True,
                              timeout=GIMP_TIMEOUT)
        output = proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as e:
        output = f"GIMP timed out after {GIMP_TIMEOUT} s\n{e.stdout or ''}{e.stderr or ''}"
    # A debug log in a file is GIMP's output too: the token is never in it.
    log = env.get("FLUX_FILL_DEBUG", "")
    if os.path.isabs(log) and os.path.exists(log):
        output += open(log, errors="replace").read()
    lines = open(results).read().splitlines() if os.path.exists(results) else []
    return lines, output


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--locale-dir", help="build folder holding LANG/LC_MESSAGES/flux-fill.mo")
    parser.add_argument("--installed", action="store_true",
                        help="--plugin is already in GIMP's system plug-in folder (a package): "
                             "run it from there instead of a copy in the test profile")
    parser.add_argument("--gimp", default=default_gimp(),
                        help="GIMP's console binary (default: the newest gimp-console-3.* "
                             "on PATH, else gimp-console)")
    args = parser.parse_args()
    version, version_line = gimp_version(args.gimp)
    if not version:
        print("TAP version 13\n1..1")
        print(f"not ok 1 - GIMP runs ({args.gimp} --version)\n# {version_line}")
        return 1

    workdir = tempfile.mkdtemp(prefix="flux-fill-gimp-")
    standin, api_port = start_standin()[:2]
    bfl, bfl_port = start_standin(BFL_STANDIN, BFL_KEY)[:2]
    base = f"http://127.0.0.1:{api_port}"
    env = {"REPLICATE_API_TOKEN": TOKEN,
           # The aggregator's layout: the API under a path prefix.
           "REPLICATE_BASE_URL": base + "/replicate",
           "FLUX_FILL_STANDIN_URL": base,
           # Every fill here takes a few seconds; the stuck one hits this.
           "FLUX_FILL_TIMEOUT": "6"}
    results, outputs = [], []
    try:
        groups = {"main": env,
                  "direct": dict(env, REPLICATE_BASE_URL=base),
                  "no-token": env,
                  # GIMP refusing the result layer, forced (see flux-fill-insert.c).
                  "fault": dict(env, FLUX_FILL_FAULT="insert"),
                  "de": dict(env, LANG="de_DE.UTF-8", LANGUAGE="de", LC_ALL="de_DE.UTF-8"),
                  "zh_CN": dict(env, LANG="zh_CN.UTF-8", LANGUAGE="zh_CN", LC_ALL="zh_CN.UTF-8"),
                  "fr": dict(env, LANG="fr_FR.UTF-8", LANGUAGE="fr", LC_ALL="fr_FR.UTF-8"),
                  # The token from the keyring only (see KEYRING_GROUPS).
                  "keyring": env,
                  # A wrong token in the keyring, the right one in the variable.
                  "keyring-env-wins": env,
                  # Neither variable nor session bus: the message says where a token goes.
                  "no-keyring": env,
                  # The service the dialogs share (no REPLICATE_BASE_URL), the
                  # debug log in a file for the progress text.
                  "configured": dict(env, REPLICATE_BASE_URL=None,
                                     FLUX_FILL_DEBUG="{workdir}/debug-configured.log"),
                  # Black Forest Labs through the environment, as batch runs
                  # and CI choose it; REPLICATE_API_TOKEN stays set and must
                  # be ignored.
                  # FLUX Edit at Replicate's stand-in, the debug log in a
                  # file for the progress text.
                  "edit": dict(env, FLUX_FILL_DEBUG="{workdir}/debug-edit.log"),
                  "bfl": dict(env, FLUX_FILL_PROVIDER="bfl",
                              FLUX_FILL_BASE_URL=f"http://127.0.0.1:{bfl_port}",
                              FLUX_FILL_BFL_STANDIN_URL=f"http://127.0.0.1:{bfl_port}",
                              BFL_API_KEY=BFL_KEY)}
        # FLUX_FILL_GROUPS=main,fault runs only those groups (by hand).
        wanted = [g for g in os.environ.get("FLUX_FILL_GROUPS", "").split(",") if g]
        for group, group_env in groups.items():
            if wanted and group not in wanted:
                continue
            if group in KEYRING_GROUPS and not all(shutil.which(t) for t in KEYRING_TOOLS):
                results.append((False, f"{group}: a Secret Service to run it with",
                                "needs " + ", ".join(KEYRING_TOOLS)
                                + " (packages dbus, gnome-keyring, libsecret-tools)"))
                continue
            lines, output = run_gimp(args.gimp, args.plugin, args.locale_dir, workdir, group, group_env,
                                     group in ("no-token", "keyring", "no-keyring"),
                                     args.installed)
            if group in KEYRING_GROUPS:
                # Not a procedure argument, remembered value, parasite or gimprc.
                holding = files_holding(os.path.join(workdir, f"profile-{group}"),
                                        [TOKEN, WRONG_KEYRING_TOKEN])
                results.append((not holding, f"{group}: no file of GIMP's profile holds a token",
                                "\n".join(holding)))
            if not lines:
                results.append((False, f"{group}: GIMP ran no case", output[-3000:]))
            for line in lines:
                ok = line.startswith("ok ")
                name = line[3:] if ok else line[len("not ok "):]
                results.append((ok, f"{group}: {name}", ""))
            outputs.append(output)
    finally:
        standin.stdin.close()
        bfl.stdin.close()
        bfl.wait(timeout=10)
        standin.wait(timeout=10)

    everything = "\n".join(outputs)
    # libgimp 3.0.4 itself: a plug-in sometimes finds GIMP's end of the
    # pipe closed while it exits, after it has returned its values.
    # It is translated in the translated runs: glibc's strerror (EPIPE).
    epipe = ("broken pipe",                 # C, and de: "… (broken pipe)"
             "relais brisé",                # fr
             "断开的管道")                   # zh_CN
    def known(line):
        return "gimp_flush(): error:" in line and any(e in line.lower() for e in epipe)
    bad = [l for l in everything.splitlines()
           if ("flux-fill" in l and ("CRITICAL" in l or "WARNING" in l) and not known(l))
           or "runtime error" in l or "AddressSanitizer" in l or "LeakSanitizer" in l]
    results.append((not bad, "no CRITICAL, WARNING or sanitizer report from the plug-in",
                    "\n".join(bad[:20])))
    results.append((TOKEN not in everything and WRONG_KEYRING_TOKEN not in everything
                    and BFL_KEY not in everything,
                    "the token appears nowhere in GIMP's output", ""))

    print("TAP version 13")
    print(f"# {args.gimp}: {version_line}")
    print(f"1..{len(results)}")
    for i, (ok, name, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if not ok and detail:
            for l in detail.splitlines():
                print(f"# {l}")
    if all(ok for ok, _, _ in results):
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"# GIMP output and files kept in {workdir}")
        for o in outputs:
            for l in o.splitlines()[-60:]:
                print(f"# {l}")
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
