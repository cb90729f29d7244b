#include "shim.h"

#include <stdio.h>
#include <string.h>
#include <windows.h>
#include <psapi.h>

// gg_library_open takes a UTF-8 path (Go's strings), which may hold a Korean user name, so it goes through the
// wide-character API. LOAD_WITH_ALTERED_SEARCH_PATH finds the library's own dependencies (ggml, ggml-base) in its
// folder first; the path must be absolute and use backslashes for that.
void *gg_library_open(const char *path, char *err, size_t errlen) {
	wchar_t wpath[4096];
	int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, wpath, sizeof wpath / sizeof wpath[0]);
	if (n == 0) {
		snprintf(err, errlen, "%s: not a valid path", path);
		return NULL;
	}
	for (wchar_t *p = wpath; *p; p++) {
		if (*p == L'/') *p = L'\\';
	}
	HMODULE h = LoadLibraryExW(wpath, NULL, LOAD_WITH_ALTERED_SEARCH_PATH);
	if (!h) {
		DWORD code = GetLastError();
		char msg[512] = "";
		FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code, 0, msg, sizeof msg, NULL);
		size_t m = strlen(msg);
		while (m > 0 && (msg[m - 1] == '\n' || msg[m - 1] == '\r' || msg[m - 1] == ' ' || msg[m - 1] == '.')) msg[--m] = 0;
		// 126: a library it needs is missing; for the prebuilt llama.cpp that is the Visual C++ runtime.
		if (code == ERROR_MOD_NOT_FOUND) {
			snprintf(err, errlen, "%s: %s (error %lu); llama.cpp needs the Microsoft Visual C++ 2015-2022 "
			         "Redistributable (x64), from https://aka.ms/vs/17/release/vc_redist.x64.exe", path, msg, code);
		} else {
			snprintf(err, errlen, "%s: %s (error %lu)", path, msg, code);
		}
	}
	return h;
}

// gg_library_symbol looks in lib, then in every module of the process, as dlsym does through a library's
// dependencies on Linux: llama's DLL does not re-export the ggml functions its dependencies hold.
void *gg_library_symbol(void *lib, const char *name) {
	FARPROC f = GetProcAddress((HMODULE)lib, name);
	if (f) return (void *)f;
	HMODULE mods[1024];
	DWORD need = 0;
	if (!K32EnumProcessModules(GetCurrentProcess(), mods, sizeof mods, &need)) return NULL;
	for (DWORD i = 0; i < need / sizeof mods[0] && i < sizeof mods / sizeof mods[0]; i++) {
		if ((f = GetProcAddress(mods[i], name))) return (void *)f;
	}
	return NULL;
}

static SRWLOCK mu = SRWLOCK_INIT;
void gg_lock(void) { AcquireSRWLockExclusive(&mu); }
void gg_unlock(void) { ReleaseSRWLockExclusive(&mu); }
