// A stand-in GPU backend plugin for scripts/cli-test.sh and gui-test.sh. It dies the way ggml aborted the npm CUDA 13
// plugin on an H100 whose driver that plugin was not built for: the failing operation and the cause go to
// llama.cpp's log, then ggml_abort prints only its source line and ends the process.
void ggml_log_internal(int level, const char *format, ...);
void ggml_abort(const char *file, int line, const char *format, ...);

enum { log_level_error = 4 }; // GGML_LOG_LEVEL_ERROR

void *ggml_backend_init(void) {
	ggml_log_internal(log_level_error, "ggml_cuda_compute_forward: NORM failed\n");
	ggml_log_internal(log_level_error, "CUDA error: the provided PTX was compiled with an unsupported toolchain.\n");
	ggml_abort("ggml-cuda.cu", 108, "CUDA error");
	return 0;
}
