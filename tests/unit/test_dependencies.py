"""The declared dependency bounds exclude releases with known advisories, and
the lock CI installs from (constraints.txt) satisfies every declared bound."""

from __future__ import annotations

import tomllib

from packaging.requirements import Requirement
from packaging.version import Version
from paths import ROOT

# package -> (first fixed release, advisory); a lower bound below it would let a
# fresh install pick a vulnerable release
ADVISORIES = {
    "scrapy": ("2.13.4", "CVE-2025-6176, decompression bombs through brotli/deflate"),
    "brotli": ("1.2.0", "CVE-2025-6176, what Scrapy's fix needs"),
    "streamlit": ("1.54.0", "CVE-2026-33682, server-side request forgery"),
    "twisted": ("24.7.0", "CVE-2024-41671 / CVE-2024-41810"),
    "tqdm": ("4.66.3", "CVE-2024-34062"),
    "cryptography": ("44.0.1", "CVE-2024-12797"),
}


def _declared() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    lines = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    requirements = (Requirement(line) for line in lines)
    return {r.name.lower(): r for r in requirements}


def _locked() -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text("utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.strip().lower().replace("_", "-")] = Version(version.strip())
    return pins


def test_lower_bounds_exclude_releases_with_known_advisories():
    declared = _declared()
    for package, (fixed, advisory) in ADVISORIES.items():
        assert package in declared, f"{package} must be declared to bound it ({advisory})"
        specifier = declared[package].specifier
        just_below = Version(f"{fixed}rc0")  # sorts after every release before `fixed`
        assert not specifier.contains(just_below, prereleases=True), (
            f"{package}{specifier} admits {advisory}"
        )
        assert specifier.contains(fixed)


def test_the_lock_satisfies_every_declared_bound():
    locked = _locked()
    for name, requirement in _declared().items():
        key = name.replace("_", "-")
        assert key in locked, f"{name} is declared but not in constraints.txt"
        assert requirement.specifier.contains(locked[key]), (
            f"{name}=={locked[key]} vs {requirement}"
        )
