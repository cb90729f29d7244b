#include "shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern bool goLoadProgress(float progress, uintptr_t handle);

#define GG_FUNCS(X)                   \
	X(llama_backend_init)             \
	X(llama_log_set)                  \
	X(llama_model_default_params)     \
	X(llama_context_default_params)   \
	X(llama_model_load_from_file)     \
	X(llama_model_free)               \
	X(llama_model_get_vocab)          \
	X(llama_model_desc)               \
	X(llama_model_meta_val_str)       \
	X(llama_model_n_ctx_train)        \
	X(llama_model_size)               \
	X(llama_model_n_params)           \
	X(llama_model_n_layer)            \
	X(llama_model_n_embd)             \
	X(llama_init_from_model)          \
	X(llama_free)                     \
	X(llama_n_ctx)                    \
	X(llama_get_memory)               \
	X(llama_memory_clear)             \
	X(llama_memory_seq_rm)            \
	X(llama_memory_seq_cp)            \
	X(llama_vocab_n_tokens)           \
	X(llama_vocab_is_eog)             \
	X(llama_tokenize)                 \
	X(llama_token_to_piece)           \
	X(llama_batch_init)               \
	X(llama_batch_free)               \
	X(llama_decode)                   \
	X(llama_get_logits_ith)           \
	X(llama_get_sampled_token_ith)    \
	X(llama_sampler_chain_default_params) \
	X(llama_sampler_chain_init)       \
	X(llama_sampler_chain_add)        \
	X(llama_sampler_init_greedy)      \
	X(llama_sampler_free)             \
	X(ggml_backend_load_all_from_path) \
	X(ggml_backend_load)              \
	X(ggml_backend_dev_count)         \
	X(ggml_backend_dev_get)           \
	X(ggml_backend_dev_name)          \
	X(ggml_backend_dev_description)   \
	X(ggml_backend_dev_type)          \
	X(ggml_backend_dev_memory)

#define GG_DECLARE(name) static __typeof__(name) *p_##name;
GG_FUNCS(GG_DECLARE)

static int verbose;
static int log_errors;
static char last_error[1024];
static char *recorded;      // the log since gg_record(1), while recording
static size_t recorded_len;

// Keeps llama.cpp quiet unless asked, and remembers the first error since gg_clear_error: llama.cpp logs the cause
// first and a generic "failed to load model" after it.
static void gg_log(enum ggml_log_level level, const char *text, void *user) {
	(void)user;
	if (level == GGML_LOG_LEVEL_ERROR && last_error[0] == 0) {
		gg_lock();
		snprintf(last_error, sizeof last_error, "%s", text);
		size_t n = strlen(last_error);
		while (n > 0 && (last_error[n - 1] == '\n' || last_error[n - 1] == ' ')) last_error[--n] = 0;
		gg_unlock();
	}
	if (recorded) {
		gg_lock();
		size_t n = strlen(text);
		if (recorded && recorded_len + n < GG_RECORD_MAX) {
			memcpy(recorded + recorded_len, text, n + 1);
			recorded_len += n;
		}
		gg_unlock();
	}
	if (verbose || (log_errors && level == GGML_LOG_LEVEL_ERROR)) fputs(text, stderr);
}

void gg_record(int on) {
	gg_lock();
	free(recorded);
	recorded = on ? calloc(1, GG_RECORD_MAX) : NULL;
	recorded_len = 0;
	gg_unlock();
}

void gg_recorded(char *buf, size_t len) {
	gg_lock();
	snprintf(buf, len, "%s", recorded ? recorded : "");
	gg_unlock();
}

void gg_set_verbose(int v) { verbose = v; }
void gg_set_log_errors(int on) { log_errors = on; }

void gg_last_error(char *buf, size_t len) {
	gg_lock();
	snprintf(buf, len, "%s", last_error);
	gg_unlock();
}

void gg_clear_error(void) {
	gg_lock();
	last_error[0] = 0;
	gg_unlock();
}

int gg_open(const char *dir, const char *file, char *err, size_t errlen) {
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	void *h = gg_library_open(path, err, errlen);
	if (!h) {
		return -1;
	}
#define GG_LOAD(name)                                                  \
	p_##name = (__typeof__(name) *)gg_library_symbol(h, #name);        \
	if (!p_##name) {                                                   \
		snprintf(err, errlen, "%s: missing symbol %s", path, #name);   \
		return -1;                                                     \
	}
	GG_FUNCS(GG_LOAD)
	p_llama_log_set(gg_log, NULL);
	p_ggml_backend_load_all_from_path(dir);
	p_llama_backend_init();
	return 0;
}

int gg_load_backend(const char *path) { return p_ggml_backend_load(path) != NULL ? 0 : -1; }

size_t gg_dev_count(void) { return p_ggml_backend_dev_count(); }
const char *gg_dev_name(size_t i) { return p_ggml_backend_dev_name(p_ggml_backend_dev_get(i)); }
const char *gg_dev_description(size_t i) { return p_ggml_backend_dev_description(p_ggml_backend_dev_get(i)); }
int gg_dev_type(size_t i) { return (int)p_ggml_backend_dev_type(p_ggml_backend_dev_get(i)); }
void gg_dev_memory(size_t i, size_t *free_mem, size_t *total) { p_ggml_backend_dev_memory(p_ggml_backend_dev_get(i), free_mem, total); }

static bool gg_progress(float progress, void *user) { return goLoadProgress(progress, (uintptr_t)user); }

struct llama_model *gg_model_load(const char *path, int32_t n_gpu_layers, int32_t device, bool map, uintptr_t progress_handle) {
	struct llama_model_params p = p_llama_model_default_params();
	p.n_gpu_layers = n_gpu_layers;
	// Unless asked to map the file, the weights are read into llama.cpp's own memory: a mapped file that is
	// truncated while loaded (cp over it) ends the process with SIGBUS on the next page it touches.
	p.load_mode = map ? LLAMA_LOAD_MODE_MMAP : LLAMA_LOAD_MODE_NONE;
	p.lazy_mode = LLAMA_LAZY_MODE_OFF;
	ggml_backend_dev_t devs[2] = {NULL, NULL};
	if (device >= 0) {
		devs[0] = p_ggml_backend_dev_get((size_t)device);
		p.devices = devs;
	} else if (n_gpu_layers == 0) {
		// No GPU at all: with the default (every GPU) llama.cpp still starts their backends and runs large
		// batches there (op offload), which would bring back a GPU that ended the process (app/guard).
		p.devices = devs;
	}
	if (progress_handle) {
		p.progress_callback = gg_progress;
		p.progress_callback_user_data = (void *)progress_handle;
	}
	return p_llama_model_load_from_file(path, p);
}

void gg_model_free(struct llama_model *m) { p_llama_model_free(m); }
const struct llama_vocab *gg_model_vocab(const struct llama_model *m) { return p_llama_model_get_vocab(m); }
int32_t gg_model_desc(const struct llama_model *m, char *buf, size_t len) { return p_llama_model_desc(m, buf, len); }
int32_t gg_model_meta(const struct llama_model *m, const char *key, char *buf, size_t len) { return p_llama_model_meta_val_str(m, key, buf, len); }
int32_t gg_model_n_ctx_train(const struct llama_model *m) { return p_llama_model_n_ctx_train(m); }
uint64_t gg_model_size(const struct llama_model *m) { return p_llama_model_size(m); }
uint64_t gg_model_n_params(const struct llama_model *m) { return p_llama_model_n_params(m); }
int32_t gg_model_n_layer(const struct llama_model *m) { return p_llama_model_n_layer(m); }
int32_t gg_model_n_embd(const struct llama_model *m) { return p_llama_model_n_embd(m); }

struct gg_samplers {
	uint32_t n;
	struct llama_sampler_seq_config cfg[];
};

static void gg_samplers_free(struct gg_samplers *s) {
	if (!s) return;
	for (uint32_t i = 0; i < s->n; i++) {
		if (s->cfg[i].sampler) p_llama_sampler_free(s->cfg[i].sampler);
	}
	free(s);
}

struct llama_context *gg_context_new(struct llama_model *m, uint32_t n_ctx, uint32_t n_batch, uint32_t n_ubatch, uint32_t n_seq,
                                     int32_t n_threads, bool greedy, bool unified, struct gg_samplers **samplers) {
	struct llama_context_params p = p_llama_context_default_params();
	p.kv_unified = unified;
	p.n_ctx = n_ctx;
	p.n_batch = n_batch;
	p.n_ubatch = n_ubatch;
	p.n_seq_max = n_seq;
	p.n_threads = n_threads;
	p.n_threads_batch = n_threads;
	p.no_perf = true;
	struct gg_samplers *s = NULL;
	if (greedy) {
		s = calloc(1, sizeof *s + n_seq * sizeof s->cfg[0]);
		if (!s) return NULL;
		s->n = n_seq;
		for (uint32_t i = 0; i < n_seq; i++) {
			struct llama_sampler *chain = p_llama_sampler_chain_init(p_llama_sampler_chain_default_params());
			p_llama_sampler_chain_add(chain, p_llama_sampler_init_greedy());
			s->cfg[i].seq_id = (llama_seq_id)i;
			s->cfg[i].sampler = chain;
		}
		p.samplers = s->cfg;
		p.n_samplers = n_seq;
	}
	struct llama_context *c = p_llama_init_from_model(m, p);
	if (!c) {
		gg_samplers_free(s);
		s = NULL;
	}
	*samplers = s;
	return c;
}

void gg_context_free(struct llama_context *c, struct gg_samplers *samplers) {
	p_llama_free(c);
	gg_samplers_free(samplers);
}

uint32_t gg_n_ctx(const struct llama_context *c) { return p_llama_n_ctx(c); }
void gg_memory_clear(struct llama_context *c) { p_llama_memory_clear(p_llama_get_memory(c), true); }
bool gg_memory_seq_rm(struct llama_context *c, int32_t seq, int32_t p0, int32_t p1) {
	return p_llama_memory_seq_rm(p_llama_get_memory(c), seq, p0, p1);
}
void gg_memory_seq_cp(struct llama_context *c, int32_t src, int32_t dst, int32_t p0, int32_t p1) {
	p_llama_memory_seq_cp(p_llama_get_memory(c), src, dst, p0, p1);
}

int32_t gg_vocab_n_tokens(const struct llama_vocab *v) { return p_llama_vocab_n_tokens(v); }
bool gg_vocab_is_eog(const struct llama_vocab *v, int32_t token) { return p_llama_vocab_is_eog(v, token); }
int32_t gg_tokenize(const struct llama_vocab *v, const char *text, int32_t len, int32_t *out, int32_t max, bool add_special) {
	return p_llama_tokenize(v, text, len, out, max, add_special, false);
}
int32_t gg_token_to_piece(const struct llama_vocab *v, int32_t token, char *buf, int32_t len) {
	return p_llama_token_to_piece(v, token, buf, len, 0, false);
}

struct llama_batch *gg_batch_new(int32_t n) {
	struct llama_batch *b = malloc(sizeof *b);
	if (!b) return NULL;
	*b = p_llama_batch_init(n, 0, 1);
	b->n_tokens = 0;
	return b;
}

void gg_batch_free(struct llama_batch *b) {
	p_llama_batch_free(*b);
	free(b);
}

void gg_batch_clear(struct llama_batch *b) { b->n_tokens = 0; }

void gg_batch_add(struct llama_batch *b, int32_t token, int32_t pos, int32_t seq, bool logits) {
	int32_t i = b->n_tokens++;
	b->token[i] = token;
	b->pos[i] = pos;
	b->n_seq_id[i] = 1;
	b->seq_id[i][0] = seq;
	b->logits[i] = logits;
}

int32_t gg_decode(struct llama_context *c, struct llama_batch *b) { return p_llama_decode(c, *b); }

int32_t gg_sampled(struct llama_context *c, int32_t i) { return p_llama_get_sampled_token_ith(c, i); }

int32_t gg_argmax(struct llama_context *c, int32_t i, int32_t n_vocab) {
	const float *l = p_llama_get_logits_ith(c, i);
	if (!l) return -1;
	int32_t best = 0;
	for (int32_t t = 1; t < n_vocab; t++) {
		if (l[t] > l[best]) best = t;
	}
	return best;
}

bool gg_logits(struct llama_context *c, int32_t i, float *out, int32_t n_vocab) {
	const float *l = p_llama_get_logits_ith(c, i);
	if (!l) return false;
	memcpy(out, l, sizeof(float) * (size_t)n_vocab);
	return true;
}
