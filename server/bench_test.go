package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkSearchAPI measures one /api/search answer through the router and
// middleware over the fixture index (the figures are in docs/api.md).
func BenchmarkSearchAPI(b *testing.B) {
	for _, target := range []string{
		"/api/search?q=deterrence",
		"/api/search?q=alliance&series=SCM&series=KIDD&from=2023-01-01&sort=-date",
		"/api/search",
	} {
		b.Run(target, func(b *testing.B) {
			s, _ := newTestServer(b, testConfig())
			req := httptest.NewRequest(http.MethodGet, target, nil)
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				s.Handler().ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
