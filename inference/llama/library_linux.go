package llama

// #cgo LDFLAGS: -ldl
import "C"

// LibraryFile is the library Open looks for; its folder also holds the ggml backend plugins.
const LibraryFile = "libllama.v0.5.0.so"

// PluginPattern matches a ggml backend plugin's file name.
const PluginPattern = "*.so"
