"""The command line explains itself and the README shows every command."""

from __future__ import annotations

import re

from click.testing import CliRunner

from conftest import REPO
from scrutiny import __version__
from scrutiny.cli import cli


def test_every_command_has_help_with_an_example_and_is_in_the_readme():
    readme = (REPO / "README.md").read_text()
    runner = CliRunner()
    top = runner.invoke(cli, ["--help"])
    assert top.exit_code == 0 and "Example:" in top.output
    assert cli.commands, "no commands"
    for name, command in cli.commands.items():
        result = runner.invoke(cli, [name, "-h"])
        assert result.exit_code == 0, name
        assert "Example:" in result.output, name
        assert command.help.strip().splitlines()[0].endswith("."), name
        assert f"scrutiny {name}" in readme, f"README does not show `scrutiny {name}`"


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_build_of_a_missing_path_is_refused_clearly(tmp_path):
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "nowhere"), "--db", str(tmp_path / "c.db")])
    assert result.exit_code == 2
    assert "does not exist" in result.output
    assert not (tmp_path / "c.db").exists()


def test_build_prints_a_summary_and_names_problems(tmp_path):
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<<")
    (tmp_path / "note.txt").write_text("Doncaster Council re-referrals update")
    result = CliRunner().invoke(cli, ["build", str(tmp_path), "--db", str(tmp_path / "c.db")])
    assert result.exit_code == 0
    assert "2 files: 1 added, 1 failed; 1 problems" in result.output
    assert re.search(r"problem: .*broken\.pdf: .*could not be opened as a PDF", result.output)


def test_readme_test_command_is_what_ci_runs():
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    commands = re.findall(r"```(?:bash|sh)\n(.*?)```", readme, re.S)
    test_command = next(c.strip() for c in commands if "pytest" in c)
    for line in test_command.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "venv" not in line:
            assert line in ci, f".ci/run does not run the README's `{line}`"
