"""Models of the budgets package."""
