"""Staff-facing work on the stored data: exports of responses (`staff/exports.py`), purging
old data (`staff/purge.py`), and (with the staff area) pages, the API and the evidence pack."""
