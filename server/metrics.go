package server

import (
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"dialoguesearch/indexer"
)

// metrics are the server's Prometheus metrics, in a registry of its own so
// that several servers (tests) can live in one process.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	search   prometheus.Histogram
}

func newMetrics(s *Server) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "dialoguesearch_http_requests_total",
		Help: "HTTP requests by route, method and status code.",
	}, []string{"route", "method", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "dialoguesearch_http_request_duration_seconds",
		Help:    "HTTP request latency by route and method.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "method"})
	m.search = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "dialoguesearch_search_duration_seconds",
		Help:    "Time the index took to answer a search (API, CSV export and UI).",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	})
	// The index figures are read at scrape time; 0 while the index builds.
	index := func(name, help string, f func(*indexer.Index) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
			idx, err := s.app.Index()
			if err != nil {
				return 0
			}
			return f(idx)
		})
	}
	m.reg.MustRegister(
		m.requests, m.latency, m.search,
		index("dialoguesearch_index_documents", "Paragraphs (search documents) in the index.",
			func(idx *indexer.Index) float64 { return float64(idx.Stats().Paragraphs) }),
		index("dialoguesearch_index_records", "Records in the index.",
			func(idx *indexer.Index) float64 { return float64(idx.Stats().Records) }),
		index("dialoguesearch_index_size_bytes", "Size of the index on disk.",
			func(idx *indexer.Index) float64 { return float64(idx.Stats().SizeBytes) }),
		index("dialoguesearch_index_ready", "1 when the index is built and searchable, 0 while it builds.",
			func(*indexer.Index) float64 { return 1 }),
		index("dialoguesearch_index_writes_failing", "1 while index writes fail (a full disk, an I/O error): searches answer from the last complete index, ingest answers 503; 0 once a write works again.",
			func(idx *indexer.Index) float64 {
				if idx.WriteHealth().Degraded() {
					return 1
				}
				return 0
			}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "dialoguesearch_index_write_failures_total",
			Help: "Index writes that failed since the start.",
		}, func() float64 {
			if idx, err := s.app.Index(); err == nil {
				return float64(idx.WriteHealth().Failures)
			}
			return 0
		}),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

func (m *metrics) observeRequest(route, method string, status int, took time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(took.Seconds())
}

// observeSearch records one search's latency.
func (m *metrics) observeSearch(took time.Duration) {
	m.search.Observe(took.Seconds())
}

func (s *Server) handleMetrics(c echo.Context) error {
	promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}).ServeHTTP(c.Response(), c.Request())
	return nil
}
