"""Shequ: YAML sources about community-based social organizations, checked and published.

The pipeline runs one way: ``sources`` (load) → ``checks`` (report) → ``publish``
(data package) → ``render`` (site pages).
"""

__version__ = "0.1.0"
