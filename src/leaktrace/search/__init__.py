"""Source search: which registered document a leak comes from."""
