// Placeholder so the target builds; delete when this target gets its first real test.
