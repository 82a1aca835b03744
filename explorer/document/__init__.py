"""GraphDocument: the open graph, its undo stack and change signals (Qt, no widgets)."""
