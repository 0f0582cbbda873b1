"""HTTP request and response models per topic (never ORM classes)."""
