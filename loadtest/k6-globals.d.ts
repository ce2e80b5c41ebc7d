// k6 provides `console` to scripts; @types/k6 does not declare it, and the configuration
// leaves out the DOM and Node libraries that would (with much that k6 lacks).
declare var console: {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  debug(...data: unknown[]): void;
};
