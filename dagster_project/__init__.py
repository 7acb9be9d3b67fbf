"""The Dagster project: scheduled crawls of Al Mayadeen English and the DuckDB tables.

The code location is ``dagster_project.definitions`` (``[tool.dagster]`` in
pyproject.toml); start the UI with ``make ui``.
"""
