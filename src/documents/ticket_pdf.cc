#include "documents/ticket_pdf.h"

#include <hpdf.h>

#include <memory>
#include <stdexcept>

#include "common/time.h"
#include "documents/qr.h"

namespace tickets::documents {
namespace {

// What the standard fonts can print: UTF-8 to Windows-1252, '?' for the rest.
std::string toWinAnsi(std::string_view utf8) {
  static const std::map<char32_t, char> kSpecial = {
      {U'€', '\x80'}, {U'‚', '\x82'}, {U'„', '\x84'}, {U'…', '\x85'}, {U'–', '\x96'},
      {U'—', '\x97'}, {U'‘', '\x91'}, {U'’', '\x92'}, {U'“', '\x93'}, {U'”', '\x94'},
      {U'•', '\x95'}, {U'™', '\x99'}, {U'Œ', '\x8c'}, {U'œ', '\x9c'}, {U'Š', '\x8a'},
      {U'š', '\x9a'}, {U'Ž', '\x8e'}, {U'ž', '\x9e'}, {U'Ÿ', '\x9f'}};
  std::string out;
  for (size_t i = 0; i < utf8.size();) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    char32_t cp = 0;
    size_t length = 1;
    if (c < 0x80) {
      cp = c;
    } else if ((c >> 5) == 0x6 && i + 1 < utf8.size()) {
      cp = ((c & 0x1f) << 6) | (utf8[i + 1] & 0x3f);
      length = 2;
    } else if ((c >> 4) == 0xe && i + 2 < utf8.size()) {
      cp = ((c & 0x0f) << 12) | ((utf8[i + 1] & 0x3f) << 6) | (utf8[i + 2] & 0x3f);
      length = 3;
    } else if ((c >> 3) == 0x1e && i + 3 < utf8.size()) {
      cp = 0x10000;  // outside the BMP: nothing Windows-1252 has
      length = 4;
    }
    i += length;
    if (cp < 0x80 && cp >= 0x20) {
      out += static_cast<char>(cp);
    } else if (cp >= 0xa0 && cp <= 0xff) {
      out += static_cast<char>(cp);
    } else if (auto it = kSpecial.find(cp); it != kSpecial.end()) {
      out += it->second;
    } else if (cp >= 0x20) {
      out += '?';
    }
  }
  return out;
}

// ISO 4217 minor units: most currencies have 2, these have 0 or 3.
int minorDigits(std::string_view currency) {
  for (std::string_view none : {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
                                "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"}) {
    if (currency == none) {
      return 0;
    }
  }
  for (std::string_view three : {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}) {
    if (currency == three) {
      return 3;
    }
  }
  return 2;
}

std::string formatMoney(int64_t minor, const std::string& currency) {
  const int digits = minorDigits(currency);
  const int64_t scale = digits == 0 ? 1 : digits == 2 ? 100 : 1000;
  const int64_t absolute = minor < 0 ? -minor : minor;
  std::string text = (minor < 0 ? "-" : "") + std::to_string(absolute / scale);
  if (digits > 0) {
    std::string fraction = std::to_string(absolute % scale);
    text += "." + std::string(static_cast<size_t>(digits) - fraction.size(), '0') + fraction;
  }
  return text + " " + currency;
}

struct PdfError {
  HPDF_STATUS status = HPDF_OK;
};

void onError(HPDF_STATUS status, HPDF_STATUS, void* user) {
  static_cast<PdfError*>(user)->status = status;
}

class Document {
 public:
  Document() : doc_(HPDF_New(&onError, &error_), &HPDF_Free) {
    if (!doc_) {
      throw std::runtime_error("the PDF library could not start a document");
    }
  }
  HPDF_Doc get() const { return doc_.get(); }
  void check() const {
    if (error_.status != HPDF_OK) {
      throw std::runtime_error("the PDF library failed (status " + std::to_string(error_.status) +
                               ")");
    }
  }
  std::string bytes() {
    HPDF_SaveToStream(get());
    check();
    std::string out(HPDF_GetStreamSize(get()), '\0');
    HPDF_UINT32 read = static_cast<HPDF_UINT32>(out.size());
    HPDF_ReadFromStream(get(), reinterpret_cast<HPDF_BYTE*>(out.data()), &read);
    out.resize(read);
    return out;
  }

 private:
  PdfError error_;
  std::unique_ptr<std::remove_pointer_t<HPDF_Doc>, decltype(&HPDF_Free)> doc_;
};

// Draws text in a box, wrapping at words, clipped to the box.
void textBox(HPDF_Page page, HPDF_Font font, float size, float left, float top, float right,
             float bottom, const std::string& text) {
  HPDF_Page_SetFontAndSize(page, font, size);
  HPDF_Page_BeginText(page);
  HPDF_Page_TextRect(page, left, top, right, bottom, toWinAnsi(text).c_str(), HPDF_TALIGN_LEFT,
                     nullptr);
  HPDF_Page_EndText(page);
}

}  // namespace

std::string ticketsPdf(const Order& order, const std::map<EventId, EventDetail>& events) {
  Document pdf;
  HPDF_SetCompressionMode(pdf.get(), HPDF_COMP_ALL);
  HPDF_SetInfoAttr(pdf.get(), HPDF_INFO_CREATOR, "tickets");
  HPDF_SetInfoAttr(pdf.get(), HPDF_INFO_TITLE, ("Tickets of order " + order.code).c_str());
  HPDF_Font regular = HPDF_GetFont(pdf.get(), "Helvetica", "WinAnsiEncoding");
  HPDF_Font bold = HPDF_GetFont(pdf.get(), "Helvetica-Bold", "WinAnsiEncoding");
  HPDF_Font mono = HPDF_GetFont(pdf.get(), "Courier", "WinAnsiEncoding");
  pdf.check();

  size_t number = 0;
  for (const Ticket& ticket : order.tickets) {
    ++number;
    HPDF_Page page = HPDF_AddPage(pdf.get());
    // A6 (105 x 148 mm), which libharu 2.3 has no constant for.
    HPDF_Page_SetWidth(page, 297.64f);
    HPDF_Page_SetHeight(page, 419.53f);
    const float width = HPDF_Page_GetWidth(page);
    const float height = HPDF_Page_GetHeight(page);
    const float margin = 20;
    float top = height - margin;

    auto event = events.find(ticket.event_id);
    if (event != events.end()) {
      const Event& e = event->second.event;
      textBox(page, bold, 15, margin, top, width - margin, top - 40, e.name);
      top -= 42;
      textBox(page, regular, 9.5f, margin, top, width - margin, top - 13, e.venue);
      top -= 14;
      textBox(page, regular, 9.5f, margin, top, width - margin, top - 13,
              formatInZone(e.starts_at, e.timezone).value_or(formatRfc3339(e.starts_at)));
      top -= 18;
    }
    std::string type_line =
        "Ticket " + std::to_string(number) + " of " + std::to_string(order.tickets.size());
    for (const HoldItem& item : order.items) {
      if (item.ticket_type_id == ticket.ticket_type_id) {
        type_line = item.name + " - " +
                    formatMoney(item.unit_price.amount, item.unit_price.currency) + "   (" +
                    type_line + ")";
        break;
      }
    }
    textBox(page, bold, 10, margin, top, width - margin, top - 14, type_line);
    top -= 20;

    // The QR code, centred, with its four-module quiet zone left white.
    if (auto qr = qrMatrix(ticket.code)) {
      const float side = std::min(width - 2 * margin, top - 95);
      const float module = side / static_cast<float>(qr->width + 8);
      const float left = (width - module * static_cast<float>(qr->width)) / 2;
      const float qr_top = top - 4 * module;
      HPDF_Page_SetRGBFill(page, 0, 0, 0);
      for (int y = 0; y < qr->width; ++y) {
        for (int x = 0; x < qr->width; ++x) {
          if (qr->isDark(x, y)) {
            HPDF_Page_Rectangle(page, left + static_cast<float>(x) * module,
                                qr_top - static_cast<float>(y + 1) * module, module, module);
          }
        }
      }
      HPDF_Page_Fill(page);
      top -= side + 4;
    }
    textBox(page, mono, 7.5f, margin, top, width - margin, top - 11, ticket.code);
    top -= 16;
    textBox(page, regular, 8.5f, margin, top, width - margin, top - 12,
            "Order " + order.code + " - " + order.name);
    top -= 12;
    textBox(page, regular, 8.5f, margin, top, width - margin, top - 12,
            "Show this code at the door; it admits one person, once.");
    if (ticket.void_) {
      HPDF_Page_SetRGBFill(page, 0.75f, 0, 0);
      HPDF_Page_BeginText(page);
      HPDF_Page_SetFontAndSize(page, bold, 40);
      HPDF_Page_TextOut(page, width / 2 - 50, height / 2, "VOID");
      HPDF_Page_EndText(page);
    }
    pdf.check();
  }
  return pdf.bytes();
}

}  // namespace tickets::documents
