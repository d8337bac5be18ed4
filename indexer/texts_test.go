package indexer

import (
	"context"
	"strconv"
	"strings"
	"testing"

	index "github.com/blevesearch/bleve_index_api"
	bolt "go.etcd.io/bbolt"

	"dialoguesearch/corpus"
	"dialoguesearch/indexer/synth"
)

// countTexts counts the entries of the texts bucket of x's store.
func countTexts(t *testing.T, x *Index) int {
	t.Helper()
	if x.store.db == nil {
		x.store.mu.RLock()
		defer x.store.mu.RUnlock()
		return len(x.store.txts)
	}
	n := 0
	err := x.store.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(textsBucket).ForEach(func(k, v []byte) error { n++; return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// checkHitTexts fails unless every hit of res has its paragraph's text in
// want (record id -> record) and a snippet with a mark.
func checkHitTexts(t *testing.T, what string, res *Result, want map[string]*corpus.Record) {
	t.Helper()
	if len(res.Hits) == 0 {
		t.Fatalf("%s: no hits", what)
	}
	for _, h := range res.Hits {
		r := want[h.RecordID]
		if r == nil {
			t.Errorf("%s: hit %s of an unknown record", what, h.ID)
			continue
		}
		i := r.ParagraphIndex(h.N)
		if i < 0 || h.Text != r.Paragraphs[i].Text || h.ID != corpus.ParagraphID(r.ID, h.N) {
			t.Errorf("%s: hit %s (n %d) has text %q", what, h.ID, h.N, h.Text)
		}
		if !strings.Contains(h.SnippetHTML, "<mark>") {
			t.Errorf("%s: hit %s: snippet %q marks nothing", what, h.ID, h.SnippetHTML)
		}
	}
}

// The index does not store the texts; hits (both search paths, several
// hits of one record), the record page and comparisons read them from the
// record store, of the version the index holds, and an update replaces
// and deletes them with the record.
func TestTextsStoredOnceInTheRecordStore(t *testing.T) {
	ctx := context.Background()
	disk, mem := diskAndMemory(t)
	a := rec("a", "2020-01-01", "Alliance deterrence first.", "Nothing to see.", "Deterrence again, in ünïcode <b>bold</b>.")
	b := rec("b", "2021-01-01", "The deterrence posture of the alliance.")
	c := rec("c", "2022-01-01", "Another record about deterrence.")
	// a long record: its texts are compressed in several groups
	var long []string
	for i := 0; i < 40; i++ {
		w := "filler"
		if i%7 == 3 {
			w = "zebra"
		}
		long = append(long, strconv.Itoa(i)+" "+strings.Repeat(w+" words of paragraph "+strconv.Itoa(i)+". ", 1+i%13))
	}
	d := rec("d", "2023-01-01", long...)
	for name, x := range map[string]*Index{"disk": disk, "memory": mem} {
		// disk: a fresh build into its own directory; memory: batches
		if _, err := x.Sync(ctx, []*corpus.Record{a, b, c, d}, nil); err != nil {
			t.Fatal(err)
		}
		want := map[string]*corpus.Record{"a": a, "b": b, "c": c, "d": d}
		for _, q := range []string{"zebra", "zebr*"} {
			res := mustSearch(t, x, q)
			if len(res.Hits) != 6 {
				t.Errorf("%s %s: hits %q, want 6", name, q, hitIDs(res))
			}
			checkHitTexts(t, name+" "+q, res, want)
		}
		for _, req := range []Request{
			{Query: "deterrence"},                    // the bitmap path
			{Query: "deterr*"},                       // bleve, no filters
			{Query: "deterrence", Sort: SortDateAsc}, // bleve, date order
			{Query: "deterrence", Filters: map[string][]string{"series": {"SCM"}}, From: "2019-01-01"},
		} {
			req.Size = 10
			res, err := x.Search(ctx, req)
			if err != nil {
				t.Fatalf("%s %+v: %v", name, req, err)
			}
			if len(res.Hits) != 4 {
				t.Errorf("%s %+v: %d hits, want 4", name, req, len(res.Hits))
			}
			checkHitTexts(t, name+" "+req.Query+" "+req.Sort, res, want)
		}
		for _, r := range []*corpus.Record{a, b, c, d} {
			got, err := x.Record(r.ID)
			if err != nil {
				t.Fatal(err)
			}
			sameRecord(t, got, r)
		}

		// the index holds no text
		x.mu.RLock()
		ai, _ := x.bi.Advanced()
		rd, err := ai.Reader()
		if err != nil {
			t.Fatal(err)
		}
		doc, err := rd.Document("a-p1")
		if err != nil || doc == nil {
			t.Fatalf("%s: document a-p1: %v", name, err)
		}
		doc.VisitFields(func(f index.Field) {
			if f.Name() == fText {
				t.Errorf("%s: the index stores the text of a-p1", name)
			}
		})
		rd.Close()
		x.mu.RUnlock()

		// a changed record: its new texts; a removed one: its texts gone
		a2 := rec("a", "2020-01-01", "Nothing to see.", "Deterrence rewritten since.")
		if _, err := x.Sync(ctx, []*corpus.Record{a2, b, d}, nil); err != nil {
			t.Fatal(err)
		}
		want = map[string]*corpus.Record{"a": a2, "b": b, "d": d}
		for _, q := range []string{"deterrence", "deterr*"} {
			res := mustSearch(t, x, q)
			if len(res.Hits) != 2 {
				t.Errorf("%s %s after the update: hits %q", name, q, hitIDs(res))
			}
			checkHitTexts(t, name+" "+q+" after the update", res, want)
		}
		got, err := x.Record("a")
		if err != nil {
			t.Fatal(err)
		}
		sameRecord(t, got, a2)
		if n := countTexts(t, x); n != 3 {
			t.Errorf("%s: %d texts stored for 3 records", name, n)
		}
	}
}

// A damaged or missing texts entry is an error that says so, for a search
// and for the record page, not a panic or an empty text.
func TestDamagedTextsAreAnError(t *testing.T) {
	ctx := context.Background()
	dir, x, _, _ := alphaBravoOnDisk(t)
	ka, kb := storeKey("a", x.manifest["a"].Hash), storeKey("b", x.manifest["b"].Hash)
	x.Close()
	x = damageStore(t, dir, func(tx *bolt.Tx) error {
		z := tx.Bucket(textsBucket).Get(ka)
		if err := tx.Bucket(textsBucket).Put(ka, append([]byte(nil), z[:len(z)/2]...)); err != nil {
			return err
		}
		return tx.Bucket(textsBucket).Delete(kb)
	})
	for _, c := range []struct{ q, id, says string }{{"alpha", "a", "damaged"}, {"bravo", "b", "no paragraph texts stored"}} {
		for _, q := range []string{c.q, c.q[:3] + "*"} {
			if _, err := x.Search(ctx, Request{Query: q}); err == nil || !strings.Contains(err.Error(), c.says) {
				t.Errorf("search %s: err %v, want one that says %q", q, err, c.says)
			}
		}
		if _, err := x.Record(c.id); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("record %s: err %v, want one that says %q", c.id, err, c.says)
		}
	}
}

func TestTextsEncoding(t *testing.T) {
	short := rec("r", "2020-01-01", "first", "", "third ünïcode")
	short.Paragraphs[2].N = 7
	var texts []string
	for i := 0; i < 60; i++ {
		texts = append(texts, strings.Repeat("paragraph "+strconv.Itoa(i)+" ", i*7))
	}
	long := rec("l", "2020-01-01", texts...)
	var train []storedRecord
	for _, r := range synth.Generate(1000, 1) {
		train = append(train, storedRecord{id: r.ID, rec: r})
	}
	d, _ := trainDicts(train, nil)
	if d == nil {
		t.Fatal("no dictionary trained on 1,000 paragraphs")
	}
	withDict, err := newStoreCodec(d, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := trainDicts(train[:1], nil); d != nil {
		t.Error("a dictionary trained on one record")
	}
	for name, c := range map[string]*storeCodec{"no dictionary": noDictCodec, "dictionary": withDict} {
		for _, r := range []*corpus.Record{short, long, rec("none", "2020-01-01"), train[len(train)-1].rec} {
			z := c.encode(r)
			got, ok := c.decode(z, r.ID)
			if !ok || len(got.Paragraphs) != len(r.Paragraphs) {
				t.Fatalf("%s %s: decoded %v, %v", name, r.ID, got, ok)
			}
			for i, p := range r.Paragraphs {
				if got.Paragraphs[i].N != p.N || got.Paragraphs[i].Text != p.Text {
					t.Errorf("%s %s: paragraph %d: %+v", name, r.ID, i, got.Paragraphs[i])
				}
			}
			st, _ := parseTexts(z)
			if r == long && len(st.groups) < 5 {
				t.Errorf("a record of %d paragraphs in %d groups", len(r.Paragraphs), len(st.groups))
			}
			bad := [][]byte{z[:len(z)/2], z[:len(z)-1], append(append([]byte(nil), z...), 0)}
			if len(r.Paragraphs) > 0 {
				bad = append(bad, nil, []byte("garbage"))
				flipped := append([]byte(nil), z...)
				flipped[len(flipped)-3] ^= 0xff // in the last frame
				bad = append(bad, flipped)
			}
			for _, b := range bad {
				if _, ok := c.decode(b, r.ID); ok {
					t.Errorf("%s %s: damaged %q decoded", name, r.ID, b)
				}
			}
		}
	}
	// frames written with the dictionary do not decode without it
	z := withDict.encode(long)
	if _, ok := noDictCodec.decode(z, long.ID); ok {
		t.Error("texts compressed with a dictionary decoded without it")
	}
}

// A store's texts dictionary is trained on the first write of enough
// texts, stored with it and read back when the store is opened again; a
// damaged dictionary makes the texts compressed with it an error.
func TestTextsDictionary(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	recs := synth.Generate(1000, 1)
	if _, err := x.Sync(ctx, recs, nil); err != nil {
		t.Fatal(err)
	}
	if x.store.codec().textDict == nil || x.store.codec().jsonDict == nil {
		t.Fatal("no dictionary after a build of 1,000 paragraphs")
	}
	x.Close()
	x, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if x.store.codec().textDict == nil || x.store.codec().jsonDict == nil {
		t.Fatal("no dictionary after a reopen")
	}
	if ps := x.store.db.Info().PageSize; ps != storePageSize {
		t.Errorf("the store's pages are of %d bytes after the build's compaction", ps)
	}
	for _, r := range recs[:20] {
		got, err := x.Record(r.ID)
		if err != nil {
			t.Fatal(err)
		}
		sameRecord(t, got, r)
	}
	id := recs[0].ID
	x.Close()
	x = damageStore(t, dir, func(tx *bolt.Tx) error {
		v := append([]byte(nil), tx.Bucket(dictsBucket).Get(textsDictKey)...)
		v[len(v)/2] ^= 0xff
		return tx.Bucket(dictsBucket).Put(textsDictKey, v)
	})
	if _, err := x.Search(ctx, Request{Query: recs[0].Paragraphs[0].Text}); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("search with a damaged dictionary: err %v", err)
	}
	if _, err := x.Record(id); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("record %s with a damaged dictionary: err %v", id, err)
	}
}

// damageStore changes the record store of the closed index in dir with
// damage (one bolt transaction), then opens the index again; it is closed
// when the test ends.
func damageStore(t *testing.T, dir string, damage func(tx *bolt.Tx) error) *Index {
	t.Helper()
	db, err := bolt.Open(dir+"/index-v"+strconv.Itoa(Version)+"/"+storeFile, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(damage)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}
