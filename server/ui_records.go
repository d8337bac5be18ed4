package server

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"dialoguesearch/indexer"
)

// The records list (/records): every record, filtered by series and year.

type recordsPage struct {
	chrome
	Series, Year  string
	Review        bool // only the records that need review
	NeedReview    int  // how many records need review
	SeriesOptions []option
	YearOptions   []option
	Records       []recordItem
	All           int
}

type recordItem struct {
	indexer.RecordSummary
	URL        string
	DateText   string
	ReviewText string // what to check, "" when nothing is in doubt
}

func (s *Server) handleUIRecords(c echo.Context) error {
	idx, err := s.readyIndex()
	if err != nil {
		return err
	}
	all, err := idx.Records()
	if err != nil {
		return err
	}
	page := recordsPage{
		chrome: chrome{Nav: "records"},
		Series: strings.TrimSpace(c.QueryParam("series")),
		Year:   strings.TrimSpace(c.QueryParam("year")),
		Review: c.QueryParam("review") != "",
		All:    len(all),
	}
	var series, years []string
	if page.Series != "" {
		series = []string{page.Series}
	}
	if page.Year != "" {
		years = []string{page.Year}
	}
	recs, err := filterRecords(all, series, years)
	if err != nil {
		return err
	}
	if page.Review {
		kept := recs[:0:0]
		for _, r := range recs {
			if len(r.Review) > 0 {
				kept = append(kept, r)
			}
		}
		recs = kept
	}
	seriesCount, yearCount := map[string]int{}, map[int]int{}
	for _, r := range all {
		if len(r.Review) > 0 {
			page.NeedReview++
		}
		if r.Meeting.Series != "" {
			seriesCount[r.Meeting.Series]++
		}
		if y := r.Date.Year(); y > 0 {
			yearCount[y]++
		}
	}
	for name, n := range seriesCount {
		page.SeriesOptions = append(page.SeriesOptions, option{Value: name, Label: name, Count: n, Selected: strings.EqualFold(name, page.Series)})
	}
	sort.Slice(page.SeriesOptions, func(i, j int) bool { return page.SeriesOptions[i].Label < page.SeriesOptions[j].Label })
	for y, n := range yearCount {
		ys := strconv.Itoa(y)
		page.YearOptions = append(page.YearOptions, option{Value: ys, Label: ys, Count: n, Selected: ys == page.Year})
	}
	sort.Slice(page.YearOptions, func(i, j int) bool { return page.YearOptions[i].Value > page.YearOptions[j].Value })
	for _, r := range recs {
		page.Records = append(page.Records, recordItem{RecordSummary: r, URL: recordURL(r.ID, ""), DateText: dateText(r.Date), ReviewText: strings.Join(r.Review, "; ")})
	}
	return s.render(c, http.StatusOK, "records", page)
}
