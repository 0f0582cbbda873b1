"""Read-side queries: aggregation in SQL, no rules beyond the figure's definition."""
