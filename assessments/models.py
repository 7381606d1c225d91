"""Models of the assessments package."""
