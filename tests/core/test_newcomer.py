"""A newcomer's first commands: `make test` checks what it needs first (scripts/check-prereqs)
and `make demo PORT=…` sends e-mails whose links point where the demo serves."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check-prereqs"


def path_without(tmp_path: Path, *hidden: str) -> str:
    """A PATH with every program of this machine but ``hidden``."""
    farm = tmp_path / "bin"
    farm.mkdir()
    for directory in ("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"):
        if not os.path.isdir(directory):
            continue
        for name in os.listdir(directory):
            if name not in hidden and not (farm / name).exists():
                (farm / name).symlink_to(Path(directory) / name)
    return str(farm)


def check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), "--no-install"],
        env={"HOME": os.environ.get("HOME", "/root"), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_every_prerequisite_is_here_on_a_machine_that_runs_the_tests():
    result = check({"PATH": os.environ["PATH"]})
    assert result.returncode == 0, result.stderr
    assert "every tool and service the tests need is here" in result.stdout


def test_missing_tools_give_one_message_with_the_one_command_that_installs_them(tmp_path):
    env = {"PATH": path_without(tmp_path, "npm", "unzip"), "CHROMIUM": str(tmp_path / "none")}
    result = check(env)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "make test needs what this machine does not have yet:"
    assert f"  - Chromium at {tmp_path / 'none'}" in lines
    assert "  - npm" in lines and "  - unzip" in lines
    commands = [line for line in lines if "apt-get install" in line]
    assert len(commands) == 1
    assert commands[0].split("apt-get install -y --no-install-recommends ")[1].split() == [
        "chromium",
        "npm",
        "unzip",
    ]
    assert lines[-1] == "Nothing was run."
    assert result.stdout == ""


def test_make_test_runs_the_check_before_anything_else():
    make = shutil.which("make")
    assert make is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    dry = subprocess.run(
        [make, "-n", "test"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert dry.stdout.splitlines()[0] == "bash scripts/check-prereqs"


def test_make_demo_on_another_port_serves_and_links_there():
    make = shutil.which("make")
    assert make is not None
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SITE_URL", "PORT", "DEMO_HOST") and not k.startswith("MAKE")
    }
    dry = subprocess.run(
        [make, "-n", "demo", "PORT=8001"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    hub_lines = [line for line in dry.stdout.splitlines() if "compliance-hub " in line]
    assert hub_lines and all("SITE_URL=http://127.0.0.1:8001 " in line for line in hub_lines)
    assert any(line.endswith("demo-link --ttl 3600") for line in hub_lines)
    assert any("runserver --noreload 127.0.0.1:8001" in line for line in hub_lines)
