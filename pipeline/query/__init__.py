"""Query and compare results: an embedded DuckDB index over an outputs folder, with filters, output
formats, side-by-side comparison and charts. Plain library code; the CLI lives in ``command``."""
