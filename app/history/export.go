package history

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"time"
)

// exportPage is how many entries an export reads at a time, so a large history is never all in memory.
const exportPage = 1000

// each calls f with every entry, oldest first.
func (s *Store) each(ctx context.Context, f func(Entry) error) error {
	var after int64
	for {
		rows, err := s.db.QueryContext(ctx, "SELECT "+columns+" FROM entries e WHERE e.id > ? ORDER BY e.id LIMIT ?", after, exportPage)
		if err != nil {
			return err
		}
		page, err := scan(rows)
		if err != nil {
			return err
		}
		for _, e := range page {
			if err := f(e); err != nil {
				return err
			}
			after = e.ID
		}
		if len(page) < exportPage {
			return nil
		}
	}
}

type jsonEntry struct {
	Time       string `json:"time"`
	Direction  string `json:"direction"`
	Source     string `json:"source"`
	Target     string `json:"target"`
	Model      string `json:"model"`
	DurationMS int64  `json:"duration_ms"`
	Tokens     int    `json:"tokens"`
}

// ExportJSONL writes one JSON object a line, oldest first.
func (s *Store) ExportJSONL(ctx context.Context, w io.Writer) error {
	enc := json.NewEncoder(w)
	return s.each(ctx, func(e Entry) error {
		return enc.Encode(jsonEntry{e.At.UTC().Format(time.RFC3339Nano), e.Direction.Code(), e.Source, e.Target, e.Model, e.Duration.Milliseconds(), e.Tokens})
	})
}

// ExportCSV writes a header row and one row an entry, oldest first.
func (s *Store) ExportCSV(ctx context.Context, w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"time", "direction", "source", "target", "model", "duration_ms", "tokens"})
	err := s.each(ctx, func(e Entry) error {
		return cw.Write([]string{e.At.UTC().Format(time.RFC3339Nano), e.Direction.Code(), e.Source, e.Target, e.Model,
			strconv.FormatInt(e.Duration.Milliseconds(), 10), strconv.Itoa(e.Tokens)})
	})
	cw.Flush()
	if err != nil {
		return err
	}
	return cw.Error()
}
