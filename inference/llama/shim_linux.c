#include "shim.h"

#include <dlfcn.h>
#include <stdio.h>

void *gg_library_open(const char *path, char *err, size_t errlen) {
	void *h = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
	if (!h) {
		snprintf(err, errlen, "%s", dlerror());
	}
	return h;
}

void *gg_library_symbol(void *lib, const char *name) { return dlsym(lib, name); }
