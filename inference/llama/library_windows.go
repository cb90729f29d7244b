package llama

// LibraryFile is the library Open looks for; its folder also holds the ggml backend plugins. Windows runs the
// llama.cpp release that node-llama-cpp publishes for Windows (v0.4.0, 3.21.1), whose llama.h is the same as
// v0.5.0's for every call this package makes (docs/windows.md).
const LibraryFile = "llama.v0.4.0.dll"

// PluginPattern matches a ggml backend plugin's file name.
const PluginPattern = "*.dll"
