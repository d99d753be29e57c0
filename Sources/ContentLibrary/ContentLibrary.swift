// ContentLibrary: see shared/DESIGN.md
