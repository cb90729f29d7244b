#include "shim.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

void *gg_library_open(const char *path, char *err, size_t errlen) {
	void *h = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
	if (!h) {
		snprintf(err, errlen, "%s", dlerror());
	}
	return h;
}

void *gg_library_symbol(void *lib, const char *name) { return dlsym(lib, name); }

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
void gg_lock(void) { pthread_mutex_lock(&mu); }
void gg_unlock(void) { pthread_mutex_unlock(&mu); }
