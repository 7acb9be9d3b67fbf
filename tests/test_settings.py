"""Polite live defaults; the fast profile only for a loopback base URL."""

from __future__ import annotations

import pytest
from scrapy.crawler import Crawler
from scrapy.settings import Settings

from newsdesk import settings as project_settings
from spiders.almayadeen import AlMayadeenSpider


def _spider_settings(tmp_path, base_url: str) -> Settings:
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    settings.set("NEWSDESK_WAREHOUSE", str(tmp_path), priority="cmdline")
    # The spider picks its profile while the crawler's settings are still open.
    crawler = Crawler(AlMayadeenSpider, settings)
    AlMayadeenSpider.from_crawler(crawler, base_url=base_url)
    return crawler.settings


def test_live_defaults_are_polite():
    assert project_settings.ROBOTSTXT_OBEY is True
    assert project_settings.DOWNLOAD_DELAY >= 1.0
    assert project_settings.DOWNLOAD_DELAY_JITTER == 0.0  # never below the 1 s floor
    assert project_settings.CONCURRENT_REQUESTS_PER_DOMAIN == 1
    assert project_settings.AUTOTHROTTLE_ENABLED is True
    assert "newsdesk" in project_settings.USER_AGENT and "+http" in project_settings.USER_AGENT
    assert {403, 429, 500, 503}.issubset(project_settings.RETRY_HTTP_CODES)


def test_live_site_keeps_the_polite_profile(tmp_path):
    settings = _spider_settings(tmp_path, "https://english.almayadeen.net")
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1.0
    assert settings.getbool("AUTOTHROTTLE_ENABLED")


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:8765", "http://localhost:8765"])
def test_loopback_gets_the_fast_profile(tmp_path, base_url):
    settings = _spider_settings(tmp_path, base_url)
    assert settings.getfloat("DOWNLOAD_DELAY") == 0.0
    assert not settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getbool("ROBOTSTXT_OBEY")  # robots.txt is obeyed everywhere


def test_spider_stays_on_the_base_host(tmp_path):
    crawler = Crawler(AlMayadeenSpider, {"NEWSDESK_WAREHOUSE": str(tmp_path)})
    spider = AlMayadeenSpider.from_crawler(crawler, base_url="http://127.0.0.1:8765")
    assert spider.allowed_domains == ["127.0.0.1"]
