#pragma once

namespace tickets {

// On a fatal signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) writes one JSON line to stderr
// naming the signal and the stack as module+offset pairs (`addr2line -e ticketsd 0x…` turns an
// offset into a source line, with the image's debug files), then lets the signal end the
// process as it would have. Not installed under the sanitizers, which report crashes themselves.
void installCrashReport();

}  // namespace tickets
