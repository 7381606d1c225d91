"""Services of the assessments package."""
