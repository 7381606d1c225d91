"""Forms of the budgets package."""
