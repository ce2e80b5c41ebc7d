#include "mail/smtp.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <boost/url/parse.hpp>

#include <ctime>
#include <memory>
#include <mutex>

namespace tickets::mail {
namespace {

void initialiseOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

bool loopbackHost(std::string_view host) {
  return host == "127.0.0.1" || host == "localhost" || host == "[::1]" || host == "::1";
}

// A curl_mime part holding `part`'s bytes, base64-encoded.
void addPart(curl_mime* mime, const MailPart& part, bool inline_part) {
  curl_mimepart* p = curl_mime_addpart(mime);
  curl_mime_data(p, part.data.data(), part.data.size());
  curl_mime_type(p, part.content_type.c_str());
  curl_mime_encoder(p, "base64");
  std::string disposition =
      std::string(inline_part ? "inline" : "attachment") + "; filename=\"" + part.filename + "\"";
  curl_slist* headers = curl_slist_append(nullptr, ("Content-Disposition: " + disposition).c_str());
  if (!part.content_id.empty()) {
    headers = curl_slist_append(headers, ("Content-ID: <" + part.content_id + ">").c_str());
  }
  curl_mime_headers(p, headers, 1);  // the part owns the list
}

void addText(curl_mime* mime, const std::string& text, const char* type) {
  curl_mimepart* p = curl_mime_addpart(mime);
  curl_mime_data(p, text.data(), text.size());
  curl_mime_type(p, type);
  curl_mime_encoder(p, "quoted-printable");
}

std::string rfc5322Date() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S +0000", &utc);
  return buffer;
}

}  // namespace

std::string encodeHeader(const std::string& text) {
  bool plain = true;
  for (unsigned char c : text) {
    plain = plain && c >= 0x20 && c < 0x7f;
  }
  if (plain) {
    return text;
  }
  // Encoded words of at most 45 bytes of text each (60 characters of base64), split between
  // UTF-8 sequences, never inside one.
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = std::min(start + 45, text.size());
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) {
      --end;
    }
    out += (out.empty() ? "" : " ") + std::string("=?UTF-8?B?") +
           base64(std::string_view(text).substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

bool validSmtpUrl(const std::string& url, std::string& why) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) {
    why = "not a URL";
    return false;
  }
  if (parsed->scheme() != "smtp" && parsed->scheme() != "smtps") {
    why = "the scheme must be smtp (STARTTLS) or smtps (TLS)";
    return false;
  }
  if (parsed->host().empty()) {
    why = "no host";
    return false;
  }
  return true;
}

std::string redactedSmtpUrl(const std::string& url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) {
    return "(invalid)";
  }
  std::string out = std::string(parsed->scheme()) + "://" + std::string(parsed->encoded_host());
  if (parsed->has_port()) {
    out += ":" + std::string(parsed->port());
  }
  return out;
}

std::string SmtpSender::send(const MailMessage& message) const {
  initialiseOnce();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    return "could not start an SMTP session";
  }
  CURL* c = curl.get();
  auto parsed = boost::urls::parse_absolute_uri(settings_.url);
  const bool loopback = parsed && loopbackHost(parsed->host());
  curl_easy_setopt(c, CURLOPT_URL, settings_.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  // STARTTLS is required, so that credentials and tickets never cross a network in clear; a
  // relay on the same host may offer none.
  curl_easy_setopt(c, CURLOPT_USE_SSL, loopback ? CURLUSESSL_TRY : CURLUSESSL_ALL);
  if (!settings_.ca_file.empty()) {
    curl_easy_setopt(c, CURLOPT_CAINFO, settings_.ca_file.c_str());
  }
  const std::string from = "<" + settings_.from + ">";
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> recipients(
      curl_slist_append(nullptr, ("<" + message.to + ">").c_str()), curl_slist_free_all);
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());

  curl_slist* list = nullptr;
  list = curl_slist_append(list, ("Date: " + rfc5322Date()).c_str());
  list = curl_slist_append(list, ("From: " + encodeHeader("Tickets") + " " + from).c_str());
  list = curl_slist_append(list, ("To: <" + message.to + ">").c_str());
  list = curl_slist_append(list, ("Subject: " + encodeHeader(message.subject)).c_str());
  list = curl_slist_append(list, ("Message-ID: <" + message.message_id + ">").c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(list, curl_slist_free_all);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());

  // multipart/mixed { multipart/related { multipart/alternative { text, html }, images },
  // attachments }
  std::unique_ptr<curl_mime, decltype(&curl_mime_free)> mime(curl_mime_init(c), curl_mime_free);
  curl_mime* related = curl_mime_init(c);
  curl_mime* alternative = curl_mime_init(c);
  addText(alternative, message.text, "text/plain; charset=UTF-8");
  addText(alternative, message.html, "text/html; charset=UTF-8");
  curl_mimepart* body = curl_mime_addpart(related);
  curl_mime_subparts(body, alternative);  // the part owns it
  curl_mime_type(body, "multipart/alternative");
  for (const auto& part : message.inline_parts) {
    addPart(related, part, true);
  }
  curl_mimepart* top = curl_mime_addpart(mime.get());
  curl_mime_subparts(top, related);
  curl_mime_type(top, "multipart/related");
  for (const auto& part : message.attachments) {
    addPart(mime.get(), part, false);
  }
  curl_easy_setopt(c, CURLOPT_MIMEPOST, mime.get());

  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    return std::string(curl_easy_strerror(rc)) +
           (code != 0 ? " (SMTP " + std::to_string(code) + ")" : "");
  }
  return "";
}

}  // namespace tickets::mail
