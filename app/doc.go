// Package app is the application: it owns the data directory and what lives
// in it (the search index, the alert service, the originals of ingested
// records) and the work that changes them: the index build, ingest, the
// corpus watcher and the alert deliverer.
//
// Every change to the index goes through one path, afterIndex: whatever
// brought new paragraphs in (the build on start, an ingested record, a file
// the watcher saw, `dialoguesearch index`), the saved alerts check them
// there. package server is HTTP over an App; the commands call App too.
package app
