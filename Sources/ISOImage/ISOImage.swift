// ISOImage: see shared/DESIGN.md
