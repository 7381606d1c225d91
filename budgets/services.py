"""Services of the budgets package."""
