// MediaSpec: see shared/DESIGN.md
