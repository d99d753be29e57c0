// Spec file → library snapshot → media tree → image layouts: the one path
// every front end (tree, mount, export) takes. Filled in by the foundation issue.
