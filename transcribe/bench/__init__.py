"""ASR benchmark: systems (engine × model × options) over dictations, metrics, statistics, outputs."""
