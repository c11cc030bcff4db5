"""Marking: sites and their variants, the keyed fingerprinting code, embedding, reading and scoring."""
