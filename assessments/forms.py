"""Forms of the assessments package."""
