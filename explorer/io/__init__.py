"""Files: the graph file format (pure, no Qt), atomic saving, and export."""
