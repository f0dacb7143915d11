"""What the points mean: clustering, hotspot summaries, ranking, comparison, evaluation."""
