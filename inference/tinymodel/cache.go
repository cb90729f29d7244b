package tinymodel

import (
	"path/filepath"
	"sync"
)

// Cache writes each named model once into its folder and hands out its path: a test binary's tests share models.
type Cache struct {
	dir   string
	mu    sync.Mutex
	paths map[string]string
}

// NewCache makes a cache that writes into dir.
func NewCache(dir string) *Cache { return &Cache{dir: dir, paths: map[string]string{}} }

// Path is the file of the model named name, written with o the first time it is asked for.
func (c *Cache) Path(name string, o Options) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.paths[name]; ok {
		return p, nil
	}
	p := filepath.Join(c.dir, name+".gguf")
	if err := Write(p, o); err != nil {
		return "", err
	}
	c.paths[name] = p
	return p, nil
}
