#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace tickets::mail {

// A part of an email that is not its text: an inline image (with a Content-ID the HTML refers
// to as cid:...) or an attachment.
struct MailPart {
  std::string content_type;  // e.g. image/png, application/pdf, text/calendar; method=PUBLISH
  std::string filename;
  std::string content_id;  // inline parts only, without angle brackets
  std::string data;
};

struct MailMessage {
  std::string to;
  std::string subject;  // UTF-8
  std::string text;     // text/plain, UTF-8
  std::string html;     // text/html, UTF-8; refers to inline parts as cid:<content_id>
  std::vector<MailPart> inline_parts;
  std::vector<MailPart> attachments;
  std::string message_id;  // without angle brackets; the same for every attempt of one email
};

struct SmtpSettings {
  // smtp://[user:password@]host[:port] (STARTTLS, required unless the host is a loopback
  // address) or smtps://... (TLS from the start).
  std::string url;
  std::string from;     // the sender's address
  std::string ca_file;  // PEM certificates to trust instead of the system's; empty: the system's
  std::chrono::milliseconds timeout{30000};
};

// Sends mail through an SMTP server with libcurl (STARTTLS and AUTH as the URL says). Blocking;
// thread-safe (a connection per message).
class SmtpSender {
 public:
  explicit SmtpSender(SmtpSettings settings) : settings_(std::move(settings)) {}
  // Empty on success, else why it failed (never the credentials).
  std::string send(const MailMessage& message) const;
  const SmtpSettings& settings() const { return settings_; }

 private:
  SmtpSettings settings_;
};

// A header value as RFC 2047 encoded words when it is not plain ASCII.
std::string encodeHeader(const std::string& text);
// Whether an SMTP_URL is well formed (scheme smtp or smtps, a host); `why` says what is wrong.
bool validSmtpUrl(const std::string& url, std::string& why);
// The URL without its credentials, for logs.
std::string redactedSmtpUrl(const std::string& url);

}  // namespace tickets::mail
