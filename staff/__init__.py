"""Staff: the pages, API, exports and the evidence pack that people read what was said through."""
