package corpus

import (
	"encoding/json"
	"fmt"
	"time"
)

// Date is a calendar date, YYYY-MM-DD; the zero value means unknown and is
// marshalled as JSON null.
type Date string

// Time returns the date at midnight UTC, and false when unknown.
func (d Date) Time() (time.Time, bool) {
	if d == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, string(d))
	return t, err == nil
}

// Year returns the year, or 0 when unknown.
func (d Date) Year() int {
	t, ok := d.Time()
	if !ok {
		return 0
	}
	return t.Year()
}

// MarshalJSON writes null for an unknown date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(d))
}

// UnmarshalJSON accepts null or "YYYY-MM-DD".
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s != "" {
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return fmt.Errorf("corpus: date %q is not YYYY-MM-DD", s)
		}
	}
	*d = Date(s)
	return nil
}
