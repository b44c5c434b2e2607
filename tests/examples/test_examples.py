"""The app-testing recipes under examples/ pass as a user would run them, and the README
shows them as they are.

Each example is a small real app (production provider URLs, nothing fakeidp-specific)
with its own test file and pytest settings; each runs in its own pytest process, as
``pytest examples/<name>`` would, with the plugin loaded from its entry point.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
# example directory -> how many tests it has (all must pass)
RECIPES = {"flask_authlib": 4, "django_social": 4, "fastapi_httpx": 3}


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_recipe_passes(pytester: pytest.Pytester, name: str) -> None:
    result = pytester.runpytest_subprocess(str(EXAMPLES / name), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=RECIPES[name])


def readme_recipes() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Testing your own app", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_readme_recipes_are_the_examples_code() -> None:
    blocks = readme_recipes()
    assert len(blocks) >= len(RECIPES)
    sources = "\n".join(
        p.read_text(encoding="utf-8") for name in RECIPES for p in (EXAMPLES / name).rglob("*.py")
    )
    for block in blocks:
        assert block.strip() in sources, f"README block not in any example:\n{block}"
