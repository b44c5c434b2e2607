"""The fixture template helpers, kept importable under their old IdP path.

They live in :mod:`fakeidp.templating`, where the reference client can reach
them too without importing the IdP.
"""

from __future__ import annotations

from ..templating import get_path, lookup, render

__all__ = ["get_path", "lookup", "render"]
