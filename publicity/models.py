"""Public notices (公示) and objections."""
