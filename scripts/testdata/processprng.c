// A stand-in for Windows 10's bcryptprimitives.dll, FOR TESTS UNDER WINE ONLY: Go 1.22 and later call its
// ProcessPrng at start-up, and Wine 8.0 has no such export. Never ship it: every Windows 10/11 has the real one.
#include <windows.h>
#include <ntsecapi.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!RtlGenRandom(data, n)) return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
