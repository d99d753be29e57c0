// FATImage: see shared/DESIGN.md
