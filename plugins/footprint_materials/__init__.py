"""footprint's built-in material plugins.

Each module is registered in pyproject.toml under the `footprint.materials` entry-point group,
exactly as a third-party plugin package would register its own.
"""
