// Package catalogue is the list of models gugugo offers (catalogue.json, shipped inside the binary) and the folder
// they are installed in: fetching them with resumable, verified downloads, and converting the ones published only
// as Hugging Face checkpoints.
package catalogue

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gugugo-desktop/gugugo/inference"

	"github.com/gugugo-desktop/gugugo/app/download"
	"github.com/gugugo-desktop/gugugo/inference/convert"
	"github.com/gugugo-desktop/gugugo/inference/gguf"
)

//go:embed catalogue.json
var catalogueJSON []byte

// File is one file of a model on the Hub.
type File struct {
	Name       string `json:"name"`
	URL        string `json:"url"`
	Size       int64  `json:"size"`        // exact, when known
	ApproxSize int64  `json:"approx_size"` // for the disk-space check and progress when Size is not known
	SHA256     string `json:"sha256"`
}

// Entry is a model the catalogue offers.
type Entry struct {
	Name    string          `json:"name"`
	Title   string          `json:"title"`
	About   string          `json:"about"`
	Shape   inference.Shape `json:"shape"`
	Convert string          `json:"convert"` // "" for a GGUF download; else the GGUF type to convert the checkpoint to
	GGUF    string          `json:"gguf"`    // the converted file's name, for entries that are converted
	Files   []File          `json:"files"`
}

// Entries is the catalogue.
func Entries() []Entry {
	var es []Entry
	if err := json.Unmarshal(catalogueJSON, &es); err != nil {
		panic("catalogue.json: " + err.Error())
	}
	return es
}

// Find returns the entry called name.
func Find(name string) (Entry, error) {
	var names []string
	for _, e := range Entries() {
		if strings.EqualFold(e.Name, name) {
			return e, nil
		}
		names = append(names, e.Name)
	}
	return Entry{}, fmt.Errorf("no model %q in the catalogue (%s)", name, strings.Join(names, ", "))
}

// DownloadSize is the bytes the entry downloads.
func (e Entry) DownloadSize() int64 {
	var n int64
	for _, f := range e.Files {
		n += max(f.Size, f.ApproxSize)
	}
	return n
}

// Path is the GGUF file the entry installs in dir.
func (e Entry) Path(dir string) string {
	if e.Convert != "" {
		return filepath.Join(dir, e.GGUF)
	}
	return filepath.Join(dir, e.Files[0].Name)
}

// Installed says whether the entry's GGUF is in dir.
func (e Entry) Installed(dir string) bool {
	_, err := os.Stat(e.Path(dir))
	return err == nil
}

// checkpointDir is where a converted entry's checkpoint is downloaded to.
func (e Entry) checkpointDir(dir string) string { return filepath.Join(dir, e.Name+"-checkpoint") }

// Status is how far Pull is.
type Status struct {
	Step     string // what is being done, in words
	Progress download.Progress
}

// Pull installs the entry into dir: downloads (resuming what an earlier Pull left) and, for a checkpoint,
// converts it and then deletes the checkpoint. It returns the GGUF file.
func (e Entry) Pull(ctx context.Context, d *download.Downloader, dir string, status func(Status)) (string, error) {
	if e.Installed(dir) {
		return e.Path(dir), nil
	}
	if status == nil {
		status = func(Status) {}
	}
	target := dir
	if e.Convert != "" {
		target = e.checkpointDir(dir)
	}
	for i, f := range e.Files {
		dest := filepath.Join(target, f.Name)
		if _, err := os.Stat(dest); err == nil {
			continue // fetched by an earlier Pull
		}
		step := fmt.Sprintf("Downloading %s (%d of %d)", f.Name, i+1, len(e.Files))
		file := download.File{URL: f.URL, Size: f.Size, SHA256: f.SHA256}
		if err := d.Fetch(ctx, file, dest, func(p download.Progress) {
			if p.Total == 0 {
				p.Total = f.ApproxSize
			}
			status(Status{Step: step, Progress: p})
		}); err != nil {
			return "", err
		}
	}
	if e.Convert == "" {
		return e.Path(dir), nil
	}
	typ, err := gguf.ParseTensorType(e.Convert)
	if err != nil {
		return "", err
	}
	// The GGUF is about the checkpoint's size in f16, about half of it in q8_0 (8.5 bits a weight).
	need := e.DownloadSize()
	if typ == gguf.Q8_0 {
		need = need * 17 / 32
	}
	if err := download.CheckSpace(dir, need); err != nil {
		return "", err
	}
	step := "Converting to GGUF " + e.Convert
	meter := download.NewMeter(func(p download.Progress) { status(Status{Step: step, Progress: p}) }, 0)
	err = convert.Convert(ctx, target, e.Path(dir), convert.Options{Type: typ, Name: e.Title, Progress: meter.Update})
	if err != nil {
		return "", err
	}
	os.RemoveAll(target)
	return e.Path(dir), nil
}

// Remove deletes the entry's files from dir, finished or partial.
func (e Entry) Remove(dir string) error {
	paths := []string{e.Path(dir), download.PartialName(e.Path(dir))} // the converter names its partial file the same way
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	if e.Convert != "" {
		return os.RemoveAll(e.checkpointDir(dir))
	}
	return nil
}

// Context is the KV cache the app gives a model, which the memory figures include.
const Context = 2048

// Memory is what the model needs on a GPU with the app's context, estimated from its shape and its file's size in
// the way the engine works it out from the file (inference.Memory); for an entry converted here, from the size the
// conversion's type gives.
func (e Entry) Memory() inference.Memory {
	size := uint64(e.DownloadSize())
	if e.Convert != "" {
		layer, embd, output := e.Shape.Params()
		size = uint64(float64(uint64(e.Shape.Layers)*layer+embd+output) * inference.BytesPerWeight(e.Convert))
	}
	return inference.EstimateMemory(e.Shape, size, Context)
}

// Recommend picks the download for a GPU with free bytes of memory (0: no GPU known): the 7B Q4_K_M when it fits
// there whole, else the 7B Q4_K_S when that does, else the 1.3B.
func Recommend(free uint64) Entry {
	for _, name := range []string{"gugugo-7b", "gugugo-7b-q4_k_s"} {
		if e, err := Find(name); err == nil && free > 0 {
			if m := e.Memory(); m.LayersThatFit(free) == m.Layers() {
				return e
			}
		}
	}
	e, _ := Find("gugugo-1.3b")
	return e
}
