"""Scrapy settings: polite defaults for the live site.

The live site sits behind bot protection (Cloudflare answered bots with 403),
so the defaults are slow and honest: robots.txt obeyed, one request at a time
at least one second apart, AutoThrottle on top, a User-Agent that names the
project and a contact URL, and retries with exponential back-off on
5xx/429/403. `FAST_PROFILE` lists the only settings that differ when the
target is the loopback replica; the spider applies it by itself, and only
for a loopback host (see `spiders.almayadeen.AlMayadeenSpider.from_crawler`).
"""

from __future__ import annotations

import os

BOT_NAME = "newsdesk"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

LIVE_BASE_URL = "https://english.almayadeen.net"
CONTACT_URL = os.environ.get("NEWSDESK_CONTACT_URL", "https://github.com/newsdesk-project/newsdesk")
USER_AGENT = f"newsdesk/0.1 (research news archiver; +{CONTACT_URL})"

ROBOTSTXT_OBEY = True
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# Politeness: at least 1 s between requests to the host, never randomized below it.
CONCURRENT_REQUESTS = 4
# A response yields a couple of items at most: Scrapy's default of 100 parallel
# item slots per response only creates idle asyncio tasks.
CONCURRENT_ITEMS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30

# Retries with exponential back-off (newsdesk.middlewares.BackoffRetryMiddleware
# replaces Scrapy's RetryMiddleware; same settings plus the BACKOFF_* ones).
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429, 403]
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_MAX_SECONDS = 120.0
# After this many consecutive 403/429 answers the crawl stops cleanly: the site
# is blocking us and hammering it would only make that worse.
BLOCKED_STOP_AFTER = 8

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newsdesk.middlewares.BackoffRetryMiddleware": 550,
    # The site is an origin (scheme, host, port), not a host name: same slot as
    # Scrapy's, before RobotsTxtMiddleware (100), so no other origin's robots.txt
    # is ever requested, and redirects off the site are not followed.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "newsdesk.middlewares.OriginOffsiteMiddleware": 50,
}

# Size limits, compressed and decompressed alike (Scrapy's HttpCompressionMiddleware
# stops inflating at the limit), per kind of response: the spider sets
# `download_maxsize`/`download_warnsize` in each request's meta. A page (article,
# listing, home, robots.txt) is small: the live site's are under 300 kB. A monthly
# sitemap may be tens of MB (the protocol allows 50 MB uncompressed). Anything
# larger is dropped (crawl log reason `too_large`) without being held in memory.
DOWNLOAD_MAXSIZE = 4 * 1024 * 1024  # the default: pages and robots.txt
DOWNLOAD_WARNSIZE = 1024 * 1024
NEWSDESK_SITEMAP_MAXSIZE = 64 * 1024 * 1024
# Warn beyond the sitemap protocol's own limit (50 MB uncompressed).
NEWSDESK_SITEMAP_WARNSIZE = 50 * 1024 * 1024
# Back-pressure: article URLs read from sitemaps wait in the spider (a compact
# list of strings) and enter Scrapy's scheduler only while it holds fewer than
# this many requests, so a 300,000-URL sitemap never becomes 300,000 queued
# Request objects.
NEWSDESK_SCHEDULER_TARGET = 256

# Pipelines, one job each: validate -> drop duplicates -> write Parquet; the
# crawl log writer records every fetched URL's outcome.
ITEM_PIPELINES = {
    "pipelines.validate.ValidateArticlePipeline": 100,
    "pipelines.dedupe.DropDuplicatesPipeline": 200,
    "pipelines.parquet.ParquetArticleWriter": 800,
    "pipelines.crawl_log.CrawlLogWriter": 900,
}

EXTENSIONS = {
    # Stamps fetch times and keeps every response in <warehouse>/raw/ (WARC).
    "newsdesk.extensions.RawArchive": 100,
}
NEWSDESK_ARCHIVE = True
NEWSDESK_ARCHIVE_MAX_BYTES = 100 * 1024 * 1024

# Where the data goes (the CLI and NEWSDESK_WAREHOUSE override it).
NEWSDESK_WAREHOUSE = os.environ.get("NEWSDESK_WAREHOUSE", "warehouse")
# Articles buffered before the writer merges them into their partitions.
NEWSDESK_FLUSH_EVERY = 50

# Scrapy checks every callback for `return value` by parsing its source, and its
# cache never hits for bound methods: with it on, a third of a fast crawl's CPU
# went to compile(). Our callbacks are covered by ruff and tests instead.
WARN_ON_GENERATOR_RETURN_VALUE = False

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

# Only for a loopback base URL (the offline replica): no delays, real concurrency.
FAST_PROFILE: dict[str, object] = {
    "DOWNLOAD_DELAY": 0.0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "BACKOFF_BASE_SECONDS": 0.05,
    "BACKOFF_MAX_SECONDS": 0.5,
    "DOWNLOAD_TIMEOUT": 10,
    # Fewer, larger merges: each one rewrites the month files it touches.
    "NEWSDESK_FLUSH_EVERY": 1000,
}
