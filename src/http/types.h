#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/optional/optional.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace tickets::http {

namespace beast_http = boost::beast::http;

// A response body that either owns its text or shares an immutable one (a cached encoding), so
// that serving a cached body copies nothing. Writes as a single buffer.
struct ResponseBody {
  class value_type {
   public:
    value_type& operator=(std::string text) {
      owned_ = std::move(text);
      shared_.reset();
      return *this;
    }
    void share(std::shared_ptr<const std::string> text) {
      shared_ = std::move(text);
      owned_.clear();
    }
    std::string_view view() const { return shared_ ? std::string_view(*shared_) : owned_; }

   private:
    std::string owned_;
    std::shared_ptr<const std::string> shared_;
  };

  static std::uint64_t size(const value_type& body) { return body.view().size(); }

  class writer {
   public:
    using const_buffers_type = boost::asio::const_buffer;

    template <bool isRequest, class Fields>
    writer(const beast_http::header<isRequest, Fields>&, const value_type& body) : body_(body) {}

    void init(boost::system::error_code& ec) { ec = {}; }

    boost::optional<std::pair<const_buffers_type, bool>> get(boost::system::error_code& ec) {
      ec = {};
      auto text = body_.view();
      return std::make_pair(const_buffers_type(text.data(), text.size()), false);
    }

   private:
    const value_type& body_;
  };
};

using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<ResponseBody>;

inline constexpr size_t kMaxPathParams = 4;

// What the server knows about the request being handled, passed to every handler.
struct RequestContext {
  std::string request_id;
  std::string_view path;                                  // without the query
  std::string_view target;                                // path and query as received
  std::array<std::string_view, kMaxPathParams> params{};  // values of {placeholders}, in order
  size_t param_count = 0;
  std::chrono::steady_clock::time_point received_at;
  std::string peer;  // the TCP peer's address (see http/client_address.h for the client's)
};

using Handler = std::function<boost::asio::awaitable<Response>(const Request&, RequestContext&)>;

}  // namespace tickets::http
