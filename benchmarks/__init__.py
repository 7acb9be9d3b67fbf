"""newsdesk benchmarks: how fast, how big, and compared with what.

Run them all with ``.venv/bin/python -m benchmarks`` (``make bench``); see
``python -m benchmarks --help`` for ``--quick`` and ``--only``. Every number is
reported next to a baseline measured in the same run, as a ratio, because
absolute times vary from run to run and machine to machine. Nothing here is
part of the test suite and nothing asserts on timings: targets are reported as
met or missed in ``benchmarks/RESULTS.md``.

Modules: ``extraction`` (pages/s and accuracy vs lxml and trafilatura),
``crawl`` (end-to-end crawl vs a bare Scrapy spider, with ``bare_spider`` and
``child``), ``incremental`` (requests of a second visit vs the minimum),
``warehouse`` (DuckDB build and analyst queries on synthetic datasets),
``dates`` (date normalization throughput and adversarial inputs).
"""
