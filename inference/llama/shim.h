// The llama.cpp API that Gugugo uses, reached through dlopen so that a binary without the libraries
// still starts (its CLI says which command installs them) and GPU plugins are found at run time.
#ifndef GUGUGO_SHIM_H
#define GUGUGO_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ggml-backend.h"
#include "llama.h"

// gg_open loads libllama (file, in dir) and every ggml backend plugin in dir; 0 on success, else err is filled.
int gg_open(const char *dir, const char *file, char *err, size_t errlen);

// The platform's part (shim_linux.c, shim_windows.c): open a library with its symbols global, or NULL with err
// filled; find a symbol, or NULL; and the lock that guards the log, which llama.cpp's threads write.
void *gg_library_open(const char *path, char *err, size_t errlen);
void *gg_library_symbol(void *lib, const char *name);
void gg_lock(void);
void gg_unlock(void);
void gg_set_verbose(int verbose);
void gg_set_log_errors(int on);

// gg_record keeps llama.cpp's log (up to GG_RECORD_MAX bytes) from now on, or stops and drops it; gg_recorded copies
// it out.
#define GG_RECORD_MAX (1 << 16)
void gg_record(int on);
void gg_recorded(char *buf, size_t len);
// gg_load_backend loads one backend plugin file; 0 on success.
int gg_load_backend(const char *path);
// gg_last_error copies into buf the first error-level message llama.cpp logged since gg_clear_error.
void gg_last_error(char *buf, size_t len);
void gg_clear_error(void);

size_t gg_dev_count(void);
const char *gg_dev_name(size_t i);
const char *gg_dev_description(size_t i);
int gg_dev_type(size_t i);
void gg_dev_memory(size_t i, size_t *free_mem, size_t *total);

// gg_model_load loads a model; device >= 0 puts it on that device alone, -1 lets llama.cpp use every GPU (none when
// n_gpu_layers is 0). map maps the file instead of reading it.
struct llama_model *gg_model_load(const char *path, int32_t n_gpu_layers, int32_t device, bool map, uintptr_t progress_handle);
void gg_model_free(struct llama_model *m);
const struct llama_vocab *gg_model_vocab(const struct llama_model *m);
int32_t gg_model_desc(const struct llama_model *m, char *buf, size_t len);
int32_t gg_model_meta(const struct llama_model *m, const char *key, char *buf, size_t len);
int32_t gg_model_n_ctx_train(const struct llama_model *m);
uint64_t gg_model_size(const struct llama_model *m);
uint64_t gg_model_n_params(const struct llama_model *m);
int32_t gg_model_n_layer(const struct llama_model *m);
int32_t gg_model_n_embd(const struct llama_model *m);

// Greedy sampler chains, one per sequence, that run on the backend holding the output layer.
struct gg_samplers;

// gg_context_new creates a context; with greedy set, each sequence gets a greedy sampler that runs on the backend
// (the GPU picks the token and only its id is copied back), and *samplers must be passed to gg_context_free.
struct llama_context *gg_context_new(struct llama_model *m, uint32_t n_ctx, uint32_t n_batch, uint32_t n_ubatch, uint32_t n_seq,
                                     int32_t n_threads, bool greedy, bool unified, struct gg_samplers **samplers);
void gg_context_free(struct llama_context *c, struct gg_samplers *samplers);
uint32_t gg_n_ctx(const struct llama_context *c);
void gg_memory_clear(struct llama_context *c);
bool gg_memory_seq_rm(struct llama_context *c, int32_t seq, int32_t p0, int32_t p1);
void gg_memory_seq_cp(struct llama_context *c, int32_t src, int32_t dst, int32_t p0, int32_t p1);

int32_t gg_vocab_n_tokens(const struct llama_vocab *v);
bool gg_vocab_is_eog(const struct llama_vocab *v, int32_t token);
int32_t gg_tokenize(const struct llama_vocab *v, const char *text, int32_t len, int32_t *out, int32_t max, bool add_special);
int32_t gg_token_to_piece(const struct llama_vocab *v, int32_t token, char *buf, int32_t len);

// A batch of up to n tokens, each for one sequence.
struct llama_batch *gg_batch_new(int32_t n);
void gg_batch_free(struct llama_batch *b);
void gg_batch_clear(struct llama_batch *b);
void gg_batch_add(struct llama_batch *b, int32_t token, int32_t pos, int32_t seq, bool logits);
int32_t gg_decode(struct llama_context *c, struct llama_batch *b);
// gg_sampled returns the token the backend sampler picked at output row i of the last decode, or -1.
int32_t gg_sampled(struct llama_context *c, int32_t i);
// gg_argmax returns the most likely next token at output row i of the last decode, or -1.
int32_t gg_argmax(struct llama_context *c, int32_t i, int32_t n_vocab);
// gg_logits copies output row i of the last decode into out (n_vocab floats); false when there is none.
bool gg_logits(struct llama_context *c, int32_t i, float *out, int32_t n_vocab);

#endif
