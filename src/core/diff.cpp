// Line-based text diff (Myers); written by the Version engine's issue.
