// Package lineage follows a clause of a meeting series from one edition to
// the next: which paragraph of this year's communiqué says what a paragraph
// of last year's said, unchanged, reworded, split in two or merged from two,
// and which paragraphs are new or were dropped.
//
// It is pure: records in, links out. Plan orders the records of a series
// into editions and names each record's predecessor (same kind first, then
// across kinds); Align links the paragraphs of a record to those of its
// predecessor (candidates by shared rare terms, then a word-level diff over
// normalised tokens, so that "55th" -> "56th" or "Secretary Austin" -> "the
// Secretary" count as no change); Restore finds dropped paragraphs that come
// back later; Walk follows stored links into a clause's history. The indexer
// stores what Align returns; reads never recompute it.
package lineage
