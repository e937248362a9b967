"""The container images install exactly the runtime packages hack/bootstrap.sh names.

    images_test.py [--binary NAME=PATH ...]

Checks config/images/Dockerfile: the build stage installs `hack/bootstrap.sh --print build`;
the `probe` runtime stage installs all of `--print runtime`; the `operator` stage installs
the same minus the tools only the probe runs (RUNTIME_TOOLS); both are bookworm-slim; the
operator runs as a non-root user. With --binary (a built egressdiag binary), every shared
library it loads must come from a package its image installs or from the base image (apt's
dependency closure), so the image cannot miss a library. Uses only the standard library.
"""

import argparse
import pathlib
import re
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "config" / "images" / "Dockerfile"
BOOTSTRAP = REPO / "hack" / "bootstrap.sh"
# What the probe runs as programs (iptables-save, ipset, ip, wg); the operator needs none.
RUNTIME_TOOLS = {"iptables", "ipset", "iproute2", "wireguard-tools", "iputils-ping"}
# Packages of debian:bookworm-slim that the runtime libraries may also come from.
BASE_IMAGE_ROOTS = ["apt", "base-files", "bash", "coreutils"]

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def bootstrap_list(name):
    out = subprocess.run([str(BOOTSTRAP), "--print", name], capture_output=True, text=True,
                         check=True).stdout
    return out.split()


def stages(text):
    """{stage name: (FROM image, [instructions with continuations joined])}."""
    result, current = {}, None
    logical = re.sub(r"\\\n", " ", text)
    for line in logical.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.match(r"FROM\s+(\S+)\s+AS\s+(\S+)$", line, re.IGNORECASE)
        if m:
            current = m.group(2)
            result[current] = (m.group(1), [])
        elif current is not None:
            result[current][1].append(line)
    return result


def apt_packages(instructions):
    """Package arguments of the stage's `apt-get install` commands (options dropped)."""
    packages = []
    for line in instructions:
        for command in line.split("&&"):
            words = command.split()
            if "apt-get" in words and "install" in words:
                args = words[words.index("install") + 1:]
                packages += [w for w in args if not w.startswith("-")]
    return packages


def user_of(instructions):
    users = [line.split(None, 1)[1] for line in instructions if line.upper().startswith("USER ")]
    return users[-1] if users else None


def dependency_closure(roots):
    """Installed packages reachable from roots through Depends/Pre-Depends (all alternatives)."""
    seen, todo = set(), list(roots)
    while todo:
        pkg = todo.pop()
        if pkg in seen:
            continue
        q = subprocess.run(["dpkg-query", "-W", "-f=${Status}|${Depends}, ${Pre-Depends}", pkg],
                           capture_output=True, text=True)
        if q.returncode != 0 or "install ok installed" not in q.stdout:
            continue
        seen.add(pkg)
        deps = q.stdout.split("|", 1)[1]
        for alternative in re.split(r"[,|]", deps):
            name = alternative.strip().split(" ")[0].split(":")[0]
            if name:
                todo.append(name)
    return seen


def library_packages(binary):
    """{library path: Debian package} of every shared library `binary` loads; None when ldd
    cannot read it (reported as a failure)."""
    q = subprocess.run(["ldd", binary], capture_output=True, text=True)
    if q.returncode != 0:
        failures.append(f"ldd {binary} failed: {q.stderr.strip() or q.stdout.strip()}")
        return None
    out = q.stdout
    result = {}
    for line in out.splitlines():
        m = re.search(r"=>\s+(/\S+)", line) or re.match(r"\s*(/\S+)\s+\(", line)
        if not m:
            continue
        path = pathlib.Path(m.group(1)).resolve()
        owner = None
        for candidate in (m.group(1), str(path)):
            q = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True, text=True)
            if q.returncode == 0:
                owner = q.stdout.split(":", 1)[0].split(",")[0].strip()
                break
        result[m.group(1)] = owner
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", action="append", default=[],
                        help="IMAGE=PATH: a built binary that runs in that image (operator|probe)")
    args = parser.parse_args()

    runtime = bootstrap_list("runtime")
    build = bootstrap_list("build")
    check(len(runtime) == len(set(runtime)), f"bootstrap runtime list has duplicates: {runtime}")
    check(RUNTIME_TOOLS <= set(runtime),
          f"bootstrap runtime list lacks probe tools {sorted(RUNTIME_TOOLS - set(runtime))}")
    check(len(build) > 0, "bootstrap build list is empty")

    all_stages = stages(DOCKERFILE.read_text())
    for name in ("build", "operator", "probe"):
        check(name in all_stages, f"Dockerfile has no stage '{name}'")
    if failures:
        return report()

    build_from, build_steps = all_stages["build"]
    check(build_from == "debian:bookworm", f"build stage FROM {build_from}, want debian:bookworm")
    check(any("$(/src/hack/bootstrap.sh --print build)" in s for s in build_steps),
          "build stage does not install `hack/bootstrap.sh --print build`")

    expected = {"operator": set(runtime) - RUNTIME_TOOLS, "probe": set(runtime)}
    installed = {}
    for name, want in expected.items():
        image, steps = all_stages[name]
        check(image == "debian:bookworm-slim", f"{name}: FROM {image}, want debian:bookworm-slim")
        got = apt_packages(steps)
        installed[name] = set(got)
        check(len(got) == len(set(got)), f"{name}: duplicate packages in {got}")
        check(set(got) == want,
              f"{name}: installs {sorted(got)}; bootstrap runtime says {sorted(want)} "
              f"(missing {sorted(want - set(got))}, extra {sorted(set(got) - want)})")
        check(any("rm -rf /var/lib/apt/lists/*" in s for s in steps),
              f"{name}: apt lists are not removed")
        entry = [s for s in steps if s.startswith("ENTRYPOINT")]
        check(entry == [f'ENTRYPOINT ["/usr/local/bin/egressdiag-{name}"]'],
              f"{name}: ENTRYPOINT {entry}")
    user = user_of(all_stages["operator"][1]) or ""
    check(re.fullmatch(r"[1-9][0-9]*(:[1-9][0-9]*)?", user) is not None,
          f"operator: USER {user!r}, want a numeric non-root uid")
    check(user_of(all_stages["probe"][1]) == "0:0", "probe: USER must be stated (0:0)")

    for spec in args.binary:
        image, _, path = spec.partition("=")
        check(image in installed, f"--binary {spec}: unknown image {image}")
        if image not in installed:
            continue
        if not pathlib.Path(path).is_file():
            failures.append(f"{image}: {path} is not built (build it before running the tests)")
            continue
        allowed = dependency_closure(sorted(installed[image]) + BASE_IMAGE_ROOTS)
        libraries = library_packages(path)
        if libraries is None:
            continue
        check(len(libraries) > 0, f"{path}: ldd found no shared libraries")
        for lib, owner in sorted(libraries.items()):
            check(owner is not None, f"{image}: {lib} belongs to no Debian package")
            check(owner is None or owner in allowed,
                  f"{image}: {path} loads {lib} from {owner}, which the image does not install")
        print(f"{image}: {len(libraries)} libraries of {path} covered by the image")
    return report()


def report():
    for f in failures:
        print("FAIL:", f)
    if failures:
        return 1
    print("images: Dockerfile runtime stages agree with hack/bootstrap.sh")
    return 0


if __name__ == "__main__":
    sys.exit(main())
