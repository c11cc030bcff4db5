"""Text primitives: tokens with offsets, folding to a skeleton, protected spans, alignment."""
