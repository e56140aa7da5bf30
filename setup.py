"""Build hook: carry the top-level templates/ and static/ folders inside the wheel's package.

Everything else about the build is in pyproject.toml. The repository keeps the pages'
folders beside `workshop/` (where people look for them); an installed app finds them in
the package (`workshop.create_app` looks there first).
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ASSETS = ("templates", "static")


class BuildWithAssets(build_py):
    """build_py, plus the pages' templates and static files copied into the package."""

    def run(self) -> None:
        super().run()
        root = Path(__file__).resolve().parent
        for name in ASSETS:
            source = root / name
            if source.is_dir():
                shutil.copytree(source, Path(self.build_lib) / "workshop" / name,
                                dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithAssets})
