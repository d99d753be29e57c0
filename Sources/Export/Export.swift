// Export: see shared/DESIGN.md
