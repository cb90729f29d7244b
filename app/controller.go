package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gugugo-desktop/gugugo/app/catalogue"
	"github.com/gugugo-desktop/gugugo/app/download"
	"github.com/gugugo-desktop/gugugo/app/glossary"
	"github.com/gugugo-desktop/gugugo/app/history"
	"github.com/gugugo-desktop/gugugo/app/server"
	"github.com/gugugo-desktop/gugugo/inference"
)

// Controller is the application core that a window drives: it owns the translation session, the loaded model, the
// history, the model downloads and the settings. A front end forwards the user's intents to it and renders what
// its Events report. Its methods and Events run on one goroutine, the front end's (the UI goroutine); the slow work
// runs on its own goroutines.
type Controller struct {
	// Settings are the user's choices; change them on the front end's goroutine and call SaveSettings.
	Settings Settings

	prefs     Preferences
	do        func(func())
	events    Events
	session   *Session
	models    *Models
	history   *history.Store // nil when it could not be opened
	writes    sync.WaitGroup // history writes in flight
	unsaved   bool           // the last history write failed, and HistoryFailed said so
	modelName string         // of the model in use, for the history
	catalogue []catalogue.Entry
	modelDir  string
	pulling   *pull
	pulls     sync.WaitGroup // the download goroutine
	closed    bool
	sharing   *server.Server // nil unless other programs may use the model
	// serverKey is the API key for the server engine being connected; the load runs off the UI goroutine.
	serverKey  atomic.Value
	terms      atomic.Pointer[[2]glossary.List] // the glossaries, by direction
	files      sync.WaitGroup                   // file translations and image readings in flight
	fileCancel context.CancelFunc               // stops the file being translated; nil when none is
}

// Events are what a Controller reports, each on the front end's goroutine. Any may be nil.
type Events struct {
	// Translation gets the updates of the newest request only: an update of a request that a newer one replaced
	// is dropped, even when it was on its way.
	Translation func(Update)
	// Model gets every change of the model's state.
	Model func(ModelStatus)
	// Pull gets a model download's progress and its end.
	Pull func(PullStatus)
	// HistoryChanged says that entries were added or trimmed.
	HistoryChanged func()
	// HistoryFailed says that a translation could not be saved in the history (the disk is full). It is said
	// once; after that only when saving had worked again in between.
	HistoryFailed func(error)
	// File gets a file translation's progress and its end.
	File func(FileStatus)
}

// ControllerOptions configure a Controller.
type ControllerOptions struct {
	Load  LoadFunc    // loads models: LoadEngine, or a scripted engine in tests
	Prefs Preferences // where the settings persist
	// Do runs a function on the front end's goroutine later, without waiting for it (fyne.Do): Close waits for
	// goroutines that call it.
	Do func(func())
	// Catalogue replaces the model catalogue and ModelDir the folder models are installed in (tests).
	Catalogue []catalogue.Entry
	ModelDir  string
}

// NewController makes the core; nothing is loaded or opened yet.
func NewController(o ControllerOptions, ev Events) *Controller {
	c := &Controller{Settings: LoadSettings(o.Prefs), prefs: o.Prefs, do: o.Do, events: ev, catalogue: o.Catalogue, modelDir: o.ModelDir}
	if c.catalogue == nil {
		c.catalogue = catalogue.Entries()
	}
	if c.modelDir == "" {
		c.modelDir = catalogue.Dir()
	}
	c.session = NewSession(func() Translator { return c.models.Translator() }, func(u Update) { c.do(func() { c.onUpdate(u) }) })
	c.session.Glossary = c.Glossary
	c.loadGlossary()
	load := func(path string, opts inference.Options) (Engine, error) {
		if IsServerURL(path) {
			key, _ := c.serverKey.Load().(string)
			return inference.Connect(context.Background(), inference.RemoteOptions{URL: path, APIKey: key})
		}
		return o.Load(path, opts)
	}
	c.models = NewModels(load, func(s ModelStatus) { c.do(func() { c.onModel(s) }) })
	return c
}

// IsServerURL reports whether a model's path is a server's URL (Settings.UseServer) rather than a file.
func IsServerURL(path string) bool {
	return strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://")
}

// LoadEngine loads what the settings choose to translate with: the server when UseServer is set, else the model
// file; false when there is neither.
func (c *Controller) LoadEngine() bool {
	if c.Settings.UseServer && c.Settings.ServerURL != "" {
		c.serverKey.Store(c.Settings.ServerKey)
		c.models.Load(c.Settings.ServerURL, c.Settings.EngineOptions())
		return true
	}
	if c.Settings.ModelPath != "" {
		c.LoadModel(c.Settings.ModelPath)
		return true
	}
	return false
}

// StartSharing lets other programs use the model through the local server (Settings.ShareAddr and ShareKey),
// replacing the one running; it says why when it cannot listen.
func (c *Controller) StartSharing() error {
	c.StopSharing()
	s, err := server.New(modelUse{c.models}, server.Options{Addr: c.Settings.ShareAddr, APIKey: c.Settings.ShareKey,
		Model: func() string { return c.models.Info().Name }, Glossary: c.Glossary})
	if err == nil {
		err = s.Start()
	}
	if err != nil {
		return err
	}
	c.sharing = s
	return nil
}

// StopSharing stops the local server, if it runs.
func (c *Controller) StopSharing() {
	if c.sharing != nil {
		c.sharing.Close()
		c.sharing = nil
	}
}

// SharingAddr is where the local server listens, or "" when it does not.
func (c *Controller) SharingAddr() string {
	if c.sharing == nil {
		return ""
	}
	return c.sharing.Addr()
}

// SaveSettings writes the settings.
func (c *Controller) SaveSettings() { c.Settings.Save(c.prefs) }

// Translate translates text now, replacing any request in flight, and returns the request's ID.
func (c *Controller) Translate(text string, mode DirectionMode) uint64 {
	return c.session.Translate(text, mode)
}

// Schedule translates text after a pause in typing (Session.Debounce) and returns the ID it will have.
func (c *Controller) Schedule(text string, mode DirectionMode) uint64 {
	return c.session.Schedule(text, mode)
}

// Stop stops the translation in flight and any scheduled one; its last update says so.
func (c *Controller) Stop() { c.session.Stop() }

// Discard stops the translation in flight and any scheduled one, and drops their updates still to come: for an
// action that puts other texts in place.
func (c *Controller) Discard() { c.session.Discard() }

// Requests counts the translations asked for with Translate and Schedule, so a caller can tell whether an action
// started one.
func (c *Controller) Requests() uint64 { return c.session.Asked() }

// Wait waits until no translation runs and the history has written what it was given.
func (c *Controller) Wait() {
	c.session.Wait()
	c.writes.Wait()
}

// SetDebounce sets the pause after an edit before Schedule translates it.
func (c *Controller) SetDebounce(d time.Duration) { c.session.Debounce = d }

// SetMode makes mode the direction and remembers it.
func (c *Controller) SetMode(mode DirectionMode) {
	c.Settings.Direction = mode
	c.SaveSettings()
}

func (c *Controller) onUpdate(u Update) {
	if c.closed || !c.session.IsCurrent(u.ID) {
		return
	}
	if u.Done && u.Err == nil {
		c.record(u)
	}
	if c.events.Translation != nil {
		c.events.Translation(u)
	}
}

// LoadModel loads a model file in the background; the one in use stays until it is ready.
func (c *Controller) LoadModel(path string) { c.models.Load(path, c.Settings.EngineOptions()) }

// HasModel reports whether a model is loaded (or unloaded for idleness, to be loaded again on use).
func (c *Controller) HasModel() bool { return c.models.Translator() != nil }

// UnloadAfter frees the model once it sat unused for d (0: never); the next translation loads it again.
func (c *Controller) UnloadAfter(d time.Duration) { c.models.SetIdleUnload(d) }

func (c *Controller) onModel(s ModelStatus) {
	if c.closed {
		return
	}
	if s.State == ModelReady {
		c.modelName = s.Info.Name
		if !s.Reloaded && !IsServerURL(s.Path) {
			c.Settings.ModelPath, c.Settings.UseServer = s.Path, false
			c.SaveSettings()
		}
	}
	if c.events.Model != nil {
		c.events.Model(s)
	}
}

// ErrHistoryOff starts the error of a history that could not be opened at all.
var ErrHistoryOff = errors.New("History is off")

// OpenHistory opens the history database; an unreadable one is kept aside and a new one started, which the
// returned error says (the history then works). With another error history stays off.
func (c *Controller) OpenHistory(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("%w: %w", ErrHistoryOff, err)
	}
	s, err := history.Open(path)
	var corrupt *history.ErrCorrupt
	if err != nil && !errors.As(err, &corrupt) {
		return fmt.Errorf("%w: %w", ErrHistoryOff, err)
	}
	c.history = s
	return err
}

// History is the history store for browsing and searching, or nil when history is off.
func (c *Controller) History() *history.Store { return c.history }

// record saves a finished translation and trims the history to the settings, off the front end's goroutine.
func (c *Controller) record(u Update) {
	s := c.Settings
	if c.history == nil || !s.KeepHistory || strings.TrimSpace(u.Source) == "" {
		return
	}
	e := history.Entry{Direction: u.Direction, Source: u.Source, Target: u.Text, Model: c.modelName,
		Duration: u.Result.Duration, Tokens: u.Result.GeneratedTokens}
	c.writes.Add(1)
	go func() {
		defer c.writes.Done()
		_, err := c.history.Add(context.Background(), e)
		if err == nil {
			c.history.Retain(context.Background(), s.HistoryMax, time.Duration(s.HistoryDays)*24*time.Hour)
		}
		c.do(func() {
			switch {
			case c.closed:
			case err != nil:
				if !c.unsaved && c.events.HistoryFailed != nil {
					then := "The entries saved before it are kept."
					if errors.Is(err, history.ErrDiskFull) {
						then = "The entries saved before it are kept, and history saves again once there is room."
					}
					c.events.HistoryFailed(fmt.Errorf("This translation was not saved in the history: %w. %s", err, then))
				}
				c.unsaved = true
			default:
				c.unsaved = false
				if c.events.HistoryChanged != nil {
					c.events.HistoryChanged()
				}
			}
		})
	}()
}

// Catalogue lists the models on offer and ModelDir is where they are installed.
func (c *Controller) Catalogue() []catalogue.Entry { return c.catalogue }

// ModelDir is the folder the catalogue's models are installed in.
func (c *Controller) ModelDir() string { return c.modelDir }

// pull is the model download running.
type pull struct {
	entry  catalogue.Entry
	cancel context.CancelFunc
}

// PullStatus is a model download's progress, or its end (Done, with Err when it failed or was cancelled).
type PullStatus struct {
	Entry    catalogue.Entry
	Text     string  // e.g. "Downloading: 42% · 1.2 GB of 2.6 GB · 35 MB/s · 40s left"
	Fraction float64 // in [0, 1]
	Done     bool
	Err      error
}

// Pulling is the model being downloaded, if any.
func (c *Controller) Pulling() (catalogue.Entry, bool) {
	if c.pulling == nil {
		return catalogue.Entry{}, false
	}
	return c.pulling.entry, true
}

// ErrPullRunning refuses a second download while one runs.
var ErrPullRunning = errors.New("another download is running")

// PullModel downloads e (and converts it, for a model the catalogue converts) in the background and then loads it;
// an installed model is loaded at once. Progress and the end come through Events.Pull.
func (c *Controller) PullModel(e catalogue.Entry) error {
	if c.pulling != nil {
		return fmt.Errorf("%w: %s", ErrPullRunning, c.pulling.entry.Title)
	}
	if e.Installed(c.modelDir) {
		c.LoadModel(e.Path(c.modelDir))
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.pulling = &pull{entry: e, cancel: cancel}
	c.notifyPull(PullStatus{Entry: e, Text: "Starting the download…"})
	dir := c.modelDir
	c.pulls.Add(1)
	go func() {
		defer c.pulls.Done()
		path, err := e.Pull(ctx, &download.Downloader{}, dir, func(s catalogue.Status) {
			st := pullProgress(e, s)
			c.do(func() {
				if c.pulling != nil && !c.closed {
					c.notifyPull(st)
				}
			})
		})
		c.do(func() { c.endPull(e, path, err) })
	}()
	return nil
}

// pullProgress says how far a download is.
func pullProgress(e catalogue.Entry, s catalogue.Status) PullStatus {
	p := s.Progress
	frac := 0.0
	if p.Total > 0 {
		frac = min(float64(p.Done)/float64(p.Total), 1)
	}
	text := fmt.Sprintf("%s: %.0f%%", s.Step, frac*100)
	if p.Total > 0 {
		text += fmt.Sprintf(" · %s of %s", download.FormatSize(p.Done), download.FormatSize(p.Total))
	}
	if p.Speed > 0 {
		text += fmt.Sprintf(" · %s/s", download.FormatSize(int64(p.Speed)))
	}
	if p.Left > 0 {
		text += " · " + p.Left.Round(time.Second).String() + " left"
	}
	return PullStatus{Entry: e, Text: text, Fraction: frac}
}

func (c *Controller) endPull(e catalogue.Entry, path string, err error) {
	c.pulling = nil
	if c.closed {
		return
	}
	st := PullStatus{Entry: e, Done: true, Fraction: 1, Err: err}
	switch {
	case errors.Is(err, context.Canceled):
		st.Text = "Download stopped. Starting it again continues where it stopped."
	case err != nil:
		st.Text = "Could not get " + e.Title + ": " + err.Error()
	default:
		st.Text = e.Title + " is downloaded"
		c.LoadModel(path)
	}
	c.notifyPull(st)
}

func (c *Controller) notifyPull(s PullStatus) {
	if c.events.Pull != nil {
		c.events.Pull(s)
	}
}

// CancelPull stops the download running, if any; starting it again resumes it.
func (c *Controller) CancelPull() {
	if c.pulling != nil {
		c.pulling.cancel()
	}
}

// RemoveModel deletes an installed catalogue model.
func (c *Controller) RemoveModel(e catalogue.Entry) error { return e.Remove(c.modelDir) }

// Close stops everything and waits for it: the translation, the download, the model, the history's writes.
func (c *Controller) Close() {
	c.closed = true
	c.StopSharing()
	c.CancelPull()
	c.pulls.Wait()
	c.session.Stop()
	c.StopFile()
	c.session.Wait()
	c.files.Wait()
	c.models.Close()
	c.writes.Wait()
	if c.history != nil {
		c.history.Close()
	}
}
