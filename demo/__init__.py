"""The citizen's journey over HTTP, as `make demo` plays it and the journey test
checks it: find a procedure, submit a dossier, pay, read the inbox, send feedback."""
