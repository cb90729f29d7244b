// Package history keeps finished translations in a SQLite database (modernc.org/sqlite: pure Go, so no second C
// toolchain; it bundles SQLite 3.54 with FTS5) and finds them again by words in either language. Korean has no
// spaces between the parts of a word, so the full-text index uses FTS5's trigram tokenizer ('하세요' finds
// '안녕하세요'); queries shorter than three characters, which trigrams cannot serve, use LIKE.
package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/gugugo-desktop/gugugo/inference"
)

// Entry is one finished translation.
type Entry struct {
	ID        int64
	At        time.Time
	Direction inference.Direction // stored as its Code, "ko-en" or "en-ko"
	Source    string
	Target    string
	Model     string
	Duration  time.Duration
	Tokens    int
}

// Store is an open history database. Its methods are safe for concurrent use.
type Store struct {
	db *sql.DB
	// Supersede is how long after an entry an edit of its text replaces it instead of adding another: typing
	// "안", "안녕", "안녕하" must not leave three entries.
	Supersede time.Duration
	adds      atomic.Int64
}

// checkpointEvery is how many added entries pass between two checkpoints of the write-ahead log into the database
// file. SQLite checkpoints by itself only when the log reaches 1,000 pages, so a small history lived in the log
// alone, and damage to the database file went unnoticed until then.
const checkpointEvery = 32

// migrations bring a database from version i to i+1 (PRAGMA user_version).
var migrations = []string{
	`CREATE TABLE entries (
		id INTEGER PRIMARY KEY,
		at INTEGER NOT NULL,          -- Unix milliseconds
		direction TEXT NOT NULL,
		source TEXT NOT NULL,
		target TEXT NOT NULL,
		model TEXT NOT NULL DEFAULT '',
		duration_ms INTEGER NOT NULL DEFAULT 0,
		tokens INTEGER NOT NULL DEFAULT 0
	);
	CREATE INDEX entries_at ON entries(at);
	CREATE VIRTUAL TABLE entries_fts USING fts5(source, target, content='entries', content_rowid='id', tokenize='trigram');
	CREATE TRIGGER entries_ai AFTER INSERT ON entries BEGIN
		INSERT INTO entries_fts(rowid, source, target) VALUES (new.id, new.source, new.target);
	END;
	CREATE TRIGGER entries_ad AFTER DELETE ON entries BEGIN
		INSERT INTO entries_fts(entries_fts, rowid, source, target) VALUES ('delete', old.id, old.source, old.target);
	END;
	CREATE TRIGGER entries_au AFTER UPDATE ON entries BEGIN
		INSERT INTO entries_fts(entries_fts, rowid, source, target) VALUES ('delete', old.id, old.source, old.target);
		INSERT INTO entries_fts(rowid, source, target) VALUES (new.id, new.source, new.target);
	END;`,
	// Directions as codes instead of the labels "ko→en" and "en→ko" that the first version stored.
	`UPDATE entries SET direction = CASE direction WHEN 'ko→en' THEN 'ko-en' WHEN 'en→ko' THEN 'en-ko' ELSE direction END;`,
}

// ErrCorrupt reports a database that could not be used; Open moved it aside (MovedTo) and started a new one.
type ErrCorrupt struct {
	MovedTo string
	Cause   error
}

func (e *ErrCorrupt) Error() string {
	return fmt.Sprintf("the history database was unreadable (%v); it was kept as %s and a new one started", e.Cause, e.MovedTo)
}

// Open opens (or creates) the database at path. A file that is not a usable database is renamed aside and a new
// one is created: Open then returns the new store together with an *ErrCorrupt to show the user.
func Open(path string) (*Store, error) {
	s, err := open(path)
	if err == nil {
		return s, nil
	}
	if _, statErr := os.Stat(path); statErr != nil {
		return nil, err // nothing to move aside: a real failure (a folder we cannot write, ...)
	}
	aside := fmt.Sprintf("%s.corrupt-%s", path, time.Now().Format("20060102-150405"))
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if _, e := os.Stat(path + suffix); e == nil {
			if e := os.Rename(path+suffix, aside+suffix); e != nil {
				return nil, fmt.Errorf("%w; and it could not be moved aside: %v", err, e)
			}
		}
	}
	s, err2 := open(path)
	if err2 != nil {
		return nil, err2
	}
	return s, &ErrCorrupt{MovedTo: aside, Cause: err}
}

func open(path string) (*Store, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, Supersede: 10 * time.Second}
	if err := s.pragmaCheck("quick_check"); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.migrate(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// pragmaCheck runs one of SQLite's check pragmas (quick_check, integrity_check), which answer "ok" or the damage.
func (s *Store) pragmaCheck(name string) error {
	var res string
	if err := s.db.QueryRow("PRAGMA " + name).Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return errors.New(res)
	}
	return nil
}

func (s *Store) migrate() error {
	var v int
	if err := s.db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	if v > len(migrations) {
		return fmt.Errorf("the history database is from a newer Gugugo (schema %d)", v)
	}
	for ; v < len(migrations); v++ {
		tx, err := s.db.Begin()
		if err != nil {
			return err
		}
		if _, err := tx.Exec(migrations[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("history schema %d: %w", v+1, err)
		}
		if _, err := tx.Exec(fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// Close moves the write-ahead log into the database file and closes it.
func (s *Store) Close() error {
	_, err := s.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	return errors.Join(err, s.db.Close())
}

// Integrity runs SQLite's full integrity check.
func (s *Store) Integrity() error { return s.pragmaCheck("integrity_check") }

// supersedes reports whether new is an edit of old: one is a prefix of the other, as while typing or deleting.
func supersedes(old, new string) bool {
	return strings.HasPrefix(new, old) || strings.HasPrefix(old, new)
}

// Add records a finished translation and returns its ID. When the newest entry is younger than Supersede, in the
// same direction, and its source is a prefix of this one's (or the other way round), this one replaces it.
func (s *Store) Add(ctx context.Context, e Entry) (int64, error) {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var last Entry
	var at int64
	var lastDir string
	err = tx.QueryRowContext(ctx, "SELECT id, at, direction, source FROM entries ORDER BY id DESC LIMIT 1").Scan(&last.ID, &at, &lastDir, &last.Source)
	switch {
	case err == nil && e.At.Sub(time.UnixMilli(at)) < s.Supersede && lastDir == e.Direction.Code() && supersedes(last.Source, e.Source):
		_, err = tx.ExecContext(ctx, "UPDATE entries SET at=?, source=?, target=?, model=?, duration_ms=?, tokens=? WHERE id=?",
			e.At.UnixMilli(), e.Source, e.Target, e.Model, e.Duration.Milliseconds(), e.Tokens, last.ID)
		e.ID = last.ID
	case err == nil || errors.Is(err, sql.ErrNoRows):
		var r sql.Result
		r, err = tx.ExecContext(ctx, "INSERT INTO entries(at, direction, source, target, model, duration_ms, tokens) VALUES (?,?,?,?,?,?,?)",
			e.At.UnixMilli(), e.Direction.Code(), e.Source, e.Target, e.Model, e.Duration.Milliseconds(), e.Tokens)
		if err == nil {
			e.ID, err = r.LastInsertId()
		}
	}
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		return 0, diskFull(err)
	}
	if s.adds.Add(1)%checkpointEvery == 0 {
		s.db.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)") // best effort: a reader may hold the log
	}
	return e.ID, nil
}

// ErrDiskFull means an entry was not saved because the disk is full; the entries before it are kept.
var ErrDiskFull = errors.New("the disk is full")

// diskFull names SQLite's "database or disk is full" for what it is to the user.
func diskFull(err error) error {
	var e *sqlite.Error
	if errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_FULL {
		return fmt.Errorf("%w (%w)", ErrDiskFull, err)
	}
	return err
}

const columns = "e.id, e.at, e.direction, e.source, e.target, e.model, e.duration_ms, e.tokens"

func scan(rows *sql.Rows) ([]Entry, error) {
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var at, ms int64
		var dir string
		if err := rows.Scan(&e.ID, &at, &dir, &e.Source, &e.Target, &e.Model, &ms, &e.Tokens); err != nil {
			return nil, err
		}
		e.Direction, _ = inference.ParseDirectionCode(dir) // an unknown code reads as ko-en rather than hiding the entry
		e.At, e.Duration = time.UnixMilli(at), time.Duration(ms)*time.Millisecond
		out = append(out, e)
	}
	return out, rows.Err()
}

// List returns entries newest first.
func (s *Store) List(ctx context.Context, offset, limit int) ([]Entry, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+columns+" FROM entries e ORDER BY e.id DESC LIMIT ? OFFSET ?", limit, offset)
	if err != nil {
		return nil, err
	}
	return scan(rows)
}

// Count is the number of entries.
func (s *Store) Count(ctx context.Context) (int, error) {
	var n int
	return n, s.db.QueryRowContext(ctx, "SELECT count(*) FROM entries").Scan(&n)
}

// Search returns the entries whose source or translation contains query, newest first.
func (s *Store) Search(ctx context.Context, query string, offset, limit int) ([]Entry, error) {
	query = strings.TrimSpace(query)
	if query == "" {
		return s.List(ctx, offset, limit)
	}
	var rows *sql.Rows
	var err error
	if utf8.RuneCountInString(query) >= 3 {
		phrase := `"` + strings.ReplaceAll(query, `"`, `""`) + `"`
		rows, err = s.db.QueryContext(ctx, "SELECT "+columns+" FROM entries_fts f JOIN entries e ON e.id = f.rowid WHERE entries_fts MATCH ? ORDER BY e.id DESC LIMIT ? OFFSET ?", phrase, limit, offset)
	} else {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(query) + "%"
		rows, err = s.db.QueryContext(ctx, "SELECT "+columns+` FROM entries e WHERE e.source LIKE ? ESCAPE '\' OR e.target LIKE ? ESCAPE '\' ORDER BY e.id DESC LIMIT ? OFFSET ?`, like, like, limit, offset)
	}
	if err != nil {
		return nil, err
	}
	return scan(rows)
}

// Delete removes one entry.
func (s *Store) Delete(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, "DELETE FROM entries WHERE id = ?", id)
	return err
}

// Clear removes every entry.
func (s *Store) Clear(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, "DELETE FROM entries")
	return err
}

// Retain keeps at most maxCount entries (0: no limit) and none older than maxAge (0: no limit).
func (s *Store) Retain(ctx context.Context, maxCount int, maxAge time.Duration) error {
	if maxAge > 0 {
		if _, err := s.db.ExecContext(ctx, "DELETE FROM entries WHERE at < ?", time.Now().Add(-maxAge).UnixMilli()); err != nil {
			return err
		}
	}
	if maxCount > 0 {
		if _, err := s.db.ExecContext(ctx, "DELETE FROM entries WHERE id NOT IN (SELECT id FROM entries ORDER BY id DESC LIMIT ?)", maxCount); err != nil {
			return err
		}
	}
	return nil
}
