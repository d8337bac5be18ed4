package alert

import (
	"context"
	"fmt"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
	"dialoguesearch/indexer"
)

// recordMap is a RecordSource over records in memory.
type recordMap map[string]*corpus.Record

func (m recordMap) Record(id string) (*corpus.Record, error) {
	if r, ok := m[id]; ok {
		return r, nil
	}
	return nil, failure.New(failure.NotFound, "no record %q", id)
}

// benchOnIndexed is what a real ingest does after indexing a new
// 100-paragraph record: OnIndexed against 10,000 saved alerts (one in ten
// with a webhook), matching, recording every match in alerts.db and queueing
// the webhook deliveries, in one durable transaction. Each iteration is a
// record with a new id, so every paragraph is new.
func benchOnIndexed(b *testing.B, newFrom func([]*corpus.Record) []*corpus.Record) {
	ctx := context.Background()
	recs := shippedRecords(b)
	alerts := benchAlerts(recs, 10000, 1)
	svc, err := Open(b.TempDir(), Config{WebhookAllowPrivate: true})
	if err != nil {
		b.Fatal(err)
	}
	defer svc.Close()
	now := time.Now().UTC()
	err = svc.store.db.Update(func(tx *bolt.Tx) error {
		for i, a := range alerts {
			a.ManageToken, a.Created, a.Frequency = "t", now, Immediate
			if i%10 == 0 {
				a.WebhookURL, a.WebhookSecret = "http://127.0.0.1:9/hook", "s"
			}
			if err := putJSON(tx.Bucket(bucketAlerts), []byte(a.ID), a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	rec := benchRecord(newFrom(recs))
	src := recordMap{}
	matches := 0
	i := 0
	for b.Loop() {
		i++
		r := *rec
		r.ID = fmt.Sprintf("bench-new-record-%d", i)
		src[r.ID] = &r
		var paras []indexer.Hit
		for _, p := range r.Paragraphs {
			paras = append(paras, indexer.Hit{Paragraph: indexer.Paragraph{ID: corpus.ParagraphID(r.ID, p.N), RecordID: r.ID}})
		}
		n, err := svc.OnIndexed(ctx, src, paras)
		if err != nil {
			b.Fatal(err)
		}
		matches = n
	}
	b.ReportMetric(float64(matches), "matches")
}

// BenchmarkOnIndexed10kAlerts: the one-subject record of
// BenchmarkMatch10kAlerts, matches recorded.
func BenchmarkOnIndexed10kAlerts(b *testing.B) { benchOnIndexed(b, oneSubject(b)) }

// BenchmarkOnIndexed10kAlertsWorstCase: the worst-case record of
// BenchmarkMatch10kAlertsWorstCase, matches recorded.
func BenchmarkOnIndexed10kAlertsWorstCase(b *testing.B) {
	benchOnIndexed(b, func(recs []*corpus.Record) []*corpus.Record { return recs })
}

// BenchmarkPrefilter10kAlerts is the prefilter's share of
// BenchmarkMatch10kAlerts: made for the batch of the one-subject record
// (its index already built), then asked about 10,000 alerts.
func BenchmarkPrefilter10kAlerts(b *testing.B) {
	ctx := context.Background()
	recs := shippedRecords(b)
	alerts := benchAlerts(recs, 10000, 1)
	batchRecs := []*corpus.Record{benchRecord(oneSubject(b)(recs))}
	bt, err := newBatch(ctx, batchRecs)
	if err != nil {
		b.Fatal(err)
	}
	defer bt.Close()
	kept := 0
	for b.Loop() {
		pre, err := newPrefilter(bt.idx, batchRecs)
		if err != nil {
			b.Fatal(err)
		}
		kept = 0
		for _, a := range alerts {
			if pre.mayMatch(a) {
				kept++
			}
		}
	}
	b.ReportMetric(float64(kept), "alerts-kept")
}
