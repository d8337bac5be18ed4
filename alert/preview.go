package alert

import (
	"context"
	"fmt"

	"dialoguesearch/indexer"
)

// Preview says what a search would have matched in the corpus so far.
type Preview struct {
	Paragraphs uint64        `json:"paragraphs"`
	Records    int           `json:"records"`
	Message    string        `json:"message"`
	Latest     []indexer.Hit `json:"latest"`
}

// previewScan caps how many hits Preview reads to count distinct records.
const previewScan = 5000

// Preview validates in like Create and runs its search on idx (the main
// index): how many paragraphs in how many records it would have matched,
// with the newest few.
func (s *Service) Preview(ctx context.Context, idx *indexer.Index, in Input) (*Preview, error) {
	a := &Alert{}
	in.Set = nil
	in.Email, in.WebhookURL = "", "" // channels do not matter to a preview
	if err := in.apply(a, true); err != nil {
		return nil, err
	}
	req := a.Request()
	req.NoFacets = true
	req.Sort = indexer.SortDateDesc
	req.Size = 5
	res, err := idx.Search(ctx, req)
	if err != nil {
		return nil, err
	}
	p := &Preview{Paragraphs: res.Total, Latest: res.Hits}
	if p.Latest == nil {
		p.Latest = []indexer.Hit{}
	}
	records := map[string]bool{}
	req.Size = indexer.MaxPageSize
	seen := 0
	for page := 1; seen < previewScan && uint64(seen) < res.Total; page++ {
		req.Page = page
		r, err := idx.Search(ctx, req)
		if err != nil {
			return nil, err
		}
		if len(r.Hits) == 0 {
			break
		}
		for _, h := range r.Hits {
			records[h.RecordID] = true
		}
		seen += len(r.Hits)
	}
	p.Records = len(records)
	more := ""
	if uint64(seen) < res.Total {
		more = " at least"
	}
	p.Message = fmt.Sprintf("This search would have matched %d %s in%s %d %s so far.",
		p.Paragraphs, plural(int(p.Paragraphs), "paragraph", "paragraphs"), more, p.Records, plural(p.Records, "record", "records"))
	return p, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
