#pragma once

#include <string_view>

namespace tickets::api {

// The OpenAPI 3.1 document of the HTTP API (src/api/openapi.json), compiled into the binary so
// that GET /api/openapi.json always describes the server that answers it.
std::string_view openApiDocument();

}  // namespace tickets::api
