"""Team page and invitation acceptance."""
