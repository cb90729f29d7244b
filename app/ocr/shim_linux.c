#include "shim_linux.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

// The calls of Tesseract's C API (tesseract/capi.h, the same in 4.x and 5.x) that package ocr makes, declared here
// so that building needs neither Tesseract's headers nor its library. BOOL and TessPageSegMode are ints there.
#define TS_FUNCS(X)                                                                          \
	X(TessBaseAPI *, TessBaseAPICreate, (void))                                              \
	X(int, TessBaseAPIInit3, (TessBaseAPI *, const char *, const char *))                    \
	X(char **, TessBaseAPIGetLoadedLanguagesAsVector, (TessBaseAPI *))                       \
	X(void, TessDeleteTextArray, (char **))                                                  \
	X(int, TessBaseAPISetVariable, (TessBaseAPI *, const char *, const char *))              \
	X(void, TessBaseAPISetPageSegMode, (TessBaseAPI *, int))                                 \
	X(void, TessBaseAPISetImage, (TessBaseAPI *, const unsigned char *, int, int, int, int)) \
	X(void, TessBaseAPISetSourceResolution, (TessBaseAPI *, int))                            \
	X(char *, TessBaseAPIGetUTF8Text, (TessBaseAPI *))                                       \
	X(int, TessBaseAPIMeanTextConf, (TessBaseAPI *))                                         \
	X(void, TessDeleteText, (const char *))                                                  \
	X(void, TessBaseAPIClear, (TessBaseAPI *))                                               \
	X(void, TessBaseAPIDelete, (TessBaseAPI *))

#define TS_FIELD(ret, name, args) ret(*name) args;
static struct {
	TS_FUNCS(TS_FIELD)
} ts;

int ts_open(const char *soname, char *err, size_t errlen) {
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(err, errlen, "%s", dlerror());
		return -1;
	}
	// Filled apart and copied only when complete, so that a failed open leaves a loaded library in use.
	__typeof__(ts) found;
#define TS_FIND(ret, name, args)                                       \
	if (!(found.name = (ret(*) args)dlsym(h, #name))) {                \
		snprintf(err, errlen, "%s has no function %s", soname, #name); \
		dlclose(h);                                                    \
		return -1;                                                     \
	}
	TS_FUNCS(TS_FIND)
	ts = found;
	return 0;
}

TessBaseAPI *ts_new(const char *datapath, const char *lang) {
	TessBaseAPI *api = ts.TessBaseAPICreate();
	// Tesseract writes its notes ("Empty page!!", the language files it could not open) to stderr, which is the
	// desktop app's log; what matters reaches the caller through ts_new's result and ts_has_language.
	ts.TessBaseAPISetVariable(api, "debug_file", "/dev/null");
	if (ts.TessBaseAPIInit3(api, datapath, lang) != 0) {
		ts.TessBaseAPIDelete(api);
		return NULL;
	}
	return api;
}

int ts_has_language(TessBaseAPI *api, const char *lang) {
	char **langs = ts.TessBaseAPIGetLoadedLanguagesAsVector(api);
	int found = 0;
	for (char **l = langs; l && *l; l++) {
		found |= strcmp(*l, lang) == 0;
	}
	if (langs) {
		ts.TessDeleteTextArray(langs);
	}
	return found;
}

char *ts_recognize(TessBaseAPI *api, const unsigned char *grey, int w, int h, int ppi, int psm, int *conf) {
	ts.TessBaseAPISetPageSegMode(api, psm);
	ts.TessBaseAPISetImage(api, grey, w, h, 1, w);
	ts.TessBaseAPISetSourceResolution(api, ppi);
	char *text = ts.TessBaseAPIGetUTF8Text(api);
	*conf = ts.TessBaseAPIMeanTextConf(api);
	// The copy of the image and the results are not needed past this call; a screenshot's copy is megabytes.
	ts.TessBaseAPIClear(api);
	return text;
}

void ts_free_text(char *text) { ts.TessDeleteText(text); }

void ts_delete(TessBaseAPI *api) { ts.TessBaseAPIDelete(api); }
