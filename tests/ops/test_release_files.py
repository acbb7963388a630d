"""What a municipality's lawyers and operators read before an install: the licence the package declares is
the one its LICENSE file holds, and the changelog has a section for the version being installed."""

from __future__ import annotations

import re
import tomllib

from app.settings import PROJECT_DIR

PROJECT = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["project"]
# The first line of each licence's own text, by its SPDX name.
FIRST_LINES = {"MIT": "MIT License", "Apache-2.0": "Apache License",
               "EUPL-1.2": "EUROPEAN UNION PUBLIC LICENCE"}


def test_the_license_file_holds_the_license_pyproject_declares() -> None:
    assert PROJECT["license-files"] == ["LICENSE"]
    text = (PROJECT_DIR / "LICENSE").read_text()
    assert text.splitlines()[0].strip() == FIRST_LINES[PROJECT["license"]]
    if PROJECT["license"] == "MIT":
        assert "Permission is hereby granted, free of charge" in text and "Copyright (c)" in text


def test_the_changelog_has_a_section_for_this_version() -> None:
    headings = re.findall(r"^## (.+)$", (PROJECT_DIR / "CHANGELOG.md").read_text(), re.M)
    assert PROJECT["version"] in headings
