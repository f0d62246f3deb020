"""`builder comments`: returned Word and PDF copies read."""
