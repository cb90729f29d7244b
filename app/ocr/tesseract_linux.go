package ocr

/*
#cgo LDFLAGS: -ldl
#include <stdlib.h>
#include "shim_linux.h"
*/
import "C"

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unsafe"
)

// sonames are Tesseract 5's library, then 4's (Debian 11, Ubuntu 22.04), whose C API is the same for these calls.
var sonames = []string{"libtesseract.so.5", "libtesseract.so.4"}

const installHint = "sudo apt install tesseract-ocr tesseract-ocr-kor tesseract-ocr-eng"

// languages are the traineddata files newEngine loads, with the Debian package that has each.
var languages = []struct{ code, name, pkg string }{
	{"kor", "Korean", "tesseract-ocr-kor"},
	{"eng", "English", "tesseract-ocr-eng"},
}

// Tesseract's OpenMP threads spin while they wait: on two cores, 48 lines took 1.8 times as long to read with two
// threads as with one. libgomp reads the limit when it is loaded, with Tesseract; it is set here, at start, because
// changing the environment later races with C threads reading it. llama.cpp's libraries do not use OpenMP.
func init() {
	if _, set := os.LookupEnv("OMP_THREAD_LIMIT"); !set {
		os.Setenv("OMP_THREAD_LIMIT", "1")
	}
}

// libraryLoaded is set once a library has opened; guarded by Recognize's mu.
var libraryLoaded bool

// openLibrary loads the first of names that opens.
func openLibrary(names []string) error {
	var errs []string
	for _, name := range names {
		cname := C.CString(name)
		var buf [512]C.char
		rc := C.ts_open(cname, &buf[0], C.size_t(len(buf)))
		C.free(unsafe.Pointer(cname))
		if rc == 0 {
			libraryLoaded = true
			return nil
		}
		errs = append(errs, C.GoString(&buf[0]))
	}
	return fmt.Errorf("OCR needs Tesseract, which is not installed (install it with `%s`): %s", installHint, strings.Join(errs, "; "))
}

type tesseract struct{ api *C.TessBaseAPI }

// newEngine loads Tesseract with Korean and English from datapath, "" for where Tesseract looks itself.
func newEngine(datapath string) (engine, error) {
	if !libraryLoaded {
		if err := openLibrary(sonames); err != nil {
			return nil, err
		}
	}
	var cpath *C.char
	if datapath != "" {
		cpath = C.CString(datapath)
		defer C.free(unsafe.Pointer(cpath))
	}
	codes := make([]string, len(languages))
	for i, l := range languages {
		codes[i] = l.code
	}
	clang := C.CString(strings.Join(codes, "+"))
	defer C.free(unsafe.Pointer(clang))
	api := C.ts_new(cpath, clang)
	var missing, pkgs []string
	for _, l := range languages {
		if api == nil || !hasLanguage(api, l.code) {
			missing = append(missing, fmt.Sprintf("%s (%s.traineddata)", l.name, l.code))
			pkgs = append(pkgs, l.pkg)
		}
	}
	if len(missing) == 0 {
		return &tesseract{api}, nil
	}
	if api != nil {
		C.ts_delete(api)
	}
	where := "Tesseract's data folder"
	if datapath != "" {
		where = filepath.Clean(datapath)
	} else if p := os.Getenv("TESSDATA_PREFIX"); p != "" {
		where = filepath.Clean(p) + " ($TESSDATA_PREFIX)"
	}
	return nil, fmt.Errorf("Tesseract has no %s language data in %s (install it with `sudo apt install %s`)",
		strings.Join(missing, " or "), where, strings.Join(pkgs, " "))
}

func hasLanguage(api *C.TessBaseAPI, code string) bool {
	c := C.CString(code)
	defer C.free(unsafe.Pointer(c))
	return C.ts_has_language(api, c) != 0
}

func (t *tesseract) recognize(grey []byte, w, h, ppi, psm int) (string, int) {
	var conf C.int
	text := C.ts_recognize(t.api, (*C.uchar)(unsafe.Pointer(&grey[0])), C.int(w), C.int(h), C.int(ppi), C.int(psm), &conf)
	if text == nil {
		return "", 0
	}
	defer C.ts_free_text(text)
	return C.GoString(text), int(conf)
}
