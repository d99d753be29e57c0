// FUSEMount: see shared/DESIGN.md
