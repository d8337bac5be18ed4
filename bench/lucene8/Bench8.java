// Lucene 8.8.1 peer for the dialoguesearch benchmark (Debian's
// liblucene8-java: jars named -8.7.0, Lucene 8.8.1 inside): the same corpus
// (paras-N.tsv), the same query mix (queries.tsv), the same work per query
// (10 hits, highlighted snippets, exact total, all facet counts, disjunctive
// counts for drill-downs), BM25, Snowball English (Porter2, as our engine).
// The port of bench/lucene/Bench.java (4.10.4) to the 8.x API: exact totals
// (TopScoreDocCollector with an unbounded total-hits threshold, not the
// default 1,000), UnifiedHighlighter over offsets in the postings
// (PostingsHighlighter is gone), DrillSideways for drill-downs.
//
//   java Bench index paras.tsv indexdir stopwords.txt
//   java Bench query indexdir queries.tsv stopwords.txt out.json reps
//   java Bench serve indexdir queries.tsv stopwords.txt port
import java.io.*;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;
import org.apache.lucene.analysis.*;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.document.*;
import org.apache.lucene.facet.*;
import org.apache.lucene.facet.sortedset.*;
import org.apache.lucene.index.*;
import org.apache.lucene.search.*;
import org.apache.lucene.search.uhighlight.*;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.*;
import org.tartarus.snowball.ext.EnglishStemmer;

public class Bench8 {
    static final String[] FACETS = {"series", "meeting", "speaker", "topic", "location", "side", "kind", "year"};
    static final Set<String> MULTI = new HashSet<>(Arrays.asList("speaker", "topic", "side"));

    static Analyzer analyzer(CharArraySet stop) {
        return new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String field) {
                Tokenizer t = new StandardTokenizer();
                TokenStream s = new LowerCaseFilter(t);
                s = new StopFilter(s, stop);
                s = new SnowballFilter(s, new EnglishStemmer());
                return new TokenStreamComponents(t, s);
            }
        };
    }

    static CharArraySet stopSet(String path) throws IOException {
        return new CharArraySet(Files.readAllLines(Paths.get(path)), true);
    }

    static FacetsConfig facetsConfig() {
        FacetsConfig c = new FacetsConfig();
        for (String f : MULTI) c.setMultiValued(f, true);
        return c;
    }

    public static void main(String[] a) throws Exception {
        switch (a[0]) {
            case "index": index(a[1], a[2], stopSet(a[3])); break;
            case "query": query(a[1], a[2], stopSet(a[3]), a[4], Integer.parseInt(a[5])); break;
            case "serve": serve(a[1], a[2], stopSet(a[3]), Integer.parseInt(a[4])); break;
            default: throw new IllegalArgumentException(a[0]);
        }
    }

    static void index(String tsv, String dir, CharArraySet stop) throws IOException {
        long t0 = System.nanoTime();
        IndexWriterConfig iwc = new IndexWriterConfig(analyzer(stop));
        iwc.setSimilarity(new BM25Similarity());
        iwc.setRAMBufferSizeMB(256);
        iwc.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
        FacetsConfig fc = facetsConfig();
        FieldType textType = new FieldType(TextField.TYPE_STORED);
        textType.setIndexOptions(IndexOptions.DOCS_AND_FREQS_AND_POSITIONS_AND_OFFSETS);
        textType.freeze();
        int n = 0;
        try (IndexWriter w = new IndexWriter(FSDirectory.open(Paths.get(dir)), iwc);
             BufferedReader in = Files.newBufferedReader(Paths.get(tsv), StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] f = line.split("\t", -1);
                Document d = new Document();
                d.add(new StringField("pid", f[1], Field.Store.YES));
                d.add(new Field("text", f[2], textType));
                for (int i = 0; i < FACETS.length; i++) {
                    if (f[3 + i].isEmpty()) continue;
                    for (String v : f[3 + i].split("\\|")) d.add(new SortedSetDocValuesFacetField(FACETS[i], v));
                }
                w.addDocument(fc.build(d));
                n++;
            }
            w.forceMerge(1);
        }
        System.out.printf(Locale.ROOT, "{\"paragraphs\":%d,\"build_seconds\":%.3f}%n", n, (System.nanoTime() - t0) / 1e9);
    }

    static final class Q {
        int id;
        String cls;
        Query base;
        Query full; // base plus filters (a DrillDownQuery when filtered)
        boolean drill;
    }

    static List<String[]> analyze(Analyzer an, String text) throws IOException {
        List<String[]> out = new ArrayList<>(); // term, position
        try (TokenStream ts = an.tokenStream("text", text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            PositionIncrementAttribute inc = ts.addAttribute(PositionIncrementAttribute.class);
            ts.reset();
            int pos = -1;
            while (ts.incrementToken()) {
                pos += inc.getPositionIncrement();
                out.add(new String[]{term.toString(), Integer.toString(pos)});
            }
            ts.end();
        }
        return out;
    }

    static Query alt(Analyzer an, String words) throws IOException {
        List<String[]> toks = analyze(an, words);
        if (toks.size() == 1) return new TermQuery(new Term("text", toks.get(0)[0]));
        PhraseQuery.Builder pq = new PhraseQuery.Builder();
        for (String[] t : toks) pq.add(new Term("text", t[0]), Integer.parseInt(t[1]));
        return pq.build();
    }

    static List<Q> readQueries(String path, Analyzer an, FacetsConfig fc) throws IOException {
        List<Q> qs = new ArrayList<>();
        for (String line : Files.readAllLines(Paths.get(path), StandardCharsets.UTF_8)) {
            String[] f = line.split("\t", -1);
            Q q = new Q();
            q.id = Integer.parseInt(f[0]);
            q.cls = f[1];
            BooleanQuery.Builder bq = new BooleanQuery.Builder();
            for (String c : f[2].split(";")) {
                char op = c.charAt(0);
                String body = c.substring(1);
                if (op == 'F') {
                    String[] kv = body.split("=", 2);
                    bq.add(new TermQuery(DrillDownQuery.term(fc.getDimConfig(kv[0]).indexFieldName, kv[0], kv[1])), BooleanClause.Occur.MUST);
                    continue;
                }
                String[] alts = body.split("\\|");
                Query cq;
                if (alts.length == 1) cq = alt(an, alts[0]);
                else {
                    BooleanQuery.Builder or = new BooleanQuery.Builder();
                    for (String s : alts) or.add(alt(an, s), BooleanClause.Occur.SHOULD);
                    cq = or.build();
                }
                bq.add(cq, op == '-' ? BooleanClause.Occur.MUST_NOT : BooleanClause.Occur.MUST);
            }
            q.base = bq.build();
            q.full = q.base;
            if (!f[3].equals("-")) {
                DrillDownQuery dd = new DrillDownQuery(fc, q.base);
                for (String kv : f[3].split(";")) {
                    String[] p = kv.split("=", 2);
                    for (String v : p[1].split("\\|")) dd.add(p[0], v);
                }
                q.full = dd;
                q.drill = true;
            }
            qs.add(q);
        }
        return qs;
    }

    static final class Engine {
        IndexSearcher searcher;
        FacetsConfig fc = facetsConfig();
        SortedSetDocValuesReaderState state;
        UnifiedHighlighter hl;
        final Set<String> pidOnly = Collections.singleton("pid");

        Engine(String dir, Analyzer an) throws IOException {
            DirectoryReader r = DirectoryReader.open(FSDirectory.open(Paths.get(dir)));
            searcher = new IndexSearcher(r);
            searcher.setSimilarity(new BM25Similarity());
            state = new DefaultSortedSetDocValuesReaderState(r);
            hl = new UnifiedHighlighter(searcher, an);
            hl.setFormatter(new DefaultPassageFormatter("<mark>", "</mark>", "… ", true));
        }

        // run answers one query the way the UI asks it; returns JSON.
        String run(Q q) throws IOException {
            TopDocs td;
            Facets facets;
            if (q.drill) {
                DrillSideways ds = new DrillSideways(searcher, fc, state);
                DrillSideways.DrillSidewaysResult r = ds.search((DrillDownQuery) q.full, 10);
                td = r.hits;
                facets = r.facets;
            } else {
                FacetsCollector c = new FacetsCollector();
                TopScoreDocCollector top = TopScoreDocCollector.create(10, null, Integer.MAX_VALUE);
                searcher.search(q.full, MultiCollector.wrap(top, c));
                td = top.topDocs();
                facets = new SortedSetDocValuesFacetCounts(state, c);
            }
            if (td.totalHits.relation != TotalHits.Relation.EQUAL_TO) throw new IllegalStateException("inexact total");
            String[] snippets = td.scoreDocs.length == 0 ? new String[0] : hl.highlight("text", q.base, td);
            StringBuilder sb = new StringBuilder(4096);
            sb.append("{\"id\":").append(q.id).append(",\"total\":").append(td.totalHits.value).append(",\"hits\":[");
            for (int i = 0; i < td.scoreDocs.length; i++) {
                if (i > 0) sb.append(',');
                str(sb, searcher.doc(td.scoreDocs[i].doc, pidOnly).get("pid"));
            }
            sb.append("],\"snippets\":[");
            for (int i = 0; i < snippets.length; i++) {
                if (i > 0) sb.append(',');
                str(sb, snippets[i] == null ? "" : snippets[i]);
            }
            sb.append("],\"facets\":{");
            boolean first = true;
            for (String dim : FACETS) {
                FacetResult fr;
                try {
                    fr = facets.getTopChildren(1000, dim);
                } catch (IllegalArgumentException e) {
                    fr = null; // dimension absent from the index
                }
                if (!first) sb.append(',');
                first = false;
                str(sb, dim);
                sb.append(":{");
                if (fr != null) {
                    for (int i = 0; i < fr.labelValues.length; i++) {
                        if (i > 0) sb.append(',');
                        str(sb, fr.labelValues[i].label);
                        sb.append(':').append(fr.labelValues[i].value.intValue());
                    }
                }
                sb.append('}');
            }
            sb.append("}}");
            return sb.toString();
        }
    }

    static void str(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        sb.append('"');
    }

    static void query(String dir, String queries, CharArraySet stop, String out, int reps) throws IOException {
        long t0 = System.nanoTime();
        Engine e = new Engine(dir, analyzer(stop));
        double open = (System.nanoTime() - t0) / 1e9;
        List<Q> qs = readQueries(queries, analyzer(stop), e.fc);
        String[] last = new String[qs.size()];
        StringBuilder micros = new StringBuilder();
        for (int rep = 0; rep <= reps; rep++) { // rep 0 is the warm-up
            if (rep > 1) micros.append(',');
            if (rep > 0) micros.append('[');
            for (int i = 0; i < qs.size(); i++) {
                long s = System.nanoTime();
                String r;
                try {
                    r = e.run(qs.get(i));
                } catch (Exception ex) {
                    StringBuilder sb = new StringBuilder("{\"id\":" + qs.get(i).id + ",\"error\":");
                    str(sb, ex.toString());
                    r = sb.append('}').toString();
                }
                double us = (System.nanoTime() - s) / 1e3;
                last[i] = r;
                if (rep > 0) {
                    if (i > 0) micros.append(',');
                    micros.append(String.format(Locale.ROOT, "%.1f", us));
                }
            }
            if (rep > 0) micros.append(']');
        }
        try (Writer w = Files.newBufferedWriter(Paths.get(out), StandardCharsets.UTF_8)) {
            w.write(String.format(Locale.ROOT, "{\"engine\":\"Lucene 8\",\"version\":\"8.8.1\",\"open_seconds\":%.4f,\"micros\":[%s],\"outcomes\":[", open, micros));
            for (int i = 0; i < last.length; i++) {
                if (i > 0) w.write(",\n");
                w.write(last[i]);
            }
            w.write("]}\n");
        }
    }

    // serve answers GET /search?id=N (N a query id of the mix) with the
    // query's JSON answer, for HTTP load generators.
    static void serve(String dir, String queries, CharArraySet stop, int port) throws IOException {
        Engine e = new Engine(dir, analyzer(stop));
        List<Q> qs = readQueries(queries, analyzer(stop), e.fc);
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
        s.createContext("/search", ex -> {
            String qry = ex.getRequestURI().getQuery();
            int id = 1;
            if (qry != null && qry.startsWith("id=")) id = Integer.parseInt(qry.substring(3));
            byte[] body;
            int code = 200;
            try {
                body = e.run(qs.get((id - 1) % qs.size())).getBytes(StandardCharsets.UTF_8);
            } catch (Exception err) {
                body = err.toString().getBytes(StandardCharsets.UTF_8);
                code = 500;
            }
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(code, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        });
        s.setExecutor(Executors.newFixedThreadPool(16));
        s.start();
        System.out.println("listening on 127.0.0.1:" + port);
    }
}
