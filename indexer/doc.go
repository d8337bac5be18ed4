// Package indexer keeps the bleve index of dialogue paragraphs and answers
// searches over it: one document per paragraph with its record's metadata
// copied on, an English analyzer with snowball stemming that leaves acronyms
// alone, the project's own query language (AND/OR/NOT, phrases, fields,
// prefix and fuzzy terms), query-time acronym and synonym expansion, safe
// <mark> snippets, and disjunctive facet counts. It is the only package that
// reads a query: the record page gets its marks from Matcher.Highlight and the
// alert prefilter its answer from Vocabulary.MayMatch.
package indexer
