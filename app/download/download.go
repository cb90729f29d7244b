// Package download fetches large files over HTTP the way a model needs it: resumed with a Range request after a
// cut connection or a restart, checked against a SHA-256 sum, written under a temporary name and renamed only when
// complete, with progress, cancellation, a disk-space check and the standard proxy variables.
package download

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// File is what to fetch.
type File struct {
	URL    string
	Size   int64  // 0 when not known beforehand
	SHA256 string // hex; "" when not known
}

// Progress is how far a download is.
type Progress struct {
	Done, Total int64         // bytes; Total 0 when unknown
	Speed       float64       // bytes a second, on average since the Meter started (not counting resumed bytes)
	Left        time.Duration // 0 when unknown
}

// Downloader fetches files. The zero value is ready: it uses the proxy variables and retries a cut connection
// five times.
type Downloader struct {
	Client  *http.Client  // nil: a client that honours HTTP_PROXY, HTTPS_PROXY and NO_PROXY
	Retries int           // attempts after a cut connection; 0 means 5
	Backoff time.Duration // wait before the first retry, doubled each time; 0 means 1 s
}

// ErrChecksum means the downloaded file is not the one expected; it has been deleted.
var ErrChecksum = errors.New("the downloaded file does not match its SHA-256 sum; it was deleted")

// PartialName is where a download in progress is kept.
func PartialName(dest string) string { return dest + ".part" }

// Fetch downloads f to dest, resuming from dest's partial file when there is one.
func (d *Downloader) Fetch(ctx context.Context, f File, dest string, progress func(Progress)) error {
	client := d.Client
	if client == nil {
		client = &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment}}
	}
	retries, backoff := d.Retries, d.Backoff
	if retries == 0 {
		retries = 5
	}
	if backoff == 0 {
		backoff = time.Second
	}
	part := PartialName(dest)
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(part, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer out.Close()
	defer func() { // a partial file with nothing in it is no start to resume from
		if fi, err := os.Stat(part); err == nil && fi.Size() == 0 {
			os.Remove(part)
		}
	}()
	// Hash what an earlier attempt left, so the sum covers the whole file.
	h := sha256.New()
	have, err := io.Copy(h, out)
	if err != nil {
		return err
	}
	if f.Size > 0 {
		if err := CheckSpace(filepath.Dir(dest), f.Size-have); err != nil {
			return err
		}
	}
	meter := NewMeter(progress, have)
	for attempt := 0; ; attempt++ {
		var total int64
		have, total, err = d.get(ctx, client, f, out, h, have, meter)
		if err == nil {
			if f.Size > 0 && total > 0 && total != f.Size {
				return fmt.Errorf("%s: the server has %d bytes, the catalogue says %d", f.URL, total, f.Size)
			}
			break
		}
		var fatal *fatalError
		if ctx.Err() != nil || errors.As(err, &fatal) || attempt >= retries {
			return err
		}
		select { // a cut connection: wait, then ask for the rest
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff << attempt):
		}
	}
	if f.SHA256 != "" && !strings.EqualFold(hex.EncodeToString(h.Sum(nil)), f.SHA256) {
		out.Close()
		os.Remove(part)
		return fmt.Errorf("%s: %w", filepath.Base(dest), ErrChecksum)
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(part, dest)
}

// fatalError is an answer that retrying will not change (404, a refused range, a full disk).
type fatalError struct{ error }

func (e *fatalError) Unwrap() error { return e.error }

// get asks for the bytes from have on and appends them to out. It returns how many bytes out holds and the file's
// total size when the server told it.
func (d *Downloader) get(ctx context.Context, client *http.Client, f File, out *os.File, h hash.Hash, have int64, m *Meter) (int64, int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.URL, nil)
	if err != nil {
		return have, 0, &fatalError{err}
	}
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return have, 0, ctx.Err()
		}
		return have, 0, reachError(f.URL, err)
	}
	defer resp.Body.Close()
	var total int64
	switch {
	case resp.StatusCode == http.StatusPartialContent && have > 0:
		start, size, ok := contentRange(resp.Header.Get("Content-Range"))
		if !ok || start != have {
			return have, 0, &fatalError{fmt.Errorf("%s: the server resumed at the wrong place (%q)", f.URL, resp.Header.Get("Content-Range"))}
		}
		total = size
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && have > 0:
		// The partial file is already whole (or longer than the file): the checksum decides.
		_, size, _ := contentRange(resp.Header.Get("Content-Range"))
		return have, size, nil
	case resp.StatusCode == http.StatusOK:
		if have > 0 { // the server ignores ranges: start over
			if err := out.Truncate(0); err != nil {
				return have, 0, &fatalError{err}
			}
			if _, err := out.Seek(0, io.SeekStart); err != nil {
				return have, 0, &fatalError{err}
			}
			h.Reset()
			have = 0
			m.startBytes = 0
		}
		total = resp.ContentLength
	case resp.StatusCode == http.StatusNotFound:
		return have, 0, &fatalError{fmt.Errorf("%s: not found on the server (HTTP 404)", f.URL)}
	default:
		return have, 0, &fatalError{fmt.Errorf("%s: the server answered %s", f.URL, resp.Status)}
	}
	if total <= 0 {
		total = f.Size
	}
	if _, err := out.Seek(have, io.SeekStart); err != nil {
		return have, 0, &fatalError{err}
	}
	buf := make([]byte, 256<<10)
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			if _, err := out.Write(buf[:n]); err != nil {
				if isDiskFull(err) {
					got := FormatSize(have)
					if total > 0 {
						got += " of " + FormatSize(total)
					}
					err = fmt.Errorf("%w in %s after %s: make room there and download again, which resumes where this stopped (%w)",
						ErrDiskFull, filepath.Dir(out.Name()), got, err)
				}
				return have, 0, &fatalError{err}
			}
			h.Write(buf[:n])
			have += int64(n)
			m.Update(have, total)
		}
		if rerr == io.EOF {
			if total > 0 && have < total {
				return have, total, fmt.Errorf("%s: the connection ended at %d of %d bytes", f.URL, have, total)
			}
			return have, total, nil
		}
		if rerr != nil {
			if ctx.Err() != nil {
				return have, total, ctx.Err()
			}
			return have, total, fmt.Errorf("%s: the connection was cut at %d bytes: %w", f.URL, have, rerr)
		}
	}
}

// contentRange reads "bytes START-END/SIZE" (or "bytes */SIZE").
func contentRange(s string) (start, size int64, ok bool) {
	s, found := strings.CutPrefix(s, "bytes ")
	if !found {
		return 0, 0, false
	}
	r, total, found := strings.Cut(s, "/")
	if !found {
		return 0, 0, false
	}
	size, err := strconv.ParseInt(total, 10, 64)
	if err != nil {
		size = 0
	}
	if r == "*" {
		return 0, size, true
	}
	first, _, _ := strings.Cut(r, "-")
	start, err = strconv.ParseInt(first, 10, 64)
	return start, size, err == nil
}

// reachError says in words why a server could not be reached.
func reachError(url string, err error) error {
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.As(err, &dns):
		// A name that does not resolve now will not in the next half minute: no retries.
		return &fatalError{fmt.Errorf("cannot reach %s: no network, or the name does not resolve (%w)", url, dns)}
	case errors.Is(err, syscall.ENETUNREACH):
		return &fatalError{fmt.Errorf("cannot reach %s: no network", url)}
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("cannot reach %s: the connection was refused", url)
	case errors.As(err, &op):
		return fmt.Errorf("cannot reach %s: %w", url, op)
	}
	return fmt.Errorf("cannot reach %s: %w", url, err)
}

// ErrNoRoom means a download or conversion was not started because its folder's disk has too little space left,
// and ErrDiskFull that one stopped because the disk filled up on the way (its partial file is kept).
var (
	ErrNoRoom   = errors.New("not enough disk space")
	ErrDiskFull = errors.New("the disk is full")
)

// CheckSpace fails when dir's file system has less than need bytes free.
func CheckSpace(dir string, need int64) error {
	free, ok := freeSpace(dir)
	if !ok {
		return nil // unknown: let the write itself fail if it must
	}
	if free < need {
		return fmt.Errorf("%w: %s needs %s, and %s is free there", ErrNoRoom, dir, FormatSize(need), FormatSize(free))
	}
	return nil
}

// Meter turns byte counts into Progress with speed and time left, passed on at most ten times a second (and always
// at the end). Downloads and conversions both report through one.
type Meter struct {
	progress   func(Progress)
	start      time.Time
	startBytes int64
	last       time.Time
}

// NewMeter measures from now; the already bytes (a resumed download's) do not count toward the speed. progress
// may be nil.
func NewMeter(progress func(Progress), already int64) *Meter {
	return &Meter{progress: progress, start: time.Now(), startBytes: already}
}

// Update reports done of total bytes.
func (m *Meter) Update(done, total int64) {
	if m.progress == nil || (time.Since(m.last) < 100*time.Millisecond && done != total) {
		return
	}
	m.last = time.Now()
	p := Progress{Done: done, Total: total}
	if secs := time.Since(m.start).Seconds(); secs > 0 {
		p.Speed = float64(done-m.startBytes) / secs
	}
	if p.Speed > 0 && total > done {
		p.Left = time.Duration(float64(total-done) / p.Speed * float64(time.Second))
	}
	m.progress(p)
}

// FormatSize writes a size in decimal units, as the Hugging Face Hub shows file sizes.
func FormatSize(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%d KB", n/1000)
}
