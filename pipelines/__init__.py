"""Item pipelines, one job each: validate, drop duplicates, write Parquet, write the crawl log."""
