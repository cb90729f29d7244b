package history

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gugugo-desktop/gugugo/inference"
)

var ctx = context.Background()

func openTemp(t testing.TB) (*Store, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "history.db")
	s, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, p
}

func add(t testing.TB, s *Store, e Entry) int64 {
	t.Helper()
	id, err := s.Add(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func sources(es []Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Source)
	}
	return out
}

func TestSearchKoreanAndEnglish(t *testing.T) {
	s, _ := openTemp(t)
	s.Supersede = 0
	add(t, s, Entry{Direction: inference.KoreanToEnglish, Source: "안녕하세요, 반갑습니다.", Target: "Hello, nice to meet you."})
	add(t, s, Entry{Direction: inference.EnglishToKorean, Source: "The weather is nice today.", Target: "오늘 날씨가 좋네요."})
	add(t, s, Entry{Direction: inference.KoreanToEnglish, Source: "사과를 먹었다", Target: "I ate an apple"})
	for q, want := range map[string]string{
		"하세요":        "안녕하세요, 반갑습니다.",              // inside a Korean word: trigram index
		"날씨":         "The weather is nice today.", // two characters: LIKE
		"weather":    "The weather is nice today.",
		"APPLE":      "사과를 먹었다", // case-insensitive
		"nice":       "",        // in two entries
		"50%":        "-",       // LIKE's wildcards are escaped: no match
		"\"quoted\"": "-",
	} {
		got, err := s.Search(ctx, q, 0, 10)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		switch want {
		case "":
			if len(got) != 2 {
				t.Errorf("%q found %q", q, sources(got))
			}
		case "-":
			if len(got) != 0 {
				t.Errorf("%q found %q", q, sources(got))
			}
		default:
			if len(got) != 1 || got[0].Source != want {
				t.Errorf("%q found %q, want %q", q, sources(got), want)
			}
		}
	}
	all, _ := s.Search(ctx, "", 0, 10)
	if len(all) != 3 || all[0].Source != "사과를 먹었다" {
		t.Errorf("newest first: %q", sources(all))
	}
}

func TestTypingPrefixesReplaceEachOther(t *testing.T) {
	s, _ := openTemp(t)
	at := time.Now()
	for i, p := range []string{"안", "안녕", "안녕하", "안녕하세요"} {
		add(t, s, Entry{At: at.Add(time.Duration(i) * time.Second), Direction: inference.KoreanToEnglish, Source: p, Target: "x" + p})
	}
	add(t, s, Entry{At: at.Add(time.Minute), Direction: inference.KoreanToEnglish, Source: "안녕하세요 여러분", Target: "later"})
	got, _ := s.List(ctx, 0, 10)
	if len(got) != 2 || got[1].Source != "안녕하세요" || got[1].Target != "x안녕하세요" || got[0].Source != "안녕하세요 여러분" {
		t.Errorf("entries %q", sources(got))
	}
}

func TestDeleteClearRetainExport(t *testing.T) {
	s, _ := openTemp(t)
	s.Supersede = 0
	old := time.Now().Add(-48 * time.Hour)
	for i := 0; i < 10; i++ {
		at := time.Now()
		if i < 3 {
			at = old
		}
		add(t, s, Entry{At: at, Direction: inference.EnglishToKorean, Source: fmt.Sprintf("line %d, \"quoted\"\nnext", i), Target: "줄", Model: "m", Duration: 1500 * time.Millisecond, Tokens: 7})
	}
	if err := s.Retain(ctx, 0, 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Count(ctx); n != 7 {
		t.Errorf("%d entries after dropping those older than a day", n)
	}
	if err := s.Retain(ctx, 5, 0); err != nil {
		t.Fatal(err)
	}
	es, _ := s.List(ctx, 0, 10)
	if len(es) != 5 || !strings.HasPrefix(es[0].Source, "line 9") {
		t.Fatalf("kept %q", sources(es))
	}
	if err := s.Delete(ctx, es[0].ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Search(ctx, "line 9", 0, 10); len(got) != 0 {
		t.Error("a deleted entry is still found")
	}
	var j, c bytes.Buffer
	if err := s.ExportJSONL(ctx, &j); err != nil {
		t.Fatal(err)
	}
	if err := s.ExportCSV(ctx, &c); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(j.String(), "\n"); n != 4 || !strings.Contains(j.String(), `"duration_ms":1500`) {
		t.Errorf("JSONL:\n%s", j.String())
	}
	rows, err := csv.NewReader(&c).ReadAll()
	if err != nil || len(rows) != 5 || rows[1][1] != "en-ko" || rows[1][3] != "줄" || !strings.Contains(rows[1][2], "\"quoted\"\nnext") {
		t.Errorf("CSV %q %v", rows, err)
	}
	if err := s.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Count(ctx); n != 0 {
		t.Errorf("%d entries after Clear", n)
	}
}

func TestCorruptFileIsMovedAside(t *testing.T) {
	p := filepath.Join(t.TempDir(), "history.db")
	garbage := bytes.Repeat([]byte("not a database "), 1000)
	os.WriteFile(p, garbage, 0o600)
	s, err := Open(p)
	var c *ErrCorrupt
	if !errors.As(err, &c) || s == nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	kept, _ := os.ReadFile(c.MovedTo)
	if !bytes.Equal(kept, garbage) {
		t.Error("the unreadable file was not kept")
	}
	if _, err := s.Add(ctx, Entry{Direction: inference.KoreanToEnglish, Source: "새 기록", Target: "new"}); err != nil {
		t.Errorf("the new database does not work: %v", err)
	}
}

func TestLongEntries(t *testing.T) {
	s, _ := openTemp(t)
	big := strings.Repeat("가나다라마바사 ", 1<<20/22)
	add(t, s, Entry{Direction: inference.KoreanToEnglish, Source: big, Target: big})
	got, err := s.Search(ctx, "라마바", 0, 1)
	if err != nil || len(got) != 1 || len(got[0].Source) != len(big) {
		t.Errorf("1 MB entry: %v, %d found", err, len(got))
	}
}

// TestMain lets this test binary be the writer that the crash test kills.
func TestMain(m *testing.M) {
	if p := os.Getenv("HISTORY_WRITER_DB"); p != "" {
		writer(p)
		return
	}
	os.Exit(m.Run())
}

// writer adds entries in a loop, printing each ID once Add has returned, until it is killed.
func writer(path string) {
	s, err := Open(path)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	s.Supersede = 0
	w := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		id, err := s.Add(ctx, Entry{Direction: inference.KoreanToEnglish, Source: fmt.Sprintf("문장 %d", i), Target: strings.Repeat("x", i%500)})
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Fprintln(w, id)
		w.Flush()
	}
}

// A process writing entries, killed with SIGKILL at random moments many times, leaves a database that passes
// integrity_check with every acknowledged entry present.
func TestKilledWriterLosesNothing(t *testing.T) {
	p := filepath.Join(t.TempDir(), "history.db")
	acked := map[int64]bool{}
	for round := 0; round < 12; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "HISTORY_WRITER_DB="+p)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill it after a random number of acknowledged entries (and a moment more, to land inside a write),
		// rather than after a random time: a loaded machine then still writes enough entries to lose some.
		killAt := 5 + rand.IntN(15)
		reached := make(chan struct{})
		done := make(chan struct{})
		go func() {
			sc := bufio.NewScanner(out)
			n := 0
			for sc.Scan() {
				if id, err := strconv.ParseInt(sc.Text(), 10, 64); err == nil {
					acked[id] = true
					if n++; n == killAt {
						close(reached)
					}
				} else {
					t.Errorf("writer: %s", sc.Text())
				}
			}
			close(done)
		}()
		select {
		case <-reached:
			time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
		case <-done:
			t.Fatal("the writer stopped on its own")
		case <-time.After(time.Minute):
			t.Fatal("the writer acknowledged too few entries in a minute")
		}
		cmd.Process.Signal(syscall.SIGKILL)
		<-done
		cmd.Wait()
	}
	s, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Integrity(); err != nil {
		t.Fatalf("integrity_check: %v", err)
	}
	n, _ := s.Count(ctx)
	es, _ := s.List(ctx, 0, n)
	have := map[int64]bool{}
	for _, e := range es {
		have[e.ID] = true
	}
	for id := range acked {
		if !have[id] {
			t.Fatalf("acknowledged entry %d is missing", id)
		}
	}
	if len(acked) < 12*5 {
		t.Errorf("only %d entries were acknowledged in 12 rounds", len(acked))
	}
	t.Logf("%d acknowledged entries, %d in the database", len(acked), n)
}

// BenchmarkSearch100k searches 100,000 entries for a Korean word part and for an English word.
func BenchmarkSearch100k(b *testing.B) {
	s, _ := openTemp(b)
	tx, _ := s.db.Begin()
	words := []string{"안녕하세요", "날씨", "번역", "사과", "학생", "weather", "apple", "student", "today", "hello"}
	for i := 0; i < 100_000; i++ {
		src := fmt.Sprintf("%s %s %d번째 문장입니다", words[i%10], words[(i*7)%10], i)
		tx.Exec("INSERT INTO entries(at, direction, source, target, model) VALUES (?,?,?,?,?)", i, "ko-en", src, fmt.Sprintf("sentence number %d about %s", i, words[(i*3)%10]), "m")
	}
	tx.Commit()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, q := range []string{"하세요", "weather", "날씨"} {
			if got, err := s.Search(ctx, q, 0, 50); err != nil || len(got) != 50 {
				b.Fatalf("%q: %v, %d", q, err, len(got))
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*3)/1000, "ms/search")
}

func TestFirstSchemaDirectionsBecomeCodes(t *testing.T) {
	p := filepath.Join(t.TempDir(), "history.db")
	old, err := open(p) // the current schema, then taken back to the first one's data and version
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"INSERT INTO entries(at, direction, source, target) VALUES (1, 'ko→en', '사과', 'apple'), (2, 'en→ko', 'pear', '배')",
		"PRAGMA user_version = 1",
	} {
		if _, err := old.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	s, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	es, err := s.List(ctx, 0, 10)
	if err != nil || len(es) != 2 || es[0].Direction != inference.EnglishToKorean || es[1].Direction != inference.KoreanToEnglish {
		t.Fatalf("%+v %v", es, err)
	}
	var stored string
	if err := s.db.QueryRow("SELECT group_concat(direction, ' ') FROM (SELECT direction FROM entries ORDER BY id)").Scan(&stored); err != nil || stored != "ko-en en-ko" {
		t.Errorf("stored directions %q %v", stored, err)
	}
}

// Entries reach the database file itself, not only the write-ahead log: checkpointed as they are added and at
// Close, so that damage to the file is seen when it is opened next.
func TestEntriesReachTheDatabaseFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "history.db")
	s, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	for i := range checkpointEvery {
		add(t, s, Entry{Direction: inference.KoreanToEnglish, Source: fmt.Sprintf("기록 %d", i), Target: strings.Repeat("x", 500)})
	}
	if fi, _ := os.Stat(p); fi.Size() < 8192 {
		t.Errorf("after %d entries the database file is %d bytes: they are in the log only", checkpointEvery, fi.Size())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(p + "-wal"); err == nil && fi.Size() > 0 {
		t.Errorf("the log holds %d bytes after Close", fi.Size())
	}
	// Garbage over the file alone is seen at the next Open.
	os.WriteFile(p, bytes.Repeat([]byte("garbage "), 4096), 0o600)
	s, err = Open(p)
	var c *ErrCorrupt
	if !errors.As(err, &c) {
		t.Errorf("garbage over the database file: %v", err)
	}
	if s != nil {
		s.Close()
	}
}
