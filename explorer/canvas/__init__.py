"""The node canvas: QGraphicsScene/View and the items that draw nodes, ports and edges."""
