"""The integration run's summary: each generated project's coverage."""

from __future__ import annotations

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per example whose suite ran under coverage (test_generated_projects):
    read from the reports' user properties, so it works under pytest-xdist too."""
    lines = [
        f"{report.nodeid.split('[')[-1].rstrip(']')}: {value}"
        for reports in terminalreporter.stats.values()
        for report in reports
        if isinstance(report, pytest.TestReport) and report.when == "call"
        for name, value in report.user_properties
        if name == "coverage"
    ]
    if lines:
        terminalreporter.write_sep("-", "branch coverage of the generated suites")
        for line in sorted(lines):
            terminalreporter.write_line(line)
