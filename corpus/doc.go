// Package corpus turns defense dialogue records, as found on the web, into
// Records: metadata (date, meeting, location, principals, glossary) and clean
// paragraphs carrying their section, speakers, sides and topics.
//
// The parser is pure: Parse reads one file, Load reads a tree of them. The
// rules that are really data (web-noise patterns, people and their aliases,
// topics, meeting series and their ordinals, acronyms and synonyms) live in
// the data files next to the code and are embedded into the binary.
package corpus
