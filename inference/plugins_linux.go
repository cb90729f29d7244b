package inference

import (
	"os"
	"strings"
)

// gpuDriverVersion names the NVIDIA driver, whose update can make a plugin that failed work (or the reverse); ""
// without one.
func gpuDriverVersion() string {
	driver, _ := os.ReadFile("/proc/driver/nvidia/version")
	first, _, _ := strings.Cut(string(driver), "\n")
	return strings.TrimSpace(first)
}
