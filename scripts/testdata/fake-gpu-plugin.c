// A stand-in GPU backend plugin for scripts/gui-test.sh that passes its test run and then dies mid-translation, the
// way a GPU plugin does on a kernel its test run did not reach or when the driver goes away: it is the CPU backend
// presented as a GPU ("Gugugo Test GPU"), whose graph computations after the first GUGUGO_TEST_GPU_CRASH_AFTER
// (default 40) end in ggml_abort. Built against the pinned llama.cpp's ggml-backend-impl.h.
#include <stdlib.h>

#include "ggml-backend-impl.h"
#include "ggml-impl.h"

static ggml_backend_reg_t cpu_reg;
static ggml_backend_dev_t cpu;
static struct ggml_backend_reg reg;
static struct ggml_backend_device dev;
static enum ggml_status (*cpu_compute)(ggml_backend_t, struct ggml_cgraph *);
static long computes, crash_after = 40;

static const char *dev_name(ggml_backend_dev_t d) { (void)d; return "FakeGPU0"; }
static const char *dev_description(ggml_backend_dev_t d) { (void)d; return "Gugugo Test GPU"; }
static enum ggml_backend_dev_type dev_type(ggml_backend_dev_t d) { (void)d; return GGML_BACKEND_DEVICE_TYPE_GPU; }
static void dev_memory(ggml_backend_dev_t d, size_t *free, size_t *total) { (void)d; cpu->iface.get_memory(cpu, free, total); }

static void dev_props(ggml_backend_dev_t d, struct ggml_backend_dev_props *p) {
	cpu->iface.get_props(cpu, p);
	p->type = GGML_BACKEND_DEVICE_TYPE_GPU;
	p->name = dev_name(d);
	p->description = dev_description(d);
}

static enum ggml_status compute(ggml_backend_t b, struct ggml_cgraph *g) {
	if (++computes > crash_after) {
		GGML_LOG_ERROR("fake GPU: CUDA error: an illegal memory access was encountered\n");
		ggml_abort("fake-gpu-plugin.c", __LINE__, "CUDA error");
	}
	return cpu_compute(b, g);
}

static ggml_backend_t dev_init(ggml_backend_dev_t d, const char *params) {
	ggml_backend_t b = cpu->iface.init_backend(cpu, params);
	if (b) {
		cpu_compute = b->iface.graph_compute;
		b->iface.graph_compute = compute;
		b->device = d;
	}
	return b;
}

static ggml_backend_buffer_type_t dev_buft(ggml_backend_dev_t d) { (void)d; return cpu->iface.get_buffer_type(cpu); }
static bool dev_supports_op(ggml_backend_dev_t d, const struct ggml_tensor *op) { (void)d; return cpu->iface.supports_op(cpu, op); }
static bool dev_supports_buft(ggml_backend_dev_t d, ggml_backend_buffer_type_t t) { (void)d; return cpu->iface.supports_buft(cpu, t); }
static const char *reg_name(ggml_backend_reg_t r) { (void)r; return "FakeGPU"; }
static size_t reg_devices(ggml_backend_reg_t r) { (void)r; return 1; }
static ggml_backend_dev_t reg_device(ggml_backend_reg_t r, size_t i) { (void)r; (void)i; return &dev; }
static void *reg_proc(ggml_backend_reg_t r, const char *name) { (void)r; return cpu_reg->iface.get_proc_address(cpu_reg, name); }

ggml_backend_reg_t ggml_backend_init(void) {
	const char *n = getenv("GUGUGO_TEST_GPU_CRASH_AFTER");
	if (n) {
		crash_after = atol(n);
	}
	cpu_reg = ggml_backend_reg_by_name("CPU");
	if (!cpu_reg) {
		return NULL;
	}
	cpu = ggml_backend_reg_dev_get(cpu_reg, 0);
	dev.iface = (struct ggml_backend_device_i){.get_name = dev_name, .get_description = dev_description,
		.get_memory = dev_memory, .get_type = dev_type, .get_props = dev_props, .init_backend = dev_init,
		.get_buffer_type = dev_buft, .supports_op = dev_supports_op, .supports_buft = dev_supports_buft};
	dev.reg = &reg;
	reg.api_version = GGML_BACKEND_API_VERSION;
	reg.iface = (struct ggml_backend_reg_i){.get_name = reg_name, .get_device_count = reg_devices, .get_device = reg_device,
		.get_proc_address = reg_proc};
	return &reg;
}
