"""The checks across tables and the expectation suites (Great Expectations), their results
remembered by content, and the validation report (Data Docs, offline)."""
