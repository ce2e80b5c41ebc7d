// ThreadSanitizer's settings for ticketsd, linked into it only when TICKETS_TSAN is on. The
// integration tests start ticketsd with an environment of their own that carries no
// TSAN_OPTIONS, so the settings are built in (TSAN_OPTIONS, when set, still overrides them);
// reports go to files under the build tree, which scripts/test.sh checks after the run.
extern "C" const char* __tsan_default_options() { return TICKETS_TSAN_DEFAULT_OPTIONS; }
