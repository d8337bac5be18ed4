package lineage

// Ref names a paragraph: record id and paragraph N.
type Ref struct {
	Record string `json:"record"`
	N      int    `json:"n"`
}

// Edge is a stored link between two paragraphs of a series.
type Edge struct {
	From       Ref     `json:"from"`
	To         Ref     `json:"to"`
	Kind       Kind    `json:"kind"`
	Similarity float64 `json:"similarity"`
	Script     Script  `json:"script,omitempty"`
}

// Graph reads stored links.
type Graph interface {
	// Incoming are the links into a paragraph from earlier editions.
	Incoming(Ref) ([]Edge, error)
	// Outgoing are the links from a paragraph to later editions.
	Outgoing(Ref) ([]Edge, error)
}

// Walk follows stored links back and forth from start and returns the
// paragraphs of the clause's history (start first) and the links between
// them. It reads at most limit paragraphs' links: a clause merged and
// split across many editions stays bounded.
func Walk(g Graph, start Ref, limit int) ([]Ref, []Edge, error) {
	seen := map[Ref]bool{start: true}
	nodes := []Ref{start}
	var edges []Edge
	seenEdge := map[[2]Ref]bool{}
	for i := 0; i < len(nodes) && i < limit; i++ {
		in, err := g.Incoming(nodes[i])
		if err != nil {
			return nil, nil, err
		}
		out, err := g.Outgoing(nodes[i])
		if err != nil {
			return nil, nil, err
		}
		for _, e := range append(in, out...) {
			k := [2]Ref{e.From, e.To}
			if seenEdge[k] {
				continue
			}
			seenEdge[k] = true
			edges = append(edges, e)
			for _, r := range []Ref{e.From, e.To} {
				if !seen[r] && len(nodes) < limit {
					seen[r] = true
					nodes = append(nodes, r)
				}
			}
		}
	}
	// edges to paragraphs beyond the limit are left out
	kept := edges[:0]
	for _, e := range edges {
		if seen[e.From] && seen[e.To] {
			kept = append(kept, e)
		}
	}
	return nodes, kept, nil
}
