"""`dayone deploy`: choosing the target, the tag, the printed commands, running
them through the platform's CLI (fakes: see tests/deploy/support.py), and the
record in .dayone/project.json."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.deploy.support import (
    PROJECT_ALL,
    PROJECT_FLY,
    PROJECT_JOBS,
    PROJECT_NONE,
    Platform,
    copy_project,
    dayone,
    head_of,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def project(generate: Callable[[str], Path], tmp_path: Path) -> Path:
    """Every target, no jobs, a git repository with one commit."""
    return copy_project(generate(PROJECT_ALL), tmp_path / "ship_it", git=True)


@pytest.fixture
def platform(tmp_path: Path) -> Platform:
    return Platform(tmp_path / "platform")


def record(root: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((root / ".dayone/project.json").read_text())
    return data


# Choosing the target


def test_target_flag_picks_the_deployer(project: Path, platform: Platform) -> None:
    result = dayone("deploy", str(project), "--target", "fly", "--dry-run", platform=platform)
    assert result.returncode == 0, result.stderr
    assert "ok fly files" in result.stdout
    assert "flyctl deploy backend --config backend/fly.toml" in result.stdout


def test_deploy_target_variable_picks_the_deployer(project: Path, platform: Platform) -> None:
    result = dayone(
        "deploy", str(project), "--dry-run", platform=platform, env={"DEPLOY_TARGET": "docker"}
    )
    assert result.returncode == 0, result.stderr
    assert "ok docker files" in result.stdout


def test_the_flag_wins_over_the_variable(project: Path, platform: Platform) -> None:
    result = dayone(
        "deploy",
        str(project),
        "-t",
        "fly",
        "--dry-run",
        platform=platform,
        env={"DEPLOY_TARGET": "docker"},
    )
    assert result.returncode == 0, result.stderr
    assert "ok fly files" in result.stdout


def test_the_only_target_needs_no_flag(
    generate: Callable[[str], Path], tmp_path: Path, platform: Platform
) -> None:
    root = copy_project(generate(PROJECT_FLY), tmp_path / "fly_only")
    result = dayone("deploy", str(root), "--dry-run", platform=platform)
    assert result.returncode == 0, result.stderr
    assert "ok fly files" in result.stdout


def test_several_targets_and_no_choice_is_refused(project: Path, platform: Platform) -> None:
    result = dayone("deploy", str(project), "--dry-run", platform=platform)
    assert result.returncode == 2
    assert "Which target? dayone.yaml lists docker, fly, render, heroku" in result.stderr
    assert "DEPLOY_TARGET" in result.stderr


@pytest.mark.parametrize("how", ["flag", "variable"])
def test_unknown_target_is_refused(project: Path, platform: Platform, how: str) -> None:
    args = ["deploy", str(project), "--dry-run"] + (["--target", "k8s"] if how == "flag" else [])
    env = {"DEPLOY_TARGET": "k8s"} if how == "variable" else {}
    result = dayone(*args, platform=platform, env=env)
    assert result.returncode == 2
    assert "Unknown deploy target 'k8s'" in result.stderr
    assert "docker, fly, render, heroku" in result.stderr
    assert "Traceback" not in result.stderr


def test_target_not_in_the_spec_is_refused(
    generate: Callable[[str], Path], tmp_path: Path, platform: Platform
) -> None:
    root = copy_project(generate(PROJECT_FLY), tmp_path / "fly_only")
    result = dayone("deploy", str(root), "--target", "heroku", platform=platform.install("heroku"))
    assert result.returncode == 2
    assert "Target 'heroku' (from --target) is not in dayone.yaml's deploy list (fly)" in (
        result.stderr
    )
    assert platform.calls() == []


def test_a_spec_without_targets_is_refused(
    generate: Callable[[str], Path], platform: Platform
) -> None:
    result = dayone("deploy", str(generate(PROJECT_NONE)), "--dry-run", platform=platform)
    assert result.returncode == 2
    assert "lists no deploy targets" in result.stderr


# Tags


def test_default_tag_is_the_commit(project: Path, platform: Platform) -> None:
    result = dayone("deploy", str(project), "-t", "docker", "--dry-run", platform=platform)
    assert f"image tag: {head_of(project)[:12]}\n" in result.stdout


def test_uncommitted_changes_mark_the_tag_dirty(project: Path, platform: Platform) -> None:
    (project / "backend/app/extra.py").write_text("VALUE = 1\n")
    result = dayone("deploy", str(project), "-t", "docker", "--dry-run", platform=platform)
    assert f"image tag: {head_of(project)[:12]}-dirty\n" in result.stdout


def test_without_git_the_tag_is_the_spec_hash(
    generate: Callable[[str], Path], tmp_path: Path, platform: Platform
) -> None:
    import hashlib

    root = copy_project(generate(PROJECT_ALL), tmp_path / "no_git")
    digest = hashlib.sha256((root / "dayone.yaml").read_bytes()).hexdigest()
    result = dayone("deploy", str(root), "-t", "fly", "--dry-run", platform=platform)
    assert result.returncode == 0, result.stderr
    assert f"image tag: spec-{digest[:12]}\n" in result.stdout
    assert f"--image-label spec-{digest[:12]}" in result.stdout


@pytest.mark.parametrize("target", ["render", "heroku"])
def test_a_dry_run_outside_git_warns_that_the_platform_builds_from_git(
    generate: Callable[[str], Path], tmp_path: Path, platform: Platform, target: str
) -> None:
    root = copy_project(generate(PROJECT_ALL), tmp_path / "no_git")
    result = dayone("deploy", str(root), "-t", target, "--dry-run", platform=platform)
    assert result.returncode == 0, result.stderr
    assert "problem(s)" not in result.stdout + result.stderr  # the files are fine
    assert f"ok {target} files" in result.stdout
    assert "builds from your git repository" in result.stderr
    assert "git init" in result.stderr
    assert "<commit>" in result.stdout  # what it would push, once there is one
    assert "dry run: nothing was run." in result.stdout
    assert platform.calls() == []


@pytest.mark.parametrize("target", ["render", "heroku"])
def test_a_real_run_outside_git_names_git_as_the_problem(
    generate: Callable[[str], Path], tmp_path: Path, platform: Platform, target: str
) -> None:
    root = copy_project(generate(PROJECT_ALL), tmp_path / "no_git")
    platform.install("render", "heroku")
    env = {"RENDER_SERVICE_ID": "srv-1", "HEROKU_APP": "ship-it", "HEROKU_API_KEY": "k"}
    result = dayone("deploy", str(root), "-t", target, platform=platform, env=env)
    assert result.returncode == 2
    assert "problem(s) in the" not in result.stderr
    assert "builds from your git repository" in result.stderr
    assert "Traceback" not in result.stderr
    assert platform.calls() == []


def test_tag_flag_and_bad_tags(project: Path, platform: Platform) -> None:
    good = dayone(
        "deploy", str(project), "-t", "fly", "--tag", "v1.2.3", "--dry-run", platform=platform
    )
    assert "--image-label v1.2.3" in good.stdout
    bad = dayone("deploy", str(project), "-t", "fly", "--tag", "v1;rm -rf /", platform=platform)
    assert bad.returncode == 2
    assert "is not a valid image tag" in bad.stderr


# Dry run


def test_dry_run_prints_the_commands_and_runs_nothing(project: Path, platform: Platform) -> None:
    platform.install("docker")
    tag = head_of(project)[:12]
    result = dayone("deploy", str(project), "-t", "docker", "--dry-run", platform=platform)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-4:] == [
        "commands:",
        f"  IMAGE_TAG={tag} docker compose --file docker-compose.yml build",
        f"  IMAGE_TAG={tag} docker compose --file docker-compose.yml up --detach --wait",
        "dry run: nothing was run.",
    ]
    assert platform.calls() == []
    assert not (project / ".dayone/project.json").exists()


def test_dry_run_needs_no_cli(project: Path, platform: Platform) -> None:
    result = dayone("deploy", str(project), "-t", "heroku", "--dry-run", platform=platform)
    assert result.returncode == 0, result.stderr
    commit = head_of(project)
    assert "heroku stack:set container --app ship-it" in result.stdout
    assert f"git push https://git.heroku.com/ship-it.git {commit}:refs/heads/main" in result.stdout


# Missing CLI


@pytest.mark.parametrize(
    ("target", "names"),
    [
        ("docker", "`docker`"),
        ("fly", "`flyctl` or `fly`"),
        ("render", "`render`"),
        ("heroku", "`heroku`"),
    ],
)
def test_missing_cli_says_what_to_install(
    project: Path, platform: Platform, target: str, names: str
) -> None:
    env = {"RENDER_SERVICE_ID": "srv-web"}
    result = dayone("deploy", str(project), "-t", target, platform=platform, env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"The {target} CLI ({names}) is not installed or not on PATH" in result.stderr
    assert "Install" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / ".dayone/project.json").exists()


# Running the commands (fake CLIs)


def test_docker_runs_compose_with_the_tag_and_records_it(project: Path, platform: Platform) -> None:
    platform.install("docker")
    tag = head_of(project)[:12]
    result = dayone("deploy", str(project), "-t", "docker", platform=platform)
    assert result.returncode == 0, result.stderr
    assert platform.calls() == [
        {
            "program": "docker",
            "argv": ["compose", "--file", "docker-compose.yml", "build"],
            "IMAGE_TAG": tag,
        },
        {
            "program": "docker",
            "argv": ["compose", "--file", "docker-compose.yml", "up", "--detach", "--wait"],
            "IMAGE_TAG": tag,
        },
    ]
    assert record(project)["deploy"] == {
        "deployer": "docker",
        "image_tag": tag,
        "public_url": "http://localhost:8000",
    }


def test_fly_runs_flyctl_or_fly(project: Path, platform: Platform) -> None:
    platform.install("fly")  # only the short name installed
    result = dayone("deploy", str(project), "-t", "fly", "--tag", "release-7", platform=platform)
    assert result.returncode == 0, result.stderr
    [call] = platform.calls()
    assert call["program"] == "fly"
    assert call["argv"] == [
        "deploy",
        "backend",
        "--config",
        "backend/fly.toml",
        "--remote-only",
        "--image-label",
        "release-7",
    ]
    assert record(project)["deploy"] == {
        "deployer": "fly",
        "image_tag": "release-7",
        "public_url": "https://ship-it.fly.dev",
    }


def test_render_needs_the_service_id(project: Path, platform: Platform) -> None:
    platform.install("render")
    refused = dayone("deploy", str(project), "-t", "render", platform=platform)
    assert refused.returncode == 2
    assert "RENDER_SERVICE_ID is not set" in refused.stderr
    assert platform.calls() == []
    result = dayone(
        "deploy",
        str(project),
        "-t",
        "render",
        platform=platform,
        env={"RENDER_SERVICE_ID": "srv-1"},
    )
    assert result.returncode == 0, result.stderr
    commit = head_of(project)
    assert [c["argv"] for c in platform.calls()] == [
        ["blueprints", "validate", "render.yaml"],
        [
            "deploys",
            "create",
            "srv-1",
            "--commit",
            commit,
            "--wait",
            "--confirm",
            "--output",
            "json",
        ],
    ]
    assert record(project)["deploy"] == {
        "deployer": "render",
        "image_tag": commit[:12],
        "public_url": "https://ship-it-api.onrender.com",
    }


def test_render_with_jobs_deploys_the_worker_too(
    generate: Callable[[str], Path], tmp_path: Path, platform: Platform
) -> None:
    root = copy_project(generate(PROJECT_JOBS), tmp_path / "jobs", worker=True, git=True)
    platform.install("render")
    env = {"RENDER_SERVICE_ID": "srv-web", "RENDER_WORKER_SERVICE_ID": "srv-worker"}
    result = dayone("deploy", str(root), "-t", "render", platform=platform, env=env)
    assert result.returncode == 0, result.stderr
    assert [c["argv"][2] for c in platform.calls()[1:]] == ["srv-web", "srv-worker"]


def test_heroku_pushes_the_commit_and_asks_for_the_url(project: Path, platform: Platform) -> None:
    platform.install("heroku")
    commit = head_of(project)
    result = dayone(
        "deploy",
        str(project),
        "-t",
        "heroku",
        platform=platform,
        env={"HEROKU_APP": "ship-it-prod"},
    )
    assert result.returncode == 0, result.stderr
    assert [(c["program"], c["argv"]) for c in platform.calls()] == [
        ("heroku", ["stack:set", "container", "--app", "ship-it-prod"]),
        ("git", ["push", "https://git.heroku.com/ship-it-prod.git", f"{commit}:refs/heads/main"]),
        ("heroku", ["apps:info", "--app", "ship-it-prod", "--json"]),
    ]
    assert record(project)["deploy"] == {
        "deployer": "heroku",
        "image_tag": commit[:12],
        "public_url": "https://ship-it-4f2a.herokuapp.com",
    }


def test_a_failing_command_stops_the_deploy(project: Path, platform: Platform) -> None:
    platform.install("docker")
    platform.fail("docker", 3)
    result = dayone("deploy", str(project), "-t", "docker", platform=platform)
    assert result.returncode == 1
    assert "failed with exit code 3" in result.stderr
    assert len(platform.calls()) == 1  # `up` never ran
    assert not (project / ".dayone/project.json").exists()


def test_the_record_keeps_other_keys_and_is_deterministic(
    project: Path, platform: Platform
) -> None:
    platform.install("flyctl")
    (project / ".dayone/project.json").write_text('{"owner": "ops"}\n')
    for _ in range(2):
        result = dayone("deploy", str(project), "-t", "fly", "--tag", "v1", platform=platform)
        assert result.returncode == 0, result.stderr
    first = (project / ".dayone/project.json").read_bytes()
    assert json.loads(first) == {
        "owner": "ops",
        "deploy": {"deployer": "fly", "image_tag": "v1", "public_url": "https://ship-it.fly.dev"},
    }
    assert (
        dayone("deploy", str(project), "-t", "fly", "--tag", "v1", platform=platform).returncode
        == 0
    )
    assert (project / ".dayone/project.json").read_bytes() == first
    # The record does not make the next deploy's tag dirty.
    dry = dayone("deploy", str(project), "-t", "fly", "--dry-run", platform=platform)
    assert f"image tag: {head_of(project)[:12]}\n" in dry.stdout


def test_invalid_files_stop_the_deploy_before_any_command(
    project: Path, platform: Platform
) -> None:
    platform.install("flyctl")
    fly = project / "backend/fly.toml"
    fly.write_text(fly.read_text().replace('path = "/health"', 'path = "/healthz"'))
    result = dayone("deploy", str(project), "-t", "fly", platform=platform)
    assert result.returncode == 1
    assert "health check path /healthz is not a GET route of the app" in result.stderr
    assert platform.calls() == []
