// Tesseract reached through dlopen, so that the gugugo binary starts where it is not installed and OCR can say
// which packages to install.
#ifndef GUGUGO_OCR_SHIM_H
#define GUGUGO_OCR_SHIM_H

#include <stddef.h>

typedef struct TessBaseAPI TessBaseAPI;

// ts_open loads the library by its soname; 0 on success, else err is filled and a library loaded before stays.
int ts_open(const char *soname, char *err, size_t errlen);
// ts_new returns an API initialised for lang ("kor+eng") from the traineddata files in datapath (NULL: Tesseract's
// own folder or $TESSDATA_PREFIX), or NULL when none of the languages loaded: Tesseract goes on without those whose
// file is missing, and ts_has_language tells which loaded.
TessBaseAPI *ts_new(const char *datapath, const char *lang);
int ts_has_language(TessBaseAPI *api, const char *lang);
// ts_recognize reads the text of an 8-bit grey image, w bytes a row; free it with ts_free_text. *conf is Tesseract's
// mean word confidence, 0-100.
char *ts_recognize(TessBaseAPI *api, const unsigned char *grey, int w, int h, int ppi, int psm, int *conf);
void ts_free_text(char *text);
// ts_delete ends and frees an API.
void ts_delete(TessBaseAPI *api);

#endif
