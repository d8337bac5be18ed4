// Package alert keeps saved searches ("tell me when a new record mentions
// OPCON") and tells their owners about every new paragraph that matches,
// through an Atom feed, a signed webhook and email digests.
//
// Alerts, their matches and the delivery outbox are user data: they live in
// one bbolt file in the data dir (alerts.db), never in the search index, so
// rebuilding the index loses nothing and copying that one file backs them up.
//
// Alerts are checked against new paragraphs only: the indexer reports which
// paragraphs entered the index with new or changed text, the matcher puts just
// those into a small in-memory index and runs every alert's search on it. A
// match (alert, record, paragraph text hash) is recorded once, so re-indexing
// an unchanged record never notifies anyone twice, and a paragraph that only
// moved within its record is not new.
package alert
