"""Check that templates/project/frontend/package-lock.json matches its package.json.

    python tools/check_frontend_lock.py          # exit 1 when the lock is stale
    python tools/check_frontend_lock.py --write  # bring the lock up to date

npm resolves package.json against the shipped lock in a scratch folder
(`npm install --package-lock-only`: nothing is installed, no script runs); the
lock is current when npm leaves it unchanged. Needs npm and its registry.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FRONTEND = Path(__file__).resolve().parents[1] / "templates" / "project" / "frontend"
NPM_FLAGS = ["--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"]


def fresh_lock(frontend: Path = FRONTEND) -> bytes:
    """The lock npm writes for the templates' package.json, starting from the shipped lock."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is not installed: install Node.js 20.19 or newer")
    with tempfile.TemporaryDirectory(prefix="dayone-lock-") as scratch:
        folder = Path(scratch)
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(frontend / name, folder / name)
        result = subprocess.run(
            [npm, "install", *NPM_FLAGS],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        if result.returncode != 0:
            raise SystemExit(f"npm install --package-lock-only failed:\n{result.stderr}")
        return (folder / "package-lock.json").read_bytes()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check the web app's package-lock.json.")
    parser.add_argument("--write", action="store_true", help="update the lock in place")
    args = parser.parse_args(argv)
    lock = FRONTEND / "package-lock.json"
    fresh = fresh_lock()
    if fresh == lock.read_bytes():
        print("package-lock.json is in sync with package.json")
        return 0
    if args.write:
        lock.write_bytes(fresh)
        print(f"updated {lock}")
        return 0
    print(
        "package-lock.json is out of date with package.json;"
        " run: python tools/check_frontend_lock.py --write",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
