package server

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"dialoguesearch/indexer"
)

// The glossary page (/glossary): acronyms and what they stand for.

type glossaryPage struct {
	chrome
	Entries []glossaryItem
}

type glossaryItem struct {
	indexer.GlossaryEntry
	URL string
}

func (s *Server) handleUIGlossary(c echo.Context) error {
	idx, err := s.readyIndex()
	if err != nil {
		return err
	}
	entries, err := idx.Glossary()
	if err != nil {
		return err
	}
	page := glossaryPage{chrome: chrome{Nav: "glossary"}}
	for _, e := range entries {
		page.Entries = append(page.Entries, glossaryItem{e, searchURL(url.Values{"q": {e.Acronym}})})
	}
	return s.render(c, http.StatusOK, "glossary", page)
}
