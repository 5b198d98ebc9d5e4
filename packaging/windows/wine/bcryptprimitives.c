/* For make dist-wine only; never shipped. Go's runtime (1.22 and later) takes
   its random numbers from ProcessPrng in bcryptprimitives.dll, which every
   Windows 10 and 11 has and Debian's Wine 8.0 lacks: without it
   Fieldprint.exe stops at start under Wine ("bcryptprimitives.dll not
   found"). This stand-in gives ProcessPrng over RtlGenRandom. */
#include <windows.h>

BOOLEAN NTAPI SystemFunction036(PVOID buf, ULONG len); /* RtlGenRandom, advapi32 */

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
