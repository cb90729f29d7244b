package inference

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gugugo-desktop/gugugo/inference/llama"
)

// OpenLibraries loads llama.cpp and the GPU plugin that works here (see backends.go), reporting a missing
// installation as ErrLibraries with the command that fixes it.
func OpenLibraries() (string, error) {
	dir, err := llama.Open()
	if errors.Is(err, llama.ErrNotFound) {
		return "", fmt.Errorf("%w: run `make build` in the source folder, or reinstall Gugugo (%w)", ErrLibraries, err)
	}
	if err == nil {
		backendOnce.Do(func() { selectGPUPlugin(dir) })
	}
	return dir, err
}

// Devices lists the devices llama.cpp can run on, GPU plugins included.
func Devices() ([]llama.Device, error) {
	if _, err := OpenLibraries(); err != nil {
		return nil, err
	}
	return llama.Devices(), nil
}

// pickDevice resolves Options.Device: "" is the GPU with the most free memory (or the CPU when there is none),
// "cpu" the CPU, anything else a device's name (CUDA0, Vulkan0, ...). It returns the device index for the model
// (-1 for the CPU) and the layers to offload.
func pickDevice(want string, gpuLayers int) (llama.Device, int, int, error) {
	devs := llama.Devices()
	var cpu llama.Device
	best := -1
	for i, d := range devs {
		switch {
		case d.Type == llama.DeviceCPU:
			cpu = d
		case d.IsGPU() && strings.EqualFold(want, d.Name):
			best = i
		}
	}
	if want == "" {
		best = bestGPU(devs)
	}
	switch {
	case strings.EqualFold(want, "cpu") || gpuLayers == 0 || want == "" && best < 0:
		return cpu, -1, 0, nil
	case best >= 0:
		return devs[best], best, gpuLayers, nil
	}
	names := []string{"cpu"}
	for _, d := range devs {
		if d.IsGPU() {
			names = append(names, d.Name)
		}
	}
	return cpu, -1, 0, fmt.Errorf("no device %q (devices: %s)", want, strings.Join(names, ", "))
}

// bestGPU is the index of the GPU with the most free memory (the first of equals), or -1 without a GPU.
func bestGPU(devs []llama.Device) int {
	best := -1
	for i, d := range devs {
		if d.IsGPU() && (best < 0 || d.FreeMemory > devs[best].FreeMemory) {
			best = i
		}
	}
	return best
}

// BestGPU is the GPU that the automatic device choice (Options.Device "") puts a model on; ok is false without one.
func BestGPU() (d llama.Device, ok bool) {
	devs, err := Devices()
	if err != nil {
		return d, false
	}
	if i := bestGPU(devs); i >= 0 {
		return devs[i], true
	}
	return d, false
}

// deviceLabel names a device for people: a GPU's name, or "CPU (its model)".
func deviceLabel(d llama.Device) string {
	if d.IsGPU() {
		return d.Description
	}
	if d.Description != "" {
		return "CPU (" + strings.TrimSpace(d.Description) + ")"
	}
	return "CPU"
}
