"""fakeidp: a fake identity provider that behaves like real OAuth providers,
and a conformance kit for OAuth connectors."""

__version__ = "0.1.0"
