package inference

import (
	"fmt"
	"os"
	"path/filepath"
)

// gpuDriverVersion stands for the GPU drivers, whose update can make a plugin that failed work (or the reverse): the
// size and time of the CUDA and Vulkan driver libraries in System32, which an update replaces.
func gpuDriverVersion() string {
	sys := os.Getenv("SystemRoot")
	if sys == "" {
		sys = `C:\Windows`
	}
	var v string
	for _, f := range []string{"nvcuda.dll", "vulkan-1.dll"} {
		if st, err := os.Stat(filepath.Join(sys, "System32", f)); err == nil {
			v += fmt.Sprintf("%s %d %d;", f, st.Size(), st.ModTime().Unix())
		}
	}
	return v
}
